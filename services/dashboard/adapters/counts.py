"""The counts behind the targets, read from the facts: now (a :class:`Tally`) and month by month.

Every count is defined once, as the rows of the facts it counts (:class:`Rows`): each row names
the thing it is about, the county it is counted in and the date it began to count (``None``: it
counts in every month). A count is either the number of rows or the number of distinct things
among them; the definitions are the source services' own, so that each target equals the field
its source reports (the table is in ``README.md``):

- coverage (the year's competitions, over the registry's active records, as the competitions
  service's ``GET /coverage`` counts it): active enterprises, and active enterprises with a
  registered entry (from their first entry's registration); active workers, and active workers
  named in a registered entry; person-times, every worker of every registered entry, beside;
- promotions of the year (certification's ``promotions.total``): every promotion dated in the
  year, in the county it names; the distinct workers promoted beside;
- everything dated up to the end of the year (certification's ``municipal_studios``,
  ``skill_leaders``, ``trained_workers_to_date``, ``trained_migrant_workers_to_date``):
  municipal studios approved; workers designated skill leaders; workers with a completed
  training; workers with a completed training flagged migrant (each worker once);
- unions (the registry's ``GET /stats``, over active workers of active enterprises):
  enterprises with a union (from its founding date), union members (from the date they joined).

A distinct count is distinct within what is asked: a worker trained in two counties is one
worker for the city and one in each of the two counties, as certification counts them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Select, cast, distinct, extract, func, null, select
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
from services.dashboard.domain.targets import Target, counted_until

ALWAYS = cast(null(), Date)


@dataclass(frozen=True)
class Rows:
    """The rows of a count: ``select(thing, county, on)``; counted as rows, or as the distinct
    things among them (a thing with several rows counts from its earliest ``on``)."""

    query: Select[Any]
    distinct: bool = False


def _rows(thing: Any, county: Any, on: Any) -> Select[Any]:
    return select(thing.label("thing"), county.label("county"), on.label("on"))


def definitions(year: int) -> dict[str, Rows]:
    """``{count name: rows}`` for ``year``."""
    until = counted_until(year)
    enterprise, worker, entry, named = EnterpriseFact, WorkerFact, EntryFact, EntryWorkerFact
    promoted, studio, leader, trained = PromotionFact, StudioFact, SkillLeaderFact, TrainingFact
    registered = (entry.year == year, entry.registered.is_(True))
    active_enterprises = Rows(
        _rows(enterprise.id, enterprise.county_code, ALWAYS).where(enterprise.active.is_(True))
    )
    trainings = _rows(trained.worker_id, trained.county_code, trained.completed_on).where(
        trained.completed_on < until
    )
    promotions = _rows(promoted.worker_id, promoted.county_code, promoted.promoted_on).where(
        promoted.year == year
    )
    return {
        "enterprises_total": active_enterprises,
        "enterprises_participating": Rows(
            _rows(enterprise.id, enterprise.county_code, entry.registered_on)
            .join(entry, entry.enterprise_id == enterprise.id)
            .where(enterprise.active.is_(True), *registered),
            distinct=True,
        ),
        "workers_total": Rows(
            _rows(worker.id, worker.county_code, ALWAYS).where(worker.active.is_(True))
        ),
        "workers_participating": Rows(
            _rows(worker.id, worker.county_code, entry.registered_on)
            .select_from(named)
            .join(entry, entry.id == named.entry_id)
            .join(worker, worker.id == named.worker_id)
            .where(worker.active.is_(True), *registered),
            distinct=True,
        ),
        "person_times": Rows(
            _rows(named.worker_id, worker.county_code, entry.registered_on)
            .select_from(named)
            .join(entry, entry.id == named.entry_id)
            .join(worker, worker.id == named.worker_id, isouter=True)
            .where(*registered)
        ),
        "promotions": Rows(promotions),
        "workers_promoted": Rows(promotions, distinct=True),
        "municipal_studios": Rows(
            _rows(studio.id, studio.county_code, studio.approved_on).where(
                studio.level == "municipal", studio.approved_on < until
            )
        ),
        "skill_leaders": Rows(
            _rows(leader.worker_id, leader.county_code, leader.designated_on).where(
                leader.designated_on < until
            ),
            distinct=True,
        ),
        "workers_trained": Rows(trainings, distinct=True),
        "migrant_workers_trained": Rows(
            trainings.where(trained.is_migrant.is_(True)), distinct=True
        ),
        "enterprises": active_enterprises,
        "enterprises_with_union": Rows(
            _rows(enterprise.id, enterprise.county_code, enterprise.union_founded_on).where(
                enterprise.active.is_(True), enterprise.has_union.is_(True)
            )
        ),
        "workers": Rows(
            _rows(worker.id, enterprise.county_code, ALWAYS)
            .select_from(worker)
            .join(enterprise, enterprise.id == worker.enterprise_id)
            .where(worker.active.is_(True), enterprise.active.is_(True))
        ),
        "union_members": Rows(
            _rows(worker.id, enterprise.county_code, worker.union_joined_on)
            .select_from(worker)
            .join(enterprise, enterprise.id == worker.enterprise_id)
            .where(
                worker.active.is_(True),
                enterprise.active.is_(True),
                worker.is_union_member.is_(True),
            )
        ),
    }


def _measure(rows: Rows, counted: Any) -> Any:
    return func.count(distinct(counted.c.thing)) if rows.distinct else func.count()


def _count(session: Session, rows: Rows) -> tuple[int, list[tuple[str | None, int]]]:
    """The count city-wide and by county (``None``: rows naming no county)."""
    counted = rows.query.subquery()
    measure = _measure(rows, counted)
    by_county = [
        (county, int(n))
        for county, n in session.execute(
            select(counted.c.county, measure).group_by(counted.c.county)
        )
    ]
    if rows.distinct:  # a thing in two counties is one for the city
        total = int(session.execute(select(measure)).scalar_one())
    else:
        total = sum(n for _, n in by_county)
    return total, by_county


def tally(session: Session, year: int) -> Tally:
    """Every count of ``year``, city-wide and by county."""
    total: dict[str, int] = {}
    by_county: dict[str, dict[str, int]] = defaultdict(dict)
    answered: dict[int, tuple[int, list[tuple[str | None, int]]]] = {}  # one read per definition
    for name, rows in definitions(year).items():
        if id(rows) not in answered:
            answered[id(rows)] = _count(session, rows)
        total[name], counties = answered[id(rows)]
        for county, count in counties:
            if county is not None:
                by_county[county][name] = count
    return Tally(total, dict(by_county))


def monthly(
    session: Session, target: Target, year: int, region: str | None
) -> list[dict[str, int]]:
    """The counts of ``target`` as they stood at the end of each month of ``year``."""
    names = [target.part, *([target.whole] if target.whole else [])]
    every = definitions(year)
    months: list[dict[str, int]] = [{} for _ in range(12)]
    for name in names:
        for month, count in enumerate(_by_month_end(session, every[name], year, region)):
            months[month][name] = count
    return months


def _by_month_end(session: Session, rows: Rows, year: int, region: str | None) -> list[int]:
    counted = rows.query.subquery()
    kept = [counted.c.county == region] if region is not None else []
    if rows.distinct:  # each thing from its earliest row
        began = select(func.min(counted.c.on).label("on")).where(*kept).group_by(counted.c.thing)
    else:
        began = select(counted.c.on).where(*kept)
    counted = began.subquery()
    began_year, began_month = extract("year", counted.c.on), extract("month", counted.c.on)
    query = select(began_year, began_month, func.count()).group_by(began_year, began_month)
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
