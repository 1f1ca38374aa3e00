"""Coverage of a year's competitions over the registry's active enterprises and workers.

Participating: distinct active enterprises and distinct active workers with a registered (not
withdrawn) entry in a competition of that ``year``. Person-times (人次) count every worker in
every such entry, reported beside the distinct counts and never mixed into them. Each count is
broken down by county (the first six digits of the region code; Jiaxing's counties are
``shared.regions``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from services.competitions.adapters.orm import CompetitionRow, EntryRow, EntryWorkerRow
from services.competitions.adapters.read_tables import EnterpriseReplica, WorkerReplica
from services.competitions.adapters.repository import REGISTERED
from shared.regions import COUNTIES

COUNTS = (
    "enterprises_total",
    "enterprises_participating",
    "workers_total",
    "workers_participating",
    "person_times",
)


def _county(column: Any) -> Any:
    return func.substr(column, 1, 6)


def _by_county(session: Session, query: Select[Any]) -> dict[str | None, int]:
    return {county: count for county, count in session.execute(query)}


def _queries(year: int) -> dict[str, Select[Any]]:
    enterprise, worker = EnterpriseReplica, WorkerReplica
    entered = (
        select(EntryRow.enterprise_id)
        .join(CompetitionRow, CompetitionRow.id == EntryRow.competition_id)
        .where(CompetitionRow.year == year, EntryRow.status == REGISTERED)
    )
    in_year = (
        select(EntryWorkerRow.worker_id, EntryWorkerRow.competition_id)
        .join(CompetitionRow, CompetitionRow.id == EntryWorkerRow.competition_id)
        .where(CompetitionRow.year == year)
        .subquery()
    )
    county_e, county_w = _county(enterprise.region_code), _county(worker.region_code)
    return {
        "enterprises_total": select(county_e, func.count())
        .where(enterprise.active.is_(True))
        .group_by(county_e),
        "enterprises_participating": select(county_e, func.count())
        .where(enterprise.active.is_(True), enterprise.id.in_(entered))
        .group_by(county_e),
        "workers_total": select(county_w, func.count())
        .where(worker.active.is_(True))
        .group_by(county_w),
        "workers_participating": select(county_w, func.count(distinct(in_year.c.worker_id)))
        .join(worker, worker.id == in_year.c.worker_id)
        .where(worker.active.is_(True))
        .group_by(county_w),
        "person_times": select(county_w, func.count())
        .select_from(in_year)
        .join(worker, worker.id == in_year.c.worker_id, isouter=True)
        .group_by(county_w),
    }


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _with_ratios(counts: dict[str, int]) -> dict[str, Any]:
    return {
        **counts,
        "enterprise_coverage": _ratio(
            counts["enterprises_participating"], counts["enterprises_total"]
        ),
        "worker_participation": _ratio(counts["workers_participating"], counts["workers_total"]),
    }


def coverage(session: Session, year: int) -> dict[str, Any]:
    """The year's coverage, totals and ``by_region`` (every county of Jiaxing, and any other
    region that has records)."""
    by_county: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    totals = dict.fromkeys(COUNTS, 0)
    for name, query in _queries(year).items():
        for county, count in _by_county(session, query).items():
            totals[name] += count
            if county is not None:
                by_county[county][name] = count
    regions = sorted(set(COUNTIES) | set(by_county))
    by_region = [
        {"region_code": code, "name": COUNTIES.get(code), **_with_ratios(by_county[code])}
        for code in regions
    ]
    return {"year": year, **_with_ratios(totals), "by_region": by_region}


def county_standings(session: Session, year: int) -> list[dict[str, Any]]:
    """Counties by participation: worker participation, then enterprise coverage, then
    person-times; equal counties share a rank (1, 2, 2, 4)."""
    regions = [r for r in coverage(session, year)["by_region"] if r["region_code"] in COUNTIES]

    def key(region: dict[str, Any]) -> tuple[float, float, int]:
        return (
            -region["worker_participation"],
            -region["enterprise_coverage"],
            -region["person_times"],
        )

    regions.sort(key=lambda region: (key(region), region["region_code"]))
    ranked: list[dict[str, Any]] = []
    for position, region in enumerate(regions, start=1):
        tied = ranked and key(ranked[-1]) == key(region)
        ranked.append({**region, "rank": ranked[-1]["rank"] if tied else position})
    return ranked
