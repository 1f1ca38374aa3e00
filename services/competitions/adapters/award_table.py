"""The enterprises of a year ranked by award points (read model ``award_tally``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.competitions.adapters.read_tables import AwardTallyRow, EnterpriseReplica


def enterprise_standings(session: Session, year: int) -> list[dict[str, Any]]:
    """Every enterprise with an award that year, by points; equal points share a rank."""
    tally = AwardTallyRow
    points = func.sum(tally.points).label("points")
    query = (
        select(
            tally.enterprise_id,
            points,
            func.count().label("awards"),
            EnterpriseReplica.name,
            EnterpriseReplica.region_code,
        )
        .join(EnterpriseReplica, EnterpriseReplica.id == tally.enterprise_id, isouter=True)
        .where(tally.year == year)
        .group_by(tally.enterprise_id, EnterpriseReplica.name, EnterpriseReplica.region_code)
        .order_by(points.desc(), tally.enterprise_id)
    )
    standings: list[dict[str, Any]] = []
    for position, row in enumerate(session.execute(query), start=1):
        tied = standings and standings[-1]["points"] == row.points
        standings.append(
            {
                "rank": standings[-1]["rank"] if tied else position,
                "enterprise_id": row.enterprise_id,
                "name": row.name,
                "region_code": row.region_code,
                "points": int(row.points),
                "awards": row.awards,
            }
        )
    return standings
