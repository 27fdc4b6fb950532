// Fill the time zone field from the browser, unless the runner already changed it.
(function () {
  var field = document.getElementById("tz");
  if (!field || field.getAttribute("aria-invalid") === "true") return;
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && field.value === field.defaultValue) field.value = zone;
  } catch (e) { /* an old browser keeps the server's guess */ }
})();
