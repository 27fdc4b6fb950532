"""The clinical data as validated models: exercises, protocols and the shared rules (read from TOML)."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator


def _printable(value: str) -> str:
    """Data text reaches the booklet and the calendar: no control, format (bidi overrides,
    zero-width marks) or line-separator characters in it, as for a runner's name."""
    if value.isprintable():  # holds none of those (the common case, checked at C speed)
        return value
    bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")), None)
    if bad is not None:
        raise ValueError(f"contains an invisible or control character ({bad!a}); remove it")
    return value


Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[
    str, StringConstraints(min_length=1, max_length=600, strip_whitespace=True), AfterValidator(_printable)
]
ShortText = Annotated[
    str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True), AfterValidator(_printable)
]
SourceKey = Annotated[str, StringConstraints(pattern=r"^(S[0-9]{2,3}|design-default)$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --------------------------------------------------------------------------- vocabularies


class Target(StrEnum):
    CORE = "core"
    HIP = "hip"
    KNEE = "knee"
    STRETCH = "stretch"


class Equipment(StrEnum):
    NONE = "none"
    MAT = "mat"
    BAND = "band"
    STEP = "step"
    CHAIR = "chair"
    WALL = "wall"
    BENCH = "bench"
    TOWEL = "towel"
    STRAP = "strap"
    WEIGHT = "weight"
    BALL = "ball"
    BIKE = "bike"
    POOL = "pool"


class Position(StrEnum):
    """A body position an exercise puts the runner in (a protocol can rule positions out, e.g.
    kneeling for a bursa on the front of the kneecap)."""

    STANDING = "standing"
    SEATED = "seated"
    SUPINE = "supine"  # lying on the back
    PRONE = "prone"  # lying face down
    SIDE_LYING = "side-lying"
    KNEELING = "kneeling"  # weight on one or both knees
    HALF_KNEELING = "half-kneeling"
    QUADRUPED = "quadruped"  # on hands and knees


class PhaseKind(StrEnum):
    SETTLE = "settle"
    STRENGTHEN = "strengthen"
    RETURN = "return"
    REBUILD = "rebuild"
    MAINTAIN = "maintain"


class Running(StrEnum):
    """What running a phase allows."""

    NONE = "none"  # running paused
    LADDER = "ladder"  # readiness tests, then the walk/run (or tendon) ladder
    RAMP = "ramp"  # continuous running, at most +10% a week
    HOLD = "hold"  # continuous running held at the target


class Ladder(StrEnum):
    STANDARD = "standard"
    TENDON = "tendon"


class KneeRegion(StrEnum):
    """Where the knee diagram marks the pain."""

    OUTER = "outer"  # lateral femoral epicondyle
    AROUND_KNEECAP = "around-kneecap"
    BELOW_KNEECAP = "below-kneecap"  # lower pole, patellar tendon
    FRONT_OF_KNEECAP = "front-of-kneecap"  # prepatellar bursa
    INNER_SHIN = "inner-shin"  # pes anserine
    JOINT_LINE = "joint-line"  # meniscus
    WHOLE_KNEE = "whole-knee"  # osteoarthritis


class Joint(StrEnum):
    HEAD = "head"
    NECK = "neck"
    PELVIS = "pelvis"
    SHOULDER = "shoulder"
    ELBOW = "elbow"
    HAND = "hand"
    ELBOW_FAR = "elbow-far"
    HAND_FAR = "hand-far"
    KNEE = "knee"
    ANKLE = "ankle"
    TOE = "toe"
    KNEE_FAR = "knee-far"
    ANKLE_FAR = "ankle-far"
    TOE_FAR = "toe-far"


class PropKind(StrEnum):
    FLOOR = "floor"
    WALL = "wall"
    STEP = "step"
    BOX = "box"
    CHAIR = "chair"
    BENCH = "bench"
    BAND = "band"
    BALL = "ball"
    MAT = "mat"
    BIKE = "bike"
    ARROW = "arrow"


# --------------------------------------------------------------------------- exercises


class Dose(_Strict):
    """A dose: sets of reps, of held seconds, or minutes of steady work."""

    sets: int = Field(ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=60)
    hold_s: int | None = Field(default=None, ge=5, le=180)
    minutes: int | None = Field(default=None, ge=1, le=60)
    per_side: bool = False
    note: ShortText | None = None

    @model_validator(mode="after")
    def _one_measure(self) -> Dose:
        given = [x for x in (self.reps, self.hold_s, self.minutes) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of reps, hold_s or minutes")
        return self


class Caution(_Strict):
    """A change to an exercise for one condition (and only one of its sites, when given)."""

    condition: Id
    site: Id | None = None
    note: Text


class Point(_Strict):
    joint: Joint
    x: float = Field(ge=0, le=100)
    y: float = Field(ge=0, le=100)


class Prop(_Strict):
    kind: PropKind
    x: float = Field(ge=0, le=100)
    y: float = Field(ge=0, le=100)
    w: float = Field(default=0, ge=0, le=100)
    h: float = Field(default=0, ge=0, le=100)
    x2: float | None = Field(default=None, ge=0, le=100)
    y2: float | None = Field(default=None, ge=0, le=100)


class PoseFrame(_Strict):
    """One key position of the stick figure, in a 100 × 100 box, y pointing up."""

    label: ShortText
    points: tuple[Point, ...] = Field(min_length=8)
    props: tuple[Prop, ...] = ()

    @model_validator(mode="after")
    def _needs_core_joints(self) -> PoseFrame:
        have = {p.joint for p in self.points}
        need = {Joint.HEAD, Joint.NECK, Joint.PELVIS, Joint.KNEE, Joint.ANKLE}
        missing = sorted(j.value for j in need - have)
        if missing:
            raise ValueError(f"missing joints: {', '.join(missing)}")
        if len(have) != len(self.points):
            raise ValueError("a joint is given twice")
        return self


class Pose(_Strict):
    view: Literal["side", "front", "top"] = "side"
    frames: tuple[PoseFrame, ...] = Field(min_length=1, max_length=3)


class Exercise(_Strict):
    id: Id
    name: ShortText
    target: Target
    equipment: tuple[Equipment, ...] = Field(min_length=1)
    dose: Dose
    progression: Text
    regression: Text
    cues: tuple[Text, ...] = Field(min_length=2, max_length=4)
    mistakes: tuple[Text, ...] = Field(min_length=1, max_length=4)
    positions: tuple[Position, ...] = Field(min_length=1, description="every position the exercise puts the body in")
    avoid: tuple[Id, ...] = ()
    caution: tuple[Caution, ...] = ()
    sources: tuple[SourceKey, ...] = Field(min_length=1)
    pose: Pose


# --------------------------------------------------------------------------- protocols


class Scheduled(_Strict):
    """An exercise named by a phase, with that phase's dose (the exercise's own when omitted)."""

    id: Id
    dose: Dose | None = None
    every_days: int | None = Field(
        default=None, ge=2, le=7, description="at most once in this many days (e.g. hops: 3 = two days between)"
    )


class Phase(_Strict):
    id: Id
    name: ShortText
    kind: PhaseKind
    weeks: int = Field(ge=0, le=26, description="default length in weeks (ramp phases: computed)")
    min_weeks: int = Field(ge=0, le=26)
    max_weeks: int = Field(ge=0, le=52)
    running: Running
    cross_training: Text | None = None
    strength_days: int = Field(ge=0, le=7, description="strength sessions a week")
    strength_minutes: int = Field(default=25, ge=5, le=60)
    cross_training_days: int = Field(default=0, ge=0, le=6)
    cross_training_minutes: int = Field(default=30, ge=10, le=90)
    goals: tuple[Text, ...] = Field(min_length=1)
    exit_criteria: tuple[Text, ...] = Field(min_length=1)
    exercises: tuple[Scheduled, ...] = ()
    sources: tuple[SourceKey, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ranges(self) -> Phase:
        if not self.min_weeks <= self.weeks <= self.max_weeks:
            raise ValueError("need min_weeks <= weeks <= max_weeks")
        return self


class PainRule(_Strict):
    green: Text
    amber: Text
    red: Text
    green_max: int = Field(ge=0, le=3, description="green is at most 3/10")
    amber_max: int = Field(ge=1, le=6)
    sources: tuple[SourceKey, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _order(self) -> PainRule:
        if self.green_max >= self.amber_max:
            raise ValueError("green_max must be below amber_max")
        said = [int(n) for n in re.findall(r"(\d+)\s*/\s*10", self.green)]
        if said and max(said) > self.green_max:
            raise ValueError(f"green says {max(said)}/10 but green_max is {self.green_max}; make them agree")
        return self


class Modality(_Strict):
    """Ice and heat for the condition (clinical.md §11.3)."""

    ice: Text
    heat: Text
    ice_in_phases: tuple[Id, ...] = ()  # stand-alone ice sessions in these phases
    heat_in_phases: tuple[Id, ...] = ()  # stand-alone heat sessions in these phases
    ice_after_runs_in: tuple[Id, ...] = ()  # ice as the after-care of runs in these phases
    ice_after_strength: bool = False
    heat_before_strength: bool = False
    ice_minutes: int = Field(default=15, ge=10, le=20)
    heat_minutes: int = Field(default=15, ge=10, le=30)
    sources: tuple[SourceKey, ...] = Field(min_length=1)


class Referral(_Strict):
    after_days: int = Field(ge=1, le=91, description="a review point within 13 weeks")
    action: Text
    sources: tuple[SourceKey, ...] = Field(min_length=1)


class Readiness(_Strict):
    tests: tuple[Id, ...] = Field(min_length=1)
    pain_max: int = Field(ge=0, le=3, description="pain a readiness test may bring, at most 3/10")
    note: Text | None = None


class LoadTest(_Strict):
    """A weekly test of how the tendon takes load (e.g. single-leg decline squat pain)."""

    name: ShortText
    how: Text
    # tendon loading may hurt a little more than running (the pain-monitoring model allows 5/10)
    pain_max: int = Field(ge=0, le=5, description="pain that still allows the plan to move on, at most 5/10")
    sources: tuple[SourceKey, ...] = Field(min_length=1)


class Protocol(_Strict):
    id: Id
    condition: Id
    site: Id | None = None
    default_site: bool = False
    name: ShortText
    aliases: tuple[Id, ...] = ()
    summary: Text
    where_it_hurts: Text
    knee_region: KneeRegion
    causes: tuple[Text, ...] = Field(min_length=1)
    how_the_plan_helps: Text
    ladder: Ladder
    hills_allowed: bool = True  # False: intensity comes back as flat strides only
    exclude_positions: tuple[Position, ...] = ()  # positions that load the painful site
    restart_share: float | None = Field(
        default=None, ge=0.3, le=0.7, description="the ladder's weekly time on feet, as a share of usual (ramp default)"
    )
    keep_running: bool = False  # a runner who can run pain-free keeps running, shorter, instead of stopping
    every_other_day: bool = False  # never two runs on consecutive days, whatever the phase
    runs_with_strength: bool = False  # runs on strength days, each followed by a day without load
    no_improvement_check: bool = True  # the 7-day "is it getting better?" check (acute conditions)
    load_test: LoadTest | None = None
    # the plan lasts at least this many weeks, whatever the mileage (e.g. a 12-week strength course)
    min_total_weeks: int | None = Field(default=None, ge=1, le=52)
    phases: tuple[Phase, ...] = Field(min_length=2)
    cautions: tuple[Text, ...] = ()
    running_modifications: tuple[Text, ...] = Field(min_length=1)
    pain_rule: PainRule
    modality: Modality
    red_flags: tuple[Text, ...] = Field(min_length=1)
    referrals: tuple[Referral, ...] = Field(min_length=1)
    readiness: Readiness
    sources: tuple[SourceKey, ...] = Field(min_length=1)


# --------------------------------------------------------------------------- shared rules


class LadderStage(_Strict):
    """One step of a ladder. Sessions are sized to the runner: a stage names its run:walk split,
    and a session repeats it for the session's length (or runs once, or runs the whole session)."""

    id: Id
    run_min: float = Field(default=0, ge=0, le=60)
    walk_min: float = Field(default=0, ge=0, le=10)
    reps: int | None = Field(default=None, ge=1, le=30, description="fixed repeats (default: as many as fit)")
    continuous: bool = False  # run the whole session without a walk break
    note: Text | None = None

    @model_validator(mode="after")
    def _shape(self) -> LadderStage:
        if self.continuous and (self.run_min or self.walk_min or self.reps):
            raise ValueError("a continuous stage runs the whole session: leave out run_min, walk_min and reps")
        if not self.continuous and self.run_min <= 0:
            raise ValueError("give run_min (minutes of each run), or continuous = true")
        return self


class LadderRules(_Strict):
    id: Ladder
    name: ShortText
    stages: tuple[LadderStage, ...] = Field(min_length=2)
    sessions_per_stage: int = Field(ge=1, le=4)
    max_advances_per_week: int = Field(default=2, ge=1, le=4, description="stages moved up in any 7 days")
    final_repeats: int = Field(default=2, ge=1, le=4, description="sessions of the last stage before the build")
    min_rest_days_between_runs: int = Field(ge=1, le=3)
    session_min_minutes: int = Field(default=20, ge=10, le=45)
    session_max_minutes: int = Field(default=45, ge=20, le=60)
    sources: tuple[SourceKey, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _last_is_continuous(self) -> LadderRules:
        if not self.stages[-1].continuous or any(s.continuous for s in self.stages[:-1]):
            raise ValueError("the last stage, and only it, is continuous running")
        if self.session_min_minutes > self.session_max_minutes:
            raise ValueError("session_min_minutes must not exceed session_max_minutes")
        return self


class EntryStage(_Strict):
    """Which ladder stage a runner starts on, by weeks already off running."""

    min_weeks_off: int = Field(ge=0, le=52)
    standard: Id
    tendon: Id


class ReadinessTest(_Strict):
    id: Id
    name: ShortText
    standard: Text
    requires: tuple[Id, ...] = Field(default=(), description="exercises that practise it; one must come first")
    sources: tuple[SourceKey, ...] = Field(min_length=1)


class RampRules(_Strict):
    # the booklet promises at most 10% a week; below 5% the ramp cannot move in 0.1 steps
    weekly_cap: float = Field(ge=1.05, le=1.10)
    hold_every: int = Field(ge=2, le=8)
    restart_fraction: float = Field(ge=0.3, le=0.6, description="first week without a ladder, share of usual")
    restart_share: float = Field(ge=0.3, le=0.7, description="the ladder's weekly time on feet, share of usual")
    no_ladder_minutes: int = Field(ge=10, le=60, description="pain-free running that makes the ladder unneeded")
    long_run_fraction: float = Field(gt=0, le=0.5, description="the usual long run, share of the week")
    long_run_from: float = Field(gt=0, le=1, description="share of the target from which a week has a long run")
    single_run_cap: float = Field(ge=1.05, le=1.10)
    single_run_window_days: int = Field(ge=7, le=60)
    intensity_fraction: float = Field(ge=0.5, le=1, description="strides or hills only from this share")
    long_plan_weeks: int = Field(ge=8, le=104)
    max_sessions_per_day: int = Field(ge=1, le=5)
    min_mileage_mi: float = Field(ge=3, le=50, allow_inf_nan=False)
    min_mileage_km: float = Field(ge=5, le=80, allow_inf_nan=False)
    max_mileage_mi: float = Field(gt=0, le=300, allow_inf_nan=False)
    max_mileage_km: float = Field(gt=0, le=500, allow_inf_nan=False)
    default_pace_min_per_mi: float = Field(gt=3, le=25)
    default_pace_min_per_km: float = Field(gt=2, le=16)
    maintain_weeks: int = Field(ge=1, le=8)
    no_improvement_days: int = Field(ge=1, le=30)
    rules_in_plain_words: tuple[Text, ...] = Field(min_length=3)
    convention_note: Text
    sources: tuple[SourceKey, ...] = Field(min_length=1)

    def mileage_limits(self, unit: str) -> tuple[float, float]:
        """The smallest and largest usual weekly mileage accepted, in the unit ("mi" or "km")."""
        if unit == "mi":
            return self.min_mileage_mi, self.max_mileage_mi
        return self.min_mileage_km, self.max_mileage_km

    @model_validator(mode="after")
    def _limits_ordered(self) -> RampRules:
        for unit in ("mi", "km"):
            lo, hi = self.mileage_limits(unit)
            if not lo < hi:
                raise ValueError(f"min_mileage_{unit} must be below max_mileage_{unit}")
        return self


class RampFile(_Strict):
    ramp: RampRules
    entry: tuple[EntryStage, ...] = Field(min_length=2)
    ladders: tuple[LadderRules, ...] = Field(min_length=2)
    readiness_tests: tuple[ReadinessTest, ...] = Field(min_length=3)


class RedFlagTier(_Strict):
    tier: Literal["A", "B", "C"]
    heading: ShortText
    action: Text
    items: tuple[Text, ...] = Field(min_length=1)
    sources: tuple[SourceKey, ...] = Field(min_length=1)


class Advice(_Strict):
    id: Id
    title: ShortText
    body: tuple[Text, ...] = Field(min_length=1)
    sources: tuple[SourceKey, ...] = Field(min_length=1)


class SafetyFile(_Strict):
    red_flags: tuple[RedFlagTier, ...] = Field(min_length=3)
    absolute_stops: tuple[Text, ...] = Field(min_length=1)
    no_improvement: Text
    calendar_line: Text  # the one red-flag line every calendar event carries
    ice_safety: tuple[Text, ...] = Field(min_length=1)
    heat_safety: tuple[Text, ...] = Field(min_length=1)
    medicines: tuple[Text, ...] = Field(min_length=1)
    disclaimer: Text
    sources: tuple[SourceKey, ...] = Field(min_length=1)


class SessionText(_Strict):
    """The short instructions wording adds to sessions; {minutes} is filled in."""

    ladder_warm_up: Text
    ladder_ground: Text
    run_warm_up: Text
    strides: Text
    hills: Text
    longer_run: Text
    strength_rule: Text
    heat_before_strength: Text
    ice_after: Text
    readiness_intro: Text
    morning_after: Text
    phase_exit: Text
    rest_day: Text


class AdviceFile(_Strict):
    training_mistakes: tuple[Advice, ...] = Field(min_length=4)
    recovery: tuple[Advice, ...] = Field(min_length=4)
    session_text: SessionText


#: Hosts that copy, proxy or summarise other people's work, or sell things: never a source.
UNTRUSTED_HOSTS = (
    "scribd.com",
    "zlibrary",
    "z-lib",
    "docslib.org",
    "studylib",
    "coek.info",
    "pdfslide",
    "vdocuments",
    "dokumen.pub",
    "droracle",
    "regenexx",
    "blogg.se",
    "blogspot",
    "wordpress.com",
    "medium.com",
    "github.com",
    "reddit.com",
    "quora.com",
    "wikipedia.org",
    "zoppoz",
    "800.gay",
    "chromoscience",
    "naulus",
    "mendeley.com",
    "researchgate.net",
    "academia.edu",
)


class Source(_Strict):
    """A primary paper (with its DOI or PubMed id), a guideline, or a clinic's or hospital's own
    published handout; or "design-default", a planning choice where no source gave a number."""

    key: SourceKey
    kind: Literal["paper", "guideline", "handout", "design-default"]
    authors: ShortText | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    title: Text | None = None
    journal: ShortText | None = Field(default=None, description="journal and volume, or the publishing body")
    doi: Annotated[str, StringConstraints(pattern=r"^10\.[0-9]{4,9}/\S+$")] | None = None
    pmid: Annotated[str, StringConstraints(pattern=r"^[0-9]{5,9}$")] | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https://\S+$", max_length=400)] | None = None

    @model_validator(mode="after")
    def _traceable(self) -> Source:
        if self.kind == "design-default":
            if self.key != "design-default":
                raise ValueError("only the key 'design-default' may be of kind design-default")
            return self
        if self.key == "design-default":
            raise ValueError("the key 'design-default' must be of kind design-default")
        if not (self.authors or self.journal) or not self.title:
            raise ValueError("give the title and the authors or publisher")
        if self.kind == "paper" and not (self.doi or self.pmid):
            raise ValueError("a paper needs its DOI or PubMed id")
        if self.kind != "paper" and not (self.url or self.doi or self.pmid):
            raise ValueError(f"a {self.kind} needs the publisher's address (url), a DOI or a PubMed id")
        if self.url is not None:
            host = self.url.split("/")[2].lower()
            bad = next((h for h in UNTRUSTED_HOSTS if h in host), None)
            if bad is not None or ":" in host:
                raise ValueError(
                    f"{host} is not a publisher's own address; cite the paper (DOI or PubMed id), "
                    "the guideline or the clinic's own handout"
                )
        return self


class SourcesFile(_Strict):
    sources: tuple[Source, ...] = Field(min_length=1)
