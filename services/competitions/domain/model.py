"""Competition specification, lifecycle and the pure rules for entries, marks and judges.

Lifecycle: ``draft -> open -> closed -> published`` and nothing else. Registration runs
while a competition is ``open``; judges score while it is ``closed``; ``published`` is
final. Every rule function here is pure: it reads its arguments (the records as they stand,
any objects with the fields it reads) and either returns ``None`` or raises a
:class:`~.errors.CompetitionRuleBroken` subclass (or, for an entry to score that is not there,
the kernel's ``NotFound``, once the rules that say why have been asked).

Datetimes (``now``, ``registration_closes_at``) must be both timezone-aware or both naive.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from shared.errors import NotFound

from . import errors


class Status(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class Action(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    PUBLISH = "publish"


class Kind(StrEnum):
    KEY_PROJECT = "key_project"
    TEAM = "team"
    SKILL_CONTEST = "skill_contest"
    ENERGY_SAVING = "energy_saving"


class Level(StrEnum):
    CITY = "city"
    COUNTY = "county"
    ENTERPRISE = "enterprise"


class Aggregation(StrEnum):
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"


TIE_BREAKS = ("first_criterion", "registered_at")
"""The tie-breaks a competition may list, in the order it applies them (this is the default)."""


_TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.DRAFT, Action.OPEN): Status.OPEN,
    (Status.OPEN, Action.CLOSE): Status.CLOSED,
    (Status.CLOSED, Action.PUBLISH): Status.PUBLISHED,
}


def next_status(current: Status | str, action: Action | str) -> Status:
    """Status after ``action``; :class:`InvalidTransition` for anything off the lifecycle."""
    try:
        key = (Status(current), Action(action))
    except ValueError as exc:
        raise errors.InvalidTransition(f"Unknown status/action {current!r}/{action!r}.") from exc
    if key not in _TRANSITIONS:
        raise errors.InvalidTransition(f"Cannot {key[1]} a competition that is {key[0]}.")
    return _TRANSITIONS[key]


def _spec_error(ok: bool, message: str) -> None:
    if not ok:
        raise errors.InvalidCompetitionSpec(message)


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    name: str
    weight: float
    max_marks: float

    def __post_init__(self) -> None:
        positive = all(math.isfinite(v) and v > 0 for v in (self.weight, self.max_marks))
        _spec_error(
            bool(self.code) and positive, f"Criterion {self.code!r}: need code, w, max > 0."
        )


@dataclass(frozen=True, slots=True)
class Award:
    name: str
    places: int

    def __post_init__(self) -> None:
        _spec_error(self.places >= 1, f"Award {self.name}: places must be >= 1.")


@dataclass(frozen=True, slots=True)
class WorkerView:
    """What the competitions service knows about a worker (read from the registry)."""

    id: str
    enterprise_id: str
    active: bool


_ENUM_FIELDS = {"kind": Kind, "level": Level, "aggregation": Aggregation, "status": Status}


@dataclass(frozen=True, slots=True)
class Competition:
    """Specification of one competition. Enum fields also accept their string values."""

    id: str
    kind: Kind
    level: Level
    criteria: tuple[Criterion, ...]
    contest_class: int | None = None
    aggregation: Aggregation = Aggregation.MEAN
    awards: tuple[Award, ...] = ()
    max_entries_per_enterprise: int | None = None
    team_size_min: int = 1
    team_size_max: int = 1
    registration_closes_at: datetime | None = None
    freeze_at: datetime | None = None
    status: Status = Status.DRAFT
    tie_breaks: tuple[str, ...] = TIE_BREAKS
    region_code: str | None = None

    def __post_init__(self) -> None:
        try:
            for name, enum in _ENUM_FIELDS.items():
                object.__setattr__(self, name, enum(getattr(self, name)))
        except ValueError as exc:
            raise errors.InvalidCompetitionSpec(str(exc)) from exc
        object.__setattr__(self, "criteria", tuple(self.criteria))
        object.__setattr__(self, "awards", tuple(self.awards))
        object.__setattr__(self, "tie_breaks", tuple(self.tie_breaks))
        _spec_error(len(self.criterion_codes) == len(self.criteria), "Duplicate criterion code.")
        _spec_error(bool(self.criteria), "A competition needs at least one criterion.")
        names = [award.name for award in self.awards]
        _spec_error(len(set(names)) == len(names), "Duplicate award name.")
        unknown = sorted(set(self.tie_breaks) - set(TIE_BREAKS))
        _spec_error(not unknown, f"Unknown tie-breaks {unknown}; known: {list(TIE_BREAKS)}.")
        _spec_error(self.contest_class in (1, 2, None), "contest_class must be 1, 2 or None.")
        quota = self.max_entries_per_enterprise
        _spec_error(quota is None or quota >= 1, "max_entries_per_enterprise must be >= 1.")
        _spec_error(1 <= self.team_size_min <= self.team_size_max, "Need 1 <= team min <= max.")

    @property
    def criterion_codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.criteria)

    def apply(self, action: Action | str) -> Competition:
        """A copy of this competition moved along the lifecycle by ``action``."""
        return replace(self, status=next_status(self.status, action))


def _check_registration_open(competition: Competition, now: datetime) -> None:
    if competition.status is not Status.OPEN:
        raise errors.RegistrationClosed(f"Competition is {competition.status.value}, not open.")
    closes_at = competition.registration_closes_at
    if closes_at is not None and now >= closes_at:
        raise errors.RegistrationClosed(f"Registration closed at {closes_at.isoformat()}.")


def _check_team_size(competition: Competition, worker_ids: Sequence[str]) -> None:
    low, high = competition.team_size_min, competition.team_size_max
    if not low <= len(worker_ids) <= high:
        raise errors.TeamSizeOutOfRange(f"Need {low}..{high} workers, got {len(worker_ids)}.")


def _check_worker(
    worker_id: str, enterprise_id: str, workers: Mapping[str, WorkerView], entered: Set[str]
) -> None:
    worker = workers.get(worker_id)
    if worker is None or worker.enterprise_id != enterprise_id:
        raise errors.WorkerNotInEnterprise(f"Worker {worker_id} is not in {enterprise_id}.")
    if not worker.active:
        raise errors.WorkerNotActive(f"Worker {worker_id} is not active.")
    if worker_id in entered:
        raise errors.WorkerAlreadyEntered(f"Worker {worker_id} is already entered.")


def check_entry(
    competition: Competition,
    enterprise_id: str,
    worker_ids: Sequence[str],
    workers: Mapping[str, WorkerView],
    entered_worker_ids: Set[str],
    enterprise_entry_count: int,
    now: datetime,
) -> None:
    """Refuse an entry that breaks a registration rule.

    Checked in order: registration open (status ``open`` and ``now`` before the
    deadline), the enterprise's quota, team size, then each worker (known and in the
    enterprise, active, not already entered, not listed twice in this entry).
    """
    _check_registration_open(competition, now)
    quota = competition.max_entries_per_enterprise
    if quota is not None and enterprise_entry_count >= quota:
        raise errors.QuotaExceeded(f"Enterprise {enterprise_id} already has {quota} entries.")
    _check_team_size(competition, worker_ids)
    seen: set[str] = set()
    for worker_id in worker_ids:
        _check_worker(worker_id, enterprise_id, workers, entered_worker_ids | seen)
        seen.add(worker_id)


def check_withdrawal(competition: Competition, now: datetime) -> None:
    """An entry can be withdrawn only while registration is open."""
    _check_registration_open(competition, now)


class Registered(Protocol):
    """An enterprise as the registry announced it."""

    active: bool


class Belonging(Protocol):
    """A judge or an entry, by the enterprise it belongs to (``None``: an outside expert)."""

    @property
    def enterprise_id(self) -> str | None: ...


def check_enterprise_active(enterprise_id: str, enterprise: Registered | None) -> None:
    """``enterprise`` is ``None`` when the registry has never told us about it."""
    if enterprise is None or not enterprise.active:
        raise errors.EnterpriseNotActive(f"Enterprise {enterprise_id} is not an active enterprise.")


def check_may_open(competition: Competition, now: datetime) -> None:
    """A competition opens only if its lifecycle allows it and its registration deadline, where
    it has one, is still ahead: opening would otherwise start a registration already over."""
    competition.apply(Action.OPEN)  # InvalidTransition first: it says more
    closes_at = competition.registration_closes_at
    if closes_at is not None and now >= closes_at:
        raise errors.RegistrationDeadlinePassed(
            f"Registration closed at {closes_at.isoformat()}; move the deadline before opening."
        )


def check_publication_complete(
    judges: Sequence[str], entries: Sequence[str], marks: Mapping[str, Mapping[str, object]]
) -> None:
    """Every assigned judge marked something and every registered entry has a judge's marks;
    else :class:`~.errors.PublicationIncomplete` names the idle judges and unmarked entries.
    ``marks`` is ``{entry_id: {judge_id: ...}}``; marks of withdrawn entries count for no one."""
    registered = set(entries)
    marked = {judge for entry, by in marks.items() if entry in registered for judge in by}
    idle = sorted(judge for judge in judges if judge not in marked)
    unmarked = sorted(entry for entry in registered if not marks.get(entry))
    if idle or unmarked:
        raise errors.PublicationIncomplete(
            idle,
            unmarked,
            f"Judges who marked nothing: {len(idle)}; entries with no marks: {len(unmarked)}. "
            "Confirm with force=true to publish.",
        )


@dataclass(frozen=True, slots=True)
class Regions:
    """The regions the rules know: the city and its county-level divisions, given by the
    handlers from the kernel's table (``shared.regions``; the domain imports none). A region
    code's county is its first six digits; towns have 9 digits, villages 12."""

    city: str
    counties: frozenset[str]

    @staticmethod
    def county_of(region_code: str) -> str:
        return region_code[:6]

    def is_town_or_village(self, region_code: str) -> bool:
        """9 or 12 digits below one of the counties."""
        return (
            region_code.isdigit()
            and len(region_code) in (9, 12)
            and self.county_of(region_code) in self.counties
        )


def check_region(region_code: str, level: Level | str, regions: Regions, seen_below: bool) -> None:
    """A competition's region is one the platform knows.

    Known: the city (Jiaxing, ``330400``), its seven counties, and a town or village code (9 or
    12 digits) below one of them that the registry has shown us, that is where an enterprise it
    announced lies (``seen_below``: an enterprise replica's ``region_code`` is the code or starts
    with it). The registry's own table of towns is not replicated here; an enterprise there is
    what makes a town worth a competition. Anything else, such as a random 6-digit code, is
    :class:`~.errors.UnknownRegion`.

    A county competition must lie in one county: its entries are held to that county.
    """
    known = (
        region_code == regions.city
        or region_code in regions.counties
        or (regions.is_town_or_village(region_code) and seen_below)
    )
    if not known:
        raise errors.UnknownRegion(f"{region_code} is not a region of Jiaxing known here.")
    if Level(level) is Level.COUNTY and regions.county_of(region_code) not in regions.counties:
        raise errors.InvalidCompetitionSpec(
            "A county competition's region_code must be a county of Jiaxing or lie below one.",
            field="region_code",
        )


def check_judge_enterprise(enterprise_id: str | None, enterprise: object | None) -> None:
    """A judge's own enterprise (``None`` for an outside expert) is one the registry announced
    (``enterprise``: its replica, active or not)."""
    if enterprise_id is not None and enterprise is None:
        raise errors.JudgeEnterpriseUnknown(
            f"Enterprise {enterprise_id} is not an enterprise the registry has announced."
        )


def check_enterprise_in_county(
    competition: Competition, enterprise_id: str, enterprise_region: str | None
) -> None:
    """A county competition (``level == "county"``) takes entries only from enterprises whose
    county (the first six digits of their region) is the competition region's county; an
    enterprise whose region is not known is not shown to be in it."""
    if competition.level is not Level.COUNTY:
        return
    county = Regions.county_of(competition.region_code or "")
    if enterprise_region is None or Regions.county_of(enterprise_region) != county:
        raise errors.EnterpriseOutsideCounty(
            f"Enterprise {enterprise_id} is not in county {county}, the competition's."
        )


def check_may_change(competition: Competition) -> None:
    """Nothing about a published competition changes any more."""
    if competition.status is Status.PUBLISHED:
        raise errors.ResultsPublished()


def check_editable(competition: Competition) -> None:
    """A competition's specification changes only while it is a draft."""
    if competition.status is not Status.DRAFT:
        raise errors.NotADraft(
            f"The competition is {competition.status.value}; only a draft can be edited."
        )


def check_judge_assignable(
    competition: Competition, judge_id: str, assigned: object | None
) -> None:
    """A judge joins a competition not yet published, once (``assigned``: their assignment)."""
    check_may_change(competition)
    if assigned is not None:
        raise errors.JudgeAlreadyAssigned(f"Judge {judge_id} is already assigned.")


def check_judge_removable(competition: Competition, marked: int) -> None:
    """A judge leaves a competition not yet published, and only while no marks of theirs exist
    (``marked``: the entries they marked)."""
    check_may_change(competition)
    if marked:
        raise errors.JudgeHasMarks(
            f"The judge has marked {marked} entries of this competition; they cannot be removed."
        )


def check_marks(competition: Competition, marks: Mapping[str, float]) -> None:
    """One judge's marks for one entry: exactly the competition's criteria, each in range."""
    unknown = sorted(set(marks) - competition.criterion_codes)
    if unknown:
        raise errors.UnknownCriterion(f"Unknown criteria: {', '.join(unknown)}.")
    missing = sorted(competition.criterion_codes - set(marks))
    if missing:
        raise errors.MissingCriterion(f"Missing criteria: {', '.join(missing)}.")
    for criterion in competition.criteria:
        mark = marks[criterion.code]
        if not (math.isfinite(mark) and 0 <= mark <= criterion.max_marks):
            raise errors.MarksOutOfRange(
                f"{criterion.code}: {mark} not in 0..{criterion.max_marks}."
            )


def check_judge_may_score(
    competition: Competition, judge: Belonging | None, entry: Belonging | None
) -> None:
    """Judges score only while the competition is ``closed``, only if assigned (``judge``:
    their assignment), never their own enterprise's entries; and only an entry registered in
    it (asked last, so that a draft competition says why)."""
    if competition.status is not Status.CLOSED:
        raise errors.NotScorable(f"Cannot score a competition that is {competition.status.value}.")
    if judge is None:
        raise errors.JudgeNotAssigned()
    if entry is None:
        raise NotFound.of("entry")
    if judge.enterprise_id is not None and judge.enterprise_id == entry.enterprise_id:
        raise errors.JudgeOwnEnterprise()
