"""The answers the API and the stream give: the targets of a year, a target's monthly series.

The targets of (year, county, day) at a version of the read side are computed once and shared
(:class:`~services.dashboard.config.AnswerCache`); ``as_of`` is the moment of each answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from services.dashboard.adapters.counts import monthly, tally
from services.dashboard.adapters.version import read_version
from services.dashboard.config import DashboardConfig
from services.dashboard.domain.answer import Standing, answer, history
from services.dashboard.domain.targets import TARGETS, Target
from shared.clock import iso, shanghai_date
from shared.regions import JIAXING


def standing_of(config: DashboardConfig, year: int, region: str | None, now: datetime) -> Standing:
    return Standing(year, shanghai_date(now), config.span, config.goals, region)


def targets_of(
    session: Session, config: DashboardConfig, year: int, region: str | None, now: datetime
) -> dict[str, Any]:
    standing = standing_of(config, year, region, now)
    version = read_version(session)

    def compute() -> list[dict[str, Any]]:
        counted = tally(session, year)
        return [answer(target, counted, standing) for target in TARGETS]

    targets = config.answers.get((year, region, standing.today, version), compute)
    return {
        "year": year,
        "region_code": region or JIAXING,
        "as_of": iso(now),
        "version": version,
        "plan": {"first_year": config.span.first_year, "last_year": config.span.last_year},
        "targets": targets,
    }


def history_of(
    session: Session,
    config: DashboardConfig,
    target: Target,
    year: int,
    region: str | None,
    now: datetime,
) -> dict[str, Any]:
    standing = standing_of(config, year, region, now)
    points = history(target, monthly(session, target, year, region), standing)
    return {
        "key": target.key,
        "label": target.label,
        "label_en": target.label_en,
        "kind": target.kind.value,
        "unit": target.unit,
        "year": year,
        "region_code": region or JIAXING,
        "as_of": iso(now),
        "goal": config.goals.of(target, region),
        "points": points,
    }
