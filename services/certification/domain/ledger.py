"""The skill ledger: append-only, one entry per level reached, never edited in place.

Each entry says which level a worker reached in an occupation, since when, by which route, with
which certificate and from which source (the assessment or the award). A worker's current level
in an occupation is the highest entry (the smallest number; ties go to the earliest), so a level
never goes down: :func:`append` refuses an entry that is not above the current level.

:func:`fold_contest_awards` is the reference for contest promotions: it removes repeated awards
(by ``award_id``; an event is immutable, so a repeat carries the same facts) and decides them in
one total order, ``(published_on, competition_id, rank, entry_id)``, then each award's workers
by id. Any arrival order, with any repeats, gives the same ledger, and at most one contest
promotion per worker per calendar year. The service decides per (worker, year) by the same key:
a repeat finds its decision already recorded and changes nothing. Awards arriving out of that
order are decided against the ledger as it then stands (a grant is never undone), so the
service matches the fold when awards reach it in publication order, as competitions sends them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from . import errors
from .contest import Award, ContestRules, decide_contest_promotion
from .counting import year_of_fact
from .levels import Promotion, Route, SkillHolding, is_higher


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    worker_id: str
    occupation_code: str
    level: int
    since: date
    route: Route
    certificate_number: str | None
    source_id: str

    @property
    def holding(self) -> SkillHolding:
        return SkillHolding(self.occupation_code, self.level, self.since)

    @classmethod
    def of(
        cls,
        worker_id: str,
        promotion: Promotion,
        source_id: str,
        certificate_number: str | None = None,
    ) -> LedgerEntry:
        return cls(
            worker_id,
            promotion.occupation_code,
            promotion.to_level,
            promotion.on,
            promotion.route,
            certificate_number,
            source_id,
        )


def current_levels(entries: Iterable[LedgerEntry]) -> dict[str, LedgerEntry]:
    """One worker's current entry per occupation: the highest level, reached first."""
    current: dict[str, LedgerEntry] = {}
    workers: set[str] = set()
    for entry in entries:
        workers.add(entry.worker_id)
        held = current.get(entry.occupation_code)
        if held is None or (entry.level, entry.since) < (held.level, held.since):
            current[entry.occupation_code] = entry
    if len(workers) > 1:
        raise ValueError("current_levels takes the entries of one worker")
    return current


def contest_promotions_in_year(entries: Iterable[LedgerEntry], year: int) -> int:
    """How many contest promotions one worker's entries hold in ``year``."""
    return sum(1 for e in entries if e.route is Route.CONTEST and year_of_fact(e.since) == year)


def append(entries: tuple[LedgerEntry, ...], entry: LedgerEntry) -> tuple[LedgerEntry, ...]:
    """The ledger with ``entry`` added; :class:`~.errors.AlreadyAtLevel` unless it is higher."""
    if any(e.worker_id != entry.worker_id for e in entries):
        raise ValueError("a ledger tuple holds the entries of one worker")
    before = current_levels(entries).get(entry.occupation_code)
    if before is not None and not is_higher(entry.level, before.level):
        raise errors.AlreadyAtLevel(f"The worker already holds level {before.level} here.")
    return entries + (entry,)


def fold_contest_awards(
    awards: Iterable[Award],
    initial_levels: Mapping[tuple[str, str], int],
    rules: ContestRules,
) -> tuple[LedgerEntry, ...]:
    """The contest entries a set of awards adds to a ledger whose levels are
    ``{(worker_id, occupation_code): level}``; order and repeats of ``awards`` do not matter."""
    unique = {award.award_id: award for award in awards}
    ordered = sorted(
        unique.values(), key=lambda a: (a.published_on, a.competition_id, a.rank, a.entry_id)
    )
    levels = dict(initial_levels)
    promoted: set[tuple[str, int]] = set()
    added: list[LedgerEntry] = []
    for award in ordered:
        year = year_of_fact(award.published_on)
        for worker_id in sorted(set(award.worker_ids)):
            key = (worker_id, award.occupation_code or "")
            count = 1 if (worker_id, year) in promoted else 0
            decision = decide_contest_promotion(award, levels.get(key), count, rules)
            promotion = decision.promotion()
            if promotion is None:
                continue
            added.append(LedgerEntry.of(worker_id, promotion, award.award_id))
            levels[key] = promotion.to_level  # always above the level it came from
            promoted.add((worker_id, year))
    return tuple(added)
