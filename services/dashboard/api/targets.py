"""``GET /api/v1/targets`` and ``GET /api/v1/targets/{key}/history``: public, no token."""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import RAISE

from services.dashboard.adapters.answers import history_of, targets_of
from services.dashboard.adapters.orm import db
from services.dashboard.api.schemas import HistoryOut, TargetsOut, TargetsQuery
from services.dashboard.config import config_of
from services.dashboard.domain.targets import BY_KEY
from shared.clock import shanghai_date
from shared.errors import NotFound
from shared.http.parser import Blueprint
from shared.runtime import runtime_of

blp = Blueprint("targets", __name__, description="The five-year plan's targets, where they stand.")


def asked(query: dict[str, Any]) -> tuple[int, str | None]:
    """The year (this year in Asia/Shanghai unless given) and county (None: the city) asked."""
    year = query.get("year") or shanghai_date(runtime_of(current_app).now()).year
    return year, query.get("region_code")


@blp.route("/targets")
@blp.arguments(TargetsQuery, location="query", unknown=RAISE)
@blp.response(200, TargetsOut)
def read_targets(query: dict[str, Any]) -> dict[str, Any]:
    """Each target: its goal, where it stands, the share reached, whether it is on pace, and
    the counties. A year with no data is zeros."""
    year, region = asked(query)
    now = runtime_of(current_app).now()
    return targets_of(db.session(), config_of(current_app), year, region, now)


@blp.route("/targets/<key>/history")
@blp.arguments(TargetsQuery, location="query", unknown=RAISE)
@blp.response(200, HistoryOut)
def read_history(query: dict[str, Any], key: str) -> dict[str, Any]:
    """The twelve months of the year: the target's value at each month's end beside the pace
    line (counts of the year accumulate within it; a month not yet begun is null)."""
    target = BY_KEY.get(key)
    if target is None:
        raise NotFound(f"No target named {key!r}; the targets are {', '.join(BY_KEY)}.")
    year, region = asked(query)
    now = runtime_of(current_app).now()
    return history_of(db.session(), config_of(current_app), target, year, region, now)
