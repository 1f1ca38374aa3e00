"""Scoring, ranking and awards: pure functions over judges' marks.

Conventions (documented choices):

* Sums use :func:`math.fsum` over sorted values, so results do not depend on the order
  in which judges or entries are supplied.
* Aggregated criteria and entry scores are rounded to 4 decimals, so that entries whose
  marks are "equal" on paper compare equal despite floating-point noise. The score is
  ``round(sum(weight * aggregated criterion), 4)`` computed from the unrounded aggregates.
* Ranking is standard competition ranking ("1, 2, 2, 4") after the tie-breaks.
* Awards are handed out by rank position; tied entries share the award of their rank.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from . import errors
from .model import Aggregation, Award, Criterion

SCORE_DECIMALS = 4
WORLDSKILLS_MEDIAN = 700.0
WORLDSKILLS_SD_POINTS = 100.0


def aggregate(marks_by_judge: Mapping[str, float], method: str) -> float:
    """Mean of the judges' marks; ``trimmed_mean`` with 3+ judges first drops one highest
    and one lowest mark (with fewer than 3 judges it is the plain mean)."""
    if not marks_by_judge:
        raise ValueError("Cannot aggregate marks from no judges.")
    values = sorted(marks_by_judge.values())
    if Aggregation(method) is Aggregation.TRIMMED_MEAN and len(values) >= 3:
        values = values[1:-1]
    return math.fsum(values) / len(values)


def entry_score(
    criteria: Sequence[Criterion],
    marks: Mapping[str, Mapping[str, float]],
    method: str,
) -> tuple[float, dict[str, float]]:
    """Score of one entry from ``marks[judge_id][criterion_code]``.

    Each criterion is aggregated over the judges who marked it; the score is the
    weighted sum of the aggregates. Returns ``(score, {code: aggregate})``, both rounded
    to :data:`SCORE_DECIMALS`. A mark for an unknown criterion raises
    :class:`UnknownCriterion`; a criterion nobody marked raises :class:`MissingCriterion`.
    """
    known = {c.code for c in criteria}
    for judge_marks in marks.values():
        unknown = sorted(set(judge_marks) - known)
        if unknown:
            raise errors.UnknownCriterion(f"Unknown criteria: {', '.join(unknown)}.")
    raw: dict[str, float] = {}
    for criterion in criteria:
        by_judge = {j: m[criterion.code] for j, m in marks.items() if criterion.code in m}
        if not by_judge:
            raise errors.MissingCriterion(f"No judge has marked {criterion.code}.")
        raw[criterion.code] = aggregate(by_judge, method)
    score = math.fsum(sorted(c.weight * raw[c.code] for c in criteria))
    rounded = {code: round(value, SCORE_DECIMALS) for code, value in raw.items()}
    return round(score, SCORE_DECIMALS), rounded


@dataclass(frozen=True, slots=True)
class ScoredEntry:
    entry_id: str
    enterprise_id: str
    score: float
    first_criterion: float
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class RankedRow:
    rank: int
    entry_id: str
    enterprise_id: str
    score: float
    award: str | None = None


_TIE_BREAKS: dict[str, Callable[[ScoredEntry], Any]] = {
    "first_criterion": lambda e: -e.first_criterion,  # higher first
    "registered_at": lambda e: e.registered_at,  # earlier first
}


def rank_key(tie_breaks: Sequence[str]) -> Callable[[ScoredEntry], tuple[Any, ...]]:
    """The key :func:`rank` orders by (smaller is better): entries with equal keys tie."""
    unknown = [t for t in tie_breaks if t not in _TIE_BREAKS]
    if unknown:
        raise ValueError(f"Unknown tie-breaks: {unknown}; known: {sorted(_TIE_BREAKS)}.")
    keys = [_TIE_BREAKS[t] for t in tie_breaks]
    return lambda e: (-e.score, *(key(e) for key in keys))


def rank(
    entries: Iterable[ScoredEntry],
    tie_breaks: Sequence[str] = ("first_criterion", "registered_at"),
) -> list[RankedRow]:
    """Order by score (desc) then ``tie_breaks``; standard competition ranking.

    Entries still equal after every tie-break share a rank and the next rank skips
    (1, 2, 2, 4). Within a tie the order is by ``entry_id``, so the result does not
    depend on the input order. ``entry_id`` must be unique.
    """
    items = list(entries)
    if len({e.entry_id for e in items}) != len(items):
        raise ValueError("Duplicate entry_id in ranking input.")
    if any(not math.isfinite(e.score) or not math.isfinite(e.first_criterion) for e in items):
        raise ValueError("Scores must be finite numbers.")
    key = rank_key(tie_breaks)
    keyed = sorted(((key(e), e.entry_id, e) for e in items), key=lambda k: (k[0], k[1]))
    rows: list[RankedRow] = []
    previous: tuple[Any, ...] | None = None
    for position, (current, _, entry) in enumerate(keyed, start=1):
        place = rows[-1].rank if rows and current == previous else position
        rows.append(RankedRow(place, entry.entry_id, entry.enterprise_id, entry.score))
        previous = current
    return rows


def _award_for_place(place: int, awards: Sequence[Award]) -> str | None:
    last_place = 0
    for award in awards:
        last_place += award.places
        if place <= last_place:
            return award.name
    return None


def assign_awards(rows: Iterable[RankedRow], awards: Sequence[Award]) -> list[RankedRow]:
    """Hand out ``awards`` (best first) over rank positions.

    Award *k* covers the ``places`` positions after those of awards 1..k-1 (e.g. first
    prize 1 place = position 1, second prize 2 places = positions 2-3). A row gets the
    award covering its rank. Entries sharing a rank therefore all get the award of the
    best place their rank covers, even if that hands out more of it than ``places``;
    because ranks skip after a tie, the following entries' awards move down accordingly.
    """
    return [replace(row, award=_award_for_place(row.rank, awards)) for row in rows]


def worldskills_scale(scores: Mapping[str, float]) -> dict[str, float]:
    """WorldSkills-style standardisation: ``700 + 100 * (s - median) / sd``.

    ``sd`` is the population standard deviation of all scores. If it is 0 (including a
    single entry) everyone gets 700. Results are rounded to :data:`SCORE_DECIMALS`.
    """
    if not scores:
        return {}
    values = list(scores.values())
    median = statistics.median(values)
    sd = statistics.pstdev(values)
    if sd == 0:
        return {entry_id: WORLDSKILLS_MEDIAN for entry_id in scores}
    return {
        entry_id: round(
            WORLDSKILLS_MEDIAN + WORLDSKILLS_SD_POINTS * (s - median) / sd, SCORE_DECIMALS
        )
        for entry_id, s in scores.items()
    }
