// Print every week of the plan, not only the ones that are open.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.week").forEach(function (d) { d.open = true; });
});
