"""Find, read and validate the clinical data: protocols, shared rules and exercises."""

from __future__ import annotations

import contextlib
import difflib
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import DataError, InputError, quoted
from . import cache as catalog_cache
from . import checks
from .models import (
    AdviceFile,
    Exercise,
    Protocol,
    RampFile,
    SafetyFile,
    SourcesFile,
)

M = TypeVar("M", bound=BaseModel)

RULE_FILES: dict[str, type[BaseModel]] = {
    "ramp": RampFile,
    "safety": SafetyFile,
    "advice": AdviceFile,
    "sources": SourcesFile,
}


@dataclass(frozen=True)
class Catalog:
    """The validated clinical data, cross-checked."""

    protocols: Mapping[str, Protocol]
    exercises: Mapping[str, Exercise]
    ramp: RampFile
    safety: SafetyFile
    advice: AdviceFile
    sources: SourcesFile

    # -- lookups -----------------------------------------------------------------------
    def conditions(self) -> list[str]:
        """Condition ids in file order (a condition with sites appears once)."""
        seen: dict[str, None] = {}
        for p in self.protocols.values():
            seen.setdefault(p.condition, None)
        return list(seen)

    def protocols_of(self, condition: str) -> list[Protocol]:
        return [p for p in self.protocols.values() if p.condition == condition]

    def sites(self, condition: str) -> list[str]:
        return [p.site for p in self.protocols_of(condition) if p.site]

    def resolve(self, name: str, site: str | None = None) -> Protocol:
        """The protocol for a condition name or alias (and site); raise InputError with hints."""
        key = name.strip().lower().replace("_", "-").replace(" ", "-").replace("'", "")
        condition = None
        for p in self.protocols.values():
            if key in (p.condition, p.id) or key in p.aliases:
                condition = p.condition
                if key == p.id or (key in p.aliases and p.site):
                    site = site or p.site
                break
        if condition is None:
            names = self.conditions()
            owner = {a: p.condition for p in self.protocols.values() for a in (p.condition, p.id, *p.aliases)}
            # a typo gets a suggestion; a vague word ('knee', 'pain') gets none: it could be any of them
            close = list(dict.fromkeys(owner[c] for c in difflib.get_close_matches(key, list(owner), n=4, cutoff=0.8)))
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise InputError(
                f"{{field}} {quoted(name)} is not a condition we know.{hint} `rehabplan conditions` lists each one "
                f"with where it hurts: {', '.join(names)}.",
                field="condition",
            )
        options = self.protocols_of(condition)
        if site is None:
            chosen = [p for p in options if p.default_site] or options[:1]
            return chosen[0]
        skey = site.strip().lower().replace("_", "-").replace(" ", "-")
        for p in options:
            if p.site == skey:
                return p
        sites = self.sites(condition)
        if not sites:
            raise InputError(
                f"{{field}} does not apply to {condition}, which has no sites; leave it out.", field="site"
            )
        close = difflib.get_close_matches(skey, sites, n=2, cutoff=0.5)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise InputError(
            f"{{field}} {quoted(site)} is not a site of {condition}.{hint} Choose one of: {', '.join(sites)}.",
            field="site",
        )


def default_root() -> Path | Traversable:
    """Installed wheel: the data sits inside the package. Source checkout: the repo top level."""
    packaged = files("rehabplan")
    if (packaged / "exercises").is_dir() and (packaged / "templates").is_dir():
        return packaged
    return Path(__file__).resolve().parents[3]


def _format_loc(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(file)"


MAX_DATA_FILE = 2_000_000  # bytes in one data file; the shipped ones are a few kilobytes


def _read(entry: Traversable, label: str, model: type[M], problems: list[str]) -> M | None:
    import tomllib  # only when the data is read (a command with the catalog cached never is)

    try:
        with entry.open("rb") as fh:
            data = fh.read(MAX_DATA_FILE + 1)
        if len(data) > MAX_DATA_FILE:
            problems.append(f"{label}: larger than {MAX_DATA_FILE // 1_000_000} MB; a data file is a few kilobytes")
            return None
        raw = tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{label}: not valid TOML: {exc}")
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{label}: cannot be read: {exc}")
        return None
    except RecursionError:
        problems.append(f"{label}: not valid TOML: nested too deeply")
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            problems.append(f"{label}: {_format_loc(tuple(err['loc']))}: {err['msg']}")
        return None


def _safe_name(name: str) -> str:
    """A file name fit for one terminal line: control characters shown as escapes."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in name)


def _toml_files(folder: Traversable) -> list[Traversable]:
    return sorted(
        (e for e in folder.iterdir() if e.is_file() and e.name.endswith(".toml")),
        key=lambda e: e.name,
    )


def _id_problem(found: str, stem: str, folder: str, root: Path | Traversable) -> str:
    if (root / folder / f"{found}.toml").is_file():
        return f"duplicate id {found!r}: it is already used by {folder}/{found}.toml (the id must match the file name {stem!r})"
    return f"{found!r} must match the file name {stem!r}"


def _hint(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _load_folder(
    root: Path | Traversable, folder: str, model: type[M], problems: list[str]
) -> tuple[dict[str, M], set[str]]:
    """Every valid record of a folder by id, and the stems of all its files (valid or not)."""
    records: dict[str, M] = {}
    stems: set[str] = set()
    for entry in _toml_files(root / folder):
        label = f"{folder}/{_safe_name(entry.name)}"
        stem = entry.name[: -len(".toml")]
        stems.add(stem)
        record = _read(entry, label, model, problems)
        if record is None:
            continue
        rid: str = getattr(record, "id")  # noqa: B009 - templates and exercises both have an id
        if rid != stem:
            problems.append(f"{label}: id: {_id_problem(rid, stem, folder, root)}")
            continue
        records[rid] = record
    return records, stems


DATA_FOLDERS = ("templates", "templates/rules", "exercises")


def overrides(root: Path) -> tuple[list[str], list[str]]:
    """A clinic's data folder against the shipped data: the files it replaces, and its new files."""
    shipped = default_root()
    replaced: list[str] = []
    added: list[str] = []
    for folder in DATA_FOLDERS:
        if not (root / folder).is_dir():
            continue
        for entry in _toml_files(root / folder):
            name = f"{folder}/{entry.name}"
            (replaced if (shipped / folder / entry.name).is_file() else added).append(name)
    return replaced, added


@contextlib.contextmanager
def _overlaid(root: Path) -> Iterator[Path]:
    """The shipped data with a clinic's files over it: a clinic's folder need hold only the files
    it changes (or adds)."""
    shipped = default_root()
    with tempfile.TemporaryDirectory(prefix="rehabplan-data-") as tmp:
        merged = Path(tmp)
        for folder in DATA_FOLDERS:
            (merged / folder).mkdir(parents=True, exist_ok=True)
            for source in (shipped, root):
                if not (source / folder).is_dir():
                    continue
                for entry in (source / folder).iterdir():
                    if not entry.name.endswith(".toml"):
                        continue
                    target = merged / folder / entry.name
                    target.unlink(missing_ok=True)
                    if isinstance(entry, Path):
                        target.symlink_to(entry.resolve() if source is shipped else entry.absolute())
                    else:  # shipped inside a zip: copy the bytes
                        target.write_bytes(entry.read_bytes())
        yield merged


def load_catalog(root: Path | Traversable | None = None) -> Catalog:
    """Read and validate every data file under root; raise one DataError listing every problem.

    A clinic's folder (`root`) may hold only the files it changes: the rest come from the shipped
    data."""
    if root is None:
        root = default_root()
    elif isinstance(root, Path):
        if not root.exists():
            raise InputError(
                f"{{field}} {str(root)!r} does not exist; give a folder that holds templates/ and exercises/.",
                field="data_dir",
            )
        if not root.is_dir():
            raise InputError(
                f"{{field}} {str(root)!r} is a file; give a folder that holds templates/ and exercises/.",
                field="data_dir",
            )
        if not any((root / folder).is_dir() for folder in ("templates", "exercises")):
            raise InputError(
                f"{{field}} {str(root)!r} holds neither templates/ nor exercises/; give a folder made with "
                "`rehabplan export-data`, keeping the files you change.",
                field="data_dir",
            )
        if root.resolve() != Path(str(default_root())).resolve():
            with _overlaid(root) as merged:
                return _load(merged)
    return _load(root)


def _load(root: Path | Traversable) -> Catalog:
    problems: list[str] = []
    key = _cache_key(root)
    if key is not None:
        cached = catalog_cache.load(key)
        if isinstance(cached, Catalog):
            return cached

    exercises, known_exercise_files = _load_folder(root, "exercises", Exercise, problems)
    protocols, known_protocol_files = _load_folder(root, "templates", Protocol, problems)
    if not known_protocol_files:
        problems.append("templates/: no protocol files (*.toml) found")
    if not known_exercise_files:
        problems.append("exercises/: no exercise files (*.toml) found")

    rules: dict[str, Any] = {}
    for name, model in RULE_FILES.items():
        entry = root / "templates" / "rules" / f"{name}.toml"
        label = f"templates/rules/{name}.toml"
        if not entry.is_file():
            exists = isinstance(entry, Path) and (entry.exists() or entry.is_symlink())
            problems.append(
                f"{label}: " + ("not a regular file (a device, pipe or folder)" if exists else "file missing")
            )
            continue
        rules[name] = _read(entry, label, model, problems)

    # a template that failed on its own leaves its condition unknown: exercises naming it are not blamed
    all_templates = not (set(known_protocol_files) - set(protocols))
    _cross_check(protocols, exercises, rules, known_exercise_files, problems, all_templates)
    if problems:
        raise DataError(problems)
    catalog = Catalog(
        protocols=protocols,
        exercises=exercises,
        ramp=rules["ramp"],
        safety=rules["safety"],
        advice=rules["advice"],
        sources=rules["sources"],
    )
    if key is not None and _cache_key(root) == key:  # files unchanged while they were read
        catalog_cache.store(key, catalog)  # only a catalog that passed every check
    return catalog


def _cache_key(root: Path | Traversable) -> str | None:
    """The cache key for the files load_catalog reads under root; None when caching is off or fails."""
    if catalog_cache.cache_dir() is None:
        return None
    try:
        files = [(f"{folder}/{e.name}", e) for folder in ("templates", "exercises") for e in _toml_files(root / folder)]
        files += [
            (f"templates/rules/{name}.toml", root / "templates" / "rules" / f"{name}.toml") for name in RULE_FILES
        ]
        return catalog_cache.data_key(files)
    except Exception:
        return None  # e.g. an unreadable file: the normal reading reports it


def _cross_check(
    protocols: dict[str, Protocol],
    exercises: dict[str, Exercise],
    rules: dict[str, Any],
    known_exercise_files: set[str],
    problems: list[str],
    all_templates: bool = True,
) -> None:
    """References between files; files that failed on their own are not reported again (nor are
    references to the conditions of templates that failed)."""
    ex_ids = sorted(known_exercise_files)
    conditions = sorted({p.condition for p in protocols.values()}) if all_templates else []
    ramp: RampFile | None = rules.get("ramp")
    sources: SourcesFile | None = rules.get("sources")
    source_keys = {s.key for s in sources.sources} if sources else None
    test_ids = [t.id for t in ramp.readiness_tests] if ramp else None

    def check_sources(label: str, path: str, keys: tuple[str, ...]) -> None:
        if source_keys is None:
            return
        for i, key in enumerate(keys):
            if key not in source_keys:
                problems.append(f"{label}: {path}[{i}]: source {key!r} is not listed in templates/rules/sources.toml")

    # aliases and ids must be unique across protocols
    owner: dict[str, str] = {}
    for p in protocols.values():
        label = f"templates/{p.id}.toml"
        for name in (p.id, *p.aliases):
            other = owner.get(name)
            if other is not None and protocols[other].condition != p.condition:
                problems.append(f"{label}: aliases: {name!r} is already used by templates/{other}.toml")
            owner.setdefault(name, p.id)
    by_condition: dict[str, list[Protocol]] = {}
    for p in protocols.values():
        by_condition.setdefault(p.condition, []).append(p)
    for cond, group in by_condition.items():
        if len(group) > 1:
            if any(p.site is None for p in group):
                problems.append(
                    f"templates/{group[0].id}.toml: site: condition {cond!r} has several protocols, so each needs a site"
                )
            if sum(p.default_site for p in group) != 1:
                problems.append(
                    f"templates/{group[0].id}.toml: default_site: exactly one protocol of {cond!r} must be the default site"
                )

    for p in protocols.values():
        label = f"templates/{p.id}.toml"
        check_sources(label, "sources", p.sources)
        check_sources(label, "pain_rule.sources", p.pain_rule.sources)
        check_sources(label, "modality.sources", p.modality.sources)
        if p.load_test is not None:
            check_sources(label, "load_test.sources", p.load_test.sources)
        phase_ids = [ph.id for ph in p.phases]
        if len(set(phase_ids)) != len(phase_ids):
            problems.append(f"{label}: phases: phase ids must be unique")
        running = [ph.running.value for ph in p.phases]
        if running.count("ladder") != 1 or running.count("ramp") != 1:
            problems.append(
                f"{label}: phases: need exactly one phase with running = 'ladder' and one with running = 'ramp'"
            )
        elif running.index("ladder") > running.index("ramp"):
            problems.append(f"{label}: phases: the 'ladder' phase must come before the 'ramp' phase")
        else:  # no running before the ladder; holding the target (with strides or hills) only after the build
            ladder_at, ramp_at = running.index("ladder"), running.index("ramp")
            for i, r in enumerate(running):
                if i < ladder_at and r != "none":
                    problems.append(
                        f"{label}: phases[{i}].running: {r!r} before the walk/run ladder; phases before it run "
                        "'none' (a runner who can run keeps running through keep_running instead)"
                    )
                elif r == "hold" and i < ramp_at:
                    problems.append(f"{label}: phases[{i}].running: 'hold' comes only after the 'ramp' phase")
        if running[-1] != "hold":
            problems.append(
                f"{label}: phases[{len(running) - 1}].running: the last phase must hold the target ('hold')"
            )
        for field in ("ice_in_phases", "heat_in_phases", "ice_after_runs_in"):
            for i, pid in enumerate(getattr(p.modality, field)):
                if pid not in phase_ids:
                    problems.append(f"{label}: modality.{field}[{i}]: no phase {pid!r}{_hint(pid, phase_ids)}")
        if p.modality.heat_minutes > 20 and p.condition != "osteoarthritis":
            problems.append(f"{label}: modality.heat_minutes: at most 20 minutes except for osteoarthritis")
        for i, ref in enumerate(p.referrals):
            check_sources(label, f"referrals[{i}].sources", ref.sources)
        if test_ids is not None:
            for i, tid in enumerate(p.readiness.tests):
                if tid not in test_ids:
                    problems.append(f"{label}: readiness.tests[{i}]: unknown test {tid!r}{_hint(tid, test_ids)}")
        for pi, ph in enumerate(p.phases):
            check_sources(label, f"phases[{pi}].sources", ph.sources)
            seen: set[str] = set()
            for ei, sched in enumerate(ph.exercises):
                loc = f"phases[{pi}].exercises[{ei}].id"
                if sched.id in seen:
                    problems.append(f"{label}: {loc}: {sched.id!r} is listed twice in phase {ph.id!r}")
                seen.add(sched.id)
                if sched.id not in known_exercise_files:
                    problems.append(f"{label}: {loc}: no exercise {sched.id!r}{_hint(sched.id, ex_ids)}")
                    continue
                ex = exercises.get(sched.id)
                if ex is not None and p.condition in ex.avoid:
                    problems.append(
                        f"{label}: {loc}: {sched.id!r} is marked as avoided for {p.condition} in exercises/{sched.id}.toml"
                    )
                banned = sorted(set(ex.positions) & set(p.exclude_positions)) if ex is not None else []
                if banned:
                    problems.append(
                        f"{label}: {loc}: {sched.id!r} is done {', '.join(banned)}, which this protocol rules out"
                        " (exclude_positions)"
                    )

    for p in protocols.values():
        checks.coherence(p, exercises, ramp, problems)

    for ex in exercises.values():
        label = f"exercises/{ex.id}.toml"
        check_sources(label, "sources", ex.sources)
        for i, cond in enumerate(ex.avoid):
            if conditions and cond not in conditions:
                problems.append(f"{label}: avoid[{i}]: unknown condition {cond!r}{_hint(cond, conditions)}")
        for i, c in enumerate(ex.caution):
            if (
                c.site is not None
                and conditions
                and c.site not in {p.site for p in protocols.values() if p.condition == c.condition}
            ):
                problems.append(f"{label}: caution[{i}].site: {c.condition} has no site {c.site!r}")
            if conditions and c.condition not in conditions:
                problems.append(
                    f"{label}: caution[{i}].condition: unknown condition {c.condition!r}{_hint(c.condition, conditions)}"
                )

    if ramp is not None:
        label = "templates/rules/ramp.toml"
        check_sources(label, "ramp.sources", ramp.ramp.sources)
        ladders = {lad.id.value: lad for lad in ramp.ladders}
        for needed in ("standard", "tendon"):
            if needed not in ladders:
                problems.append(f"{label}: ladders: the {needed!r} ladder is missing")
        for i, e in enumerate(ramp.entry):
            for kind, stage in (("standard", e.standard), ("tendon", e.tendon)):
                lad = ladders.get(kind)
                if stage is not None and lad is not None and stage not in [s.id for s in lad.stages]:
                    problems.append(f"{label}: entry[{i}].{kind}: no stage {stage!r} in the {kind} ladder")
        if ramp.entry and min(e.min_weeks_off for e in ramp.entry) != 0:
            problems.append(f"{label}: entry: one entry must have min_weeks_off = 0")
        for i, t in enumerate(ramp.readiness_tests):
            check_sources(label, f"readiness_tests[{i}].sources", t.sources)
        for i, lad in enumerate(ramp.ladders):
            check_sources(label, f"ladders[{i}].sources", lad.sources)
    safety: SafetyFile | None = rules.get("safety")
    if safety is not None:
        tiers = [t.tier for t in safety.red_flags]
        if sorted(tiers) != ["A", "B", "C"]:
            problems.append("templates/rules/safety.toml: red_flags: need exactly one tier each of A, B and C")
        check_sources("templates/rules/safety.toml", "sources", safety.sources)
        for i, tier in enumerate(safety.red_flags):
            check_sources("templates/rules/safety.toml", f"red_flags[{i}].sources", tier.sources)
    advice: AdviceFile | None = rules.get("advice")
    if advice is not None:
        for field, items in (("training_mistakes", advice.training_mistakes), ("recovery", advice.recovery)):
            for i, item in enumerate(items):
                check_sources("templates/rules/advice.toml", f"{field}[{i}].sources", item.sources)
