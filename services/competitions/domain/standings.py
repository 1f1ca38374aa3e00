"""Standings of one competition: its entries scored, ranked by its tie-breaks, awarded.

One set of functions serves the command that publishes results and the read model that keeps
the live leaderboard, so that the final board and the published results cannot disagree.

* An entry is scored from ``marks[judge_id][criterion_code]`` by the competition's aggregation;
  an entry that no judge has marked yet has no score and is not ranked.
* Awards go by rank (see :func:`.ranking.assign_awards`), only on the final standings.
* Award points for enterprise tables: the competition's first award 3, second 2, third 1,
  any further award 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from .model import Competition
from .ranking import RankedRow, ScoredEntry, assign_awards, entry_score, rank

AWARD_POINTS = {1: 3, 2: 2, 3: 1}
OTHER_AWARD_POINTS = 1


@dataclass(frozen=True, slots=True)
class EntryScore:
    """An entry's score and its aggregate on the competition's first criterion."""

    score: float
    first_criterion: float


def score_of(
    competition: Competition, marks: Mapping[str, Mapping[str, float]]
) -> EntryScore | None:
    """The entry's score from its judges' marks; ``None`` while no judge has marked it."""
    if not marks:
        return None
    score, aggregates = entry_score(competition.criteria, marks, competition.aggregation)
    return EntryScore(score, aggregates[competition.criteria[0].code])


def scored(
    entry_id: str, enterprise_id: str, registered_at: datetime, score: EntryScore
) -> ScoredEntry:
    return ScoredEntry(entry_id, enterprise_id, score.score, score.first_criterion, registered_at)


def standings(
    competition: Competition, entries: Iterable[ScoredEntry], final: bool
) -> list[RankedRow]:
    """Rank by the competition's tie-breaks; hand out its awards only when ``final``."""
    rows = rank(entries, competition.tie_breaks)
    return assign_awards(rows, competition.awards) if final else rows


def award_order(competition: Competition, award: str) -> int:
    """1 for the competition's best award, 2 for the next, ...; ``ValueError`` if unknown."""
    for position, candidate in enumerate(competition.awards, start=1):
        if candidate.name == award:
            return position
    raise ValueError(f"{award!r} is not an award of competition {competition.id}.")


def award_points(order: int) -> int:
    """Points an enterprise earns for an award of that order (see the module docstring)."""
    return AWARD_POINTS.get(order, OTHER_AWARD_POINTS)
