"""The shipped catalog is valid, and a broken one yields every expected message and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rehabplan.catalog import default_root, load_catalog
from rehabplan.catalog.models import Target
from rehabplan.errors import DataError, InputError

DATA = default_root()


def test_shipped_catalog_is_valid(catalog):
    """Every shipped template, rule file and exercise validates and cross-checks."""
    assert len(catalog.exercises) >= 35
    assert {e.target for e in catalog.exercises.values()} == set(Target)
    assert set(catalog.conditions()) == {
        "itbs",
        "runners-knee",
        "patellar-tendinopathy",
        "bursitis",
        "meniscus",
        "osteoarthritis",
    }
    assert sorted(catalog.sites("bursitis")) == ["pes-anserine", "prepatellar"]


def test_every_scheduled_exercise_exists_and_is_allowed(catalog):
    """No protocol schedules a missing exercise or one avoided for its condition."""
    for proto in catalog.protocols.values():
        for phase in proto.phases:
            for sched in phase.exercises:
                ex = catalog.exercises[sched.id]
                assert proto.condition not in ex.avoid, (proto.id, sched.id)


@pytest.mark.parametrize(
    ("name", "site", "expected"),
    [
        ("itbs", None, "itbs"),
        ("pfp", None, "runners-knee"),
        ("jumpers-knee", None, "patellar-tendinopathy"),
        ("oa", None, "osteoarthritis"),
        ("bursitis", "pes-anserine", "bursitis-pes-anserine"),
        ("Runners Knee", None, "runners-knee"),
    ],
)
def test_aliases_resolve(catalog, name, site, expected):
    """Common names and aliases resolve to their protocol."""
    assert catalog.resolve(name, site).id == expected


def test_bursitis_has_a_default_site(catalog):
    """Bursitis without --site resolves to the default site's protocol."""
    proto = catalog.resolve("bursitis")
    assert proto.default_site and proto.site in ("prepatellar", "pes-anserine")


def test_unknown_condition_suggests(catalog):
    """A misspelt condition names close matches and the accepted list."""
    with pytest.raises(InputError) as err:
        catalog.resolve("itbz")
    assert "did you mean 'itbs'" in str(err.value).lower()
    assert "osteoarthritis" in str(err.value)


def _copy_data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    for folder in ("templates", "exercises"):
        shutil.copytree(Path(str(DATA / folder)), root / folder)
    return root


def test_broken_catalog_reports_every_planted_fault(tmp_path):
    """Each planted fault gives its own line; nothing else is reported."""
    root = _copy_data(tmp_path)
    ex = root / "exercises"
    tpl = root / "templates"
    a_phase_exercise = None
    # 1. bad TOML syntax
    (ex / "broken-syntax.toml").write_text('id = "broken-syntax"\nname = \n', encoding="utf-8")
    # 2. unknown key and 3. wrong type, in copies of a real exercise
    clam = (ex / "hip-clamshell.toml").read_text(encoding="utf-8")
    (ex / "extra-key.toml").write_text(
        clam.replace('id = "hip-clamshell"', 'id = "extra-key"\nflavour = "mint"', 1), encoding="utf-8"
    )
    (ex / "wrong-type.toml").write_text(
        clam.replace('id = "hip-clamshell"', 'id = "wrong-type"', 1)
        .replace("[dose]", "[dose]\n# sets as text", 1)
        .replace("sets = ", "sets = 'three' # ", 1),
        encoding="utf-8",
    )
    # 4. duplicate id
    (ex / "hip-clamshell-copy.toml").write_text(clam, encoding="utf-8")
    # 5. dangling exercise id and 6. avoided exercise scheduled, in the itbs template
    itbs = (tpl / "itbs.toml").read_text(encoding="utf-8")
    assert 'id = "hip-clamshell"' in itbs
    itbs = itbs.replace('id = "hip-clamshell"', 'id = "hip-clamshel"', 1)
    (tpl / "itbs.toml").write_text(itbs, encoding="utf-8")
    rk = (tpl / "runners-knee.toml").read_text(encoding="utf-8")
    first = rk.index('{ id = "', rk.index("[[phases]]")) + 2
    end = rk.index('"', first + 6)
    a_phase_exercise = rk[first + 6 : end]
    ex_path = ex / f"{a_phase_exercise}.toml"
    text = ex_path.read_text(encoding="utf-8")
    assert "\navoid = [" in text, "exercise files list avoid explicitly"
    text = text.replace("\navoid = [", '\navoid = ["runners-knee", ', 1).replace(", ]", "]")
    ex_path.write_text(text, encoding="utf-8")

    with pytest.raises(DataError) as err:
        load_catalog(root)
    problems = err.value.problems
    expected = [
        ("exercises/broken-syntax.toml: not valid TOML", None),
        ("exercises/extra-key.toml: flavour: Extra inputs are not permitted", None),
        ("exercises/wrong-type.toml: dose.sets:", "integer"),
        ("exercises/hip-clamshell-copy.toml: id: duplicate id 'hip-clamshell'", None),
        ("templates/itbs.toml: phases[", "no exercise 'hip-clamshel' (did you mean 'hip-clamshell'?)"),
        (
            "templates/runners-knee.toml: phases[0].exercises[0].id:",
            f"'{a_phase_exercise}' is marked as avoided for runners-knee",
        ),
    ]
    for prefix, fragment in expected:
        hits = [p for p in problems if p.startswith(prefix) and (fragment is None or fragment in p)]
        assert hits, f"no line for {prefix!r} / {fragment!r} in {problems}"

    # nothing else: every line belongs to one planted fault (avoided exercise may repeat per phase)
    def planted(line: str) -> bool:
        return any(
            line.startswith(prefix) and (fragment is None or fragment in line) for prefix, fragment in expected
        ) or (f"'{a_phase_exercise}' is marked as avoided for runners-knee" in line)

    assert [p for p in problems if not planted(p)] == []


def test_a_data_folder_may_hold_only_the_files_it_changes(tmp_path):
    """A clinic's folder with one changed template (and no exercises/) is read over the shipped
    data: its file wins, everything else is the shipped data."""
    from rehabplan.catalog.loading import overrides

    root = tmp_path / "ours"
    (root / "templates").mkdir(parents=True)
    shipped = Path(str(DATA / "templates" / "itbs.toml")).read_text(encoding="utf-8")
    (root / "templates" / "itbs.toml").write_text(
        shipped.replace("green_max = 2", "green_max = 1").replace("0-2/10 and not building", "0-1/10 and not building"),
        encoding="utf-8",
    )
    ours, theirs = load_catalog(root), load_catalog()
    assert ours.protocols["itbs"].pain_rule.green_max == 1
    assert ours.exercises == theirs.exercises and ours.protocols["meniscus"] == theirs.protocols["meniscus"]
    assert overrides(root) == (["templates/itbs.toml"], [])


def test_a_folder_with_no_data_folders_is_one_input_error(tmp_path):
    with pytest.raises(InputError, match="holds neither templates/ nor exercises/"):
        load_catalog(tmp_path)


def test_data_dir_that_does_not_exist(tmp_path):
    """A --data-dir that does not exist is an input error naming the folder."""
    with pytest.raises(InputError, match="does not exist"):
        load_catalog(tmp_path / "nope")


@pytest.mark.parametrize(
    ("condition", "field", "line"),
    [("itbs", "ice_after_runs_in", 'ice_after_runs_in = ["return-to-run"]'), ("meniscus", "ice_in_phases", None)],
)
def test_modality_phase_lists_name_real_phases(tmp_path, condition, field, line):
    """Ice and heat lists naming a phase the protocol lacks are reported with the field and a hint."""
    root = _copy_data(tmp_path)
    path = root / "templates" / f"{condition}.toml"
    text = path.read_text(encoding="utf-8")
    old = line or next(x for x in text.splitlines() if x.startswith(f"{field} = "))
    assert old in text
    path.write_text(text.replace(old, f'{field} = ["retrun-to-run"]', 1), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_catalog(root)
    assert [p for p in err.value.problems if f"modality.{field}[0]: no phase 'retrun-to-run'" in p]


@pytest.mark.parametrize(
    ("file", "anchor"),
    [
        ("templates/rules/safety.toml", "[[red_flags]]"),
        ("templates/rules/advice.toml", "[[training_mistakes]]"),
        ("templates/rules/ramp.toml", "[[ladders]]"),
        ("templates/patellar-tendinopathy.toml", "[load_test]"),
    ],
)
def test_every_source_list_names_a_listed_source(tmp_path, file, anchor):
    """A source key that sources.toml lacks is reported wherever it is cited: red flags, advice, ladders, load test."""
    root = _copy_data(tmp_path)
    path = root / file
    text = path.read_text(encoding="utf-8")
    start = text.index(anchor)
    at = text.index("sources = [", start) + len("sources = [")
    path.write_text(text[:at] + '"S999", ' + text[at:], encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_catalog(root)
    assert [p for p in err.value.problems if p.startswith(file) and "'S999' is not listed" in p]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("templates/rules/ramp.toml", "weekly_cap = 1.10", "weekly_cap = 1.20", "ramp.weekly_cap"),
        ("templates/rules/ramp.toml", "weekly_cap = 1.10", "weekly_cap = 1.001", "ramp.weekly_cap"),
        ("templates/rules/ramp.toml", "restart_fraction = 0.6", "restart_fraction = 1.0", "ramp.restart_fraction"),
        ("templates/rules/ramp.toml", "single_run_cap = 1.10", "single_run_cap = 1.5", "ramp.single_run_cap"),
        ("templates/rules/ramp.toml", "max_mileage_mi = 150", "max_mileage_mi = inf", "ramp.max_mileage_mi"),
        ("templates/itbs.toml", "green_max = 2", "green_max = 10", "pain_rule.green_max"),
        ("templates/itbs.toml", 'green = "0-2/10', 'green = "0-10/10', "pain_rule: Value error, green says 10/10"),
        ("templates/itbs.toml", "amber_max = 3", "amber_max = 2", "green_max must be below amber_max"),
        ("templates/itbs.toml", "pain_max = 2\nnote", "pain_max = 10\nnote", "readiness.pain_max"),
        ("templates/itbs.toml", "after_days = 42", "after_days = 365", "referrals[1].after_days"),
        ("templates/itbs.toml", 'running = "none"', 'running = "hold"', "phases[0].running"),
        (
            "templates/itbs.toml",
            "carry on, and move up",
            "carry on,\u202e and move up",
            "invisible or control character",
        ),
        (
            "templates/itbs.toml",
            "carry on, and move up",
            "carry on,\u200b and move up",
            "invisible or control character",
        ),
    ],
)
def test_data_that_breaks_a_safety_promise_is_refused(tmp_path, file, old, new, expected):
    """check-data judges safety, not only types: a weekly cap over 10%, a green light above 3/10,
    running before the ladder, a review point a year away or hidden characters are each refused,
    naming the file and the field."""
    root = _copy_data(tmp_path)
    _edit(root / file, old, new)
    with pytest.raises(DataError) as err:
        load_catalog(root)
    lines = [line for line in err.value.problems if line.startswith(file)]
    assert any(expected in line for line in lines), err.value.problems
    assert not [line for line in err.value.problems if line.startswith("exercises/")]


def test_one_broken_template_blames_no_exercise_file(tmp_path):
    """A template that fails on its own is the only file reported: exercises that mention its
    condition are not called wrong."""
    root = _copy_data(tmp_path)
    _edit(root / "templates" / "meniscus.toml", "green_max = ", "green_max = 99 #")
    with pytest.raises(DataError) as err:
        load_catalog(root)
    assert err.value.problems and all(p.startswith("templates/meniscus.toml") for p in err.value.problems)


def test_check_data_plans_a_grid_of_runners_and_names_the_request_that_fails(tmp_path, runner):
    """Data that passes every field check but cannot be planned (a least mileage too small for
    10% steps of 0.1) fails check-data, one line per request, naming the request."""
    from rehabplan.cli import app

    root = _copy_data(tmp_path)
    _edit(root / "templates" / "rules" / "ramp.toml", "min_mileage_mi = 7", "min_mileage_mi = 3")
    result = runner.invoke(app, ["check-data", "--data-dir", str(root)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("rehabplan: error: self-test: ") for line in lines)
    assert any(" at 3 mi a week (can run 0 min, 0 weeks off, 4 run days): " in line for line in lines)
    assert runner.invoke(app, ["check-data"]).exit_code == 0
