"""The counts behind the targets, read from the facts: now (a :class:`Tally`) and month by month.

Every count is defined once, as the rows of the things it counts, one row per thing with the
county it is counted in and the date it began to count (``None``: it counts in every month):

- coverage (the year's competitions, over the registry's active records, as the competitions
  service counts it): active enterprises, and active enterprises with a registered entry (from
  their first entry's registration); active workers, and active workers named in a registered
  entry; person-times, every worker of every registered entry, beside;
- promotions of the year: workers promoted (once each, in the county of their first), and
  promotions beside;
- over the plan's span up to the end of the year: municipal studios approved, workers designated
  skill leaders, workers with a completed training, migrant workers with one (each worker once);
- unions (as the registry counts them, over active workers of active enterprises): enterprises
  with a union (from its founding date), union members (from the date they joined).

A thing is counted in one county only, so the counties add up to the city.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Date, Select, cast, extract, func, null, select
from sqlalchemy.orm import Session

from services.dashboard.adapters.orm import (
    EnterpriseFact,
    EntryFact,
    EntryWorkerFact,
    PromotionFact,
    SkillLeaderFact,
    StudioFact,
    TrainingFact,
    WorkerFact,
)
from services.dashboard.domain.answer import Tally
from services.dashboard.domain.targets import PlanSpan, Target

ALWAYS = cast(null(), Date)


def _rows(county: Any, on: Any) -> tuple[Any, Any]:
    return county.label("county"), on.label("on")


def _firsts(county: Any, on: Any, key: Any) -> Select[Any]:
    """One row per ``key``: the smallest county and the earliest date among its rows."""
    return select(*_rows(func.min(county), func.min(on))).group_by(key)


def definitions(year: int, span: PlanSpan) -> dict[str, Select[Any]]:
    """``{count name: rows}`` for ``year``."""
    start, until = span.window(year)
    enterprise, worker, entry, named = EnterpriseFact, WorkerFact, EntryFact, EntryWorkerFact
    registered = (entry.year == year, entry.registered.is_(True))
    promoted = PromotionFact
    trained = (TrainingFact.completed_on >= start, TrainingFact.completed_on < until)
    in_union = select(*_rows(enterprise.county_code, ALWAYS)).where(enterprise.active.is_(True))
    employed = (
        select(*_rows(enterprise.county_code, ALWAYS))
        .select_from(worker)
        .join(enterprise, enterprise.id == worker.enterprise_id)
        .where(worker.active.is_(True), enterprise.active.is_(True))
    )
    return {
        "enterprises_total": in_union,
        "enterprises_participating": _firsts(
            enterprise.county_code, entry.registered_on, enterprise.id
        )
        .join(entry, entry.enterprise_id == enterprise.id)
        .where(enterprise.active.is_(True), *registered),
        "workers_total": select(*_rows(worker.county_code, ALWAYS)).where(worker.active.is_(True)),
        "workers_participating": _firsts(worker.county_code, entry.registered_on, worker.id)
        .select_from(named)
        .join(entry, entry.id == named.entry_id)
        .join(worker, worker.id == named.worker_id)
        .where(worker.active.is_(True), *registered),
        "person_times": select(*_rows(worker.county_code, entry.registered_on))
        .select_from(named)
        .join(entry, entry.id == named.entry_id)
        .join(worker, worker.id == named.worker_id, isouter=True)
        .where(*registered),
        "workers_promoted": _firsts(
            promoted.county_code, promoted.promoted_on, promoted.worker_id
        ).where(promoted.year == year),
        "promotions": select(*_rows(promoted.county_code, promoted.promoted_on)).where(
            promoted.year == year
        ),
        "municipal_studios": select(*_rows(StudioFact.county_code, StudioFact.approved_on)).where(
            StudioFact.level == "municipal",
            StudioFact.approved_on >= start,
            StudioFact.approved_on < until,
        ),
        "skill_leaders": _firsts(
            SkillLeaderFact.county_code, SkillLeaderFact.designated_on, SkillLeaderFact.worker_id
        ).where(SkillLeaderFact.designated_on >= start, SkillLeaderFact.designated_on < until),
        "workers_trained": _firsts(
            TrainingFact.county_code, TrainingFact.completed_on, TrainingFact.worker_id
        ).where(*trained),
        "migrant_workers_trained": _firsts(
            TrainingFact.county_code, TrainingFact.completed_on, TrainingFact.worker_id
        ).where(*trained, TrainingFact.is_migrant.is_(True)),
        "enterprises": in_union,
        "enterprises_with_union": select(
            *_rows(enterprise.county_code, enterprise.union_founded_on)
        ).where(enterprise.active.is_(True), enterprise.has_union.is_(True)),
        "workers": employed,
        "union_members": select(*_rows(enterprise.county_code, worker.union_joined_on))
        .select_from(worker)
        .join(enterprise, enterprise.id == worker.enterprise_id)
        .where(
            worker.active.is_(True), enterprise.active.is_(True), worker.is_union_member.is_(True)
        ),
    }


def tally(session: Session, year: int, span: PlanSpan) -> Tally:
    """Every count of ``year``, city-wide and by county."""
    total: dict[str, int] = {}
    by_county: dict[str, dict[str, int]] = defaultdict(dict)
    answered: dict[int, list[Any]] = {}  # a definition used twice is read once
    for name, rows in definitions(year, span).items():
        if id(rows) not in answered:
            counted = rows.subquery()
            query = select(counted.c.county, func.count()).group_by(counted.c.county)
            answered[id(rows)] = list(session.execute(query))
        total[name] = 0
        for county, count in answered[id(rows)]:
            total[name] += count
            if county is not None:
                by_county[county][name] = count
    return Tally(total, dict(by_county))


def monthly(
    session: Session, target: Target, year: int, span: PlanSpan, region: str | None
) -> list[dict[str, int]]:
    """The counts of ``target`` as they stood at the end of each month of ``year``."""
    names = [target.part, *([target.whole] if target.whole else [])]
    every = definitions(year, span)
    months: list[dict[str, int]] = [{} for _ in range(12)]
    for name in names:
        for month, count in enumerate(_by_month_end(session, every[name], year, region)):
            months[month][name] = count
    return months


def _by_month_end(session: Session, rows: Select[Any], year: int, region: str | None) -> list[int]:
    counted = rows.subquery()
    began_year, began_month = extract("year", counted.c.on), extract("month", counted.c.on)
    query = select(began_year, began_month, func.count()).group_by(began_year, began_month)
    if region is not None:
        query = query.where(counted.c.county == region)
    before, added = 0, [0] * 12
    for began_in, month, count in session.execute(query):
        if began_in is None or int(began_in) < year:
            before += count
        elif int(began_in) == year:
            added[int(month) - 1] += count
    running, totals = before, []
    for count in added:
        running += count
        totals.append(running)
    return totals
