"""A target's answer from its counts: value, ratio to the goal, pace, and the county breakdown.

A :class:`Tally` holds the named counts behind the targets (``promotions``,
``enterprises_total``, …), city-wide and by county. A count target's value is its ``part``; a
rate's is ``100 × part / whole`` in percent, two decimals, 0 where the whole is 0. The ratio is
the value over the goal (four decimals); ``on_track`` compares the value shown with the goal
times the pace (:mod:`services.dashboard.domain.pace`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.dashboard.domain.goals import Goals
from services.dashboard.domain.pace import expected, month_pace, on_track, pace_of
from services.dashboard.domain.targets import Kind, PlanSpan, Target
from shared.regions import COUNTIES

Counts = Mapping[str, int]


@dataclass(frozen=True)
class Tally:
    """Named counts, city-wide (``total``) and by county. The city may hold what no county
    does (a fact naming no county), and a county's distinct count may also be another's (a
    worker trained in two counties is one worker for the city, one in each county)."""

    total: Counts = field(default_factory=dict)
    by_county: Mapping[str, Counts] = field(default_factory=dict)

    def of(self, region: str | None) -> Counts:
        return self.total if region is None else self.by_county.get(region, {})


def value_of(target: Target, counts: Counts) -> float:
    part = counts.get(target.part, 0)
    if target.whole is None:
        return part
    whole = counts.get(target.whole, 0)
    return round(100 * part / whole, 2) if whole else 0.0


def counts_of(target: Target, counts: Counts) -> dict[str, int]:
    """The counts a target's value is made of, and those reported beside it."""
    names = [target.part, *([target.whole] if target.whole else []), *BESIDE.get(target.key, ())]
    return {name: counts.get(name, 0) for name in names}


BESIDE: dict[str, tuple[str, ...]] = {
    "worker_participation": ("person_times",),
    "yearly_promotions": ("workers_promoted",),
}
"""Counts shown beside a target and never mixed into it (person-times, 人次; the distinct
workers behind the year's promotions)."""


@dataclass(frozen=True)
class Standing:
    """Where the year stands: the year asked for, today's date, the plan and its goals."""

    year: int
    today: date
    span: PlanSpan
    goals: Goals
    region: str | None = None


def answer(target: Target, tally: Tally, standing: Standing) -> dict[str, Any]:
    goal = standing.goals.of(target, standing.region)
    counts = tally.of(standing.region)
    current = value_of(target, counts)
    pace = pace_of(target.kind, standing.span, standing.year, standing.today)
    return {
        "key": target.key,
        "label": target.label,
        "label_en": target.label_en,
        "kind": target.kind.value,
        "cumulative": target.kind is Kind.CUMULATIVE,
        "unit": target.unit,
        "goal": goal,
        "current": current,
        "ratio": None if goal is None else round(current / goal, 4),
        "pace": None if pace is None else round(pace, 4),
        "expected": None if goal is None else round(expected(goal, pace), 2),
        "on_track": on_track(current, goal, pace),
        "counts": counts_of(target, counts),
        "by_region": _by_region(target, tally, standing.region),
    }


def _by_region(target: Target, tally: Tally, region: str | None) -> dict[str, float]:
    if region is not None:
        return {region: value_of(target, tally.of(region))}
    codes = sorted(set(COUNTIES) | set(tally.by_county))
    return {code: value_of(target, tally.by_county.get(code, {})) for code in codes}


def history(target: Target, monthly: Sequence[Counts], standing: Standing) -> list[dict[str, Any]]:
    """The twelve months of ``standing.year``: the value at each month's end (None for a month
    not yet begun) beside the pace line's value there."""
    goal = standing.goals.of(target, standing.region)
    points = []
    for month, counts in enumerate(monthly, start=1):
        begun = date(standing.year, month, 1) <= standing.today
        pace = month_pace(target.kind, standing.span, standing.year, month)
        points.append(
            {
                "month": month,
                "period": f"{standing.year}-{month:02d}",
                "value": value_of(target, counts) if begun else None,
                "expected": None if goal is None else round(expected(goal, pace), 2),
            }
        )
    return points
