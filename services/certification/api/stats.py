"""The counts the plan sets targets for, from the service's read models (see
:mod:`services.certification.adapters.counts` for what is of the year and what is to date)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, fields, validate

from services.certification.adapters.counts import stats
from services.certification.adapters.orm import db
from shared.auth import requires
from shared.clock import shanghai_date
from shared.http import Pattern
from shared.http.parser import Blueprint
from shared.regions import COUNTIES, JIAXING
from shared.runtime import runtime_of

blp = Blueprint("stats", __name__, description="Promotions, studios, leaders and trainings.")

IN_JIAXING = Pattern(
    f"^({JIAXING}|({'|'.join(COUNTIES)})([0-9]{{3}}){{0,2}})$",
    error="A region code of Jiaxing: 330400 or one of its counties.",
)
"""The city, or a county of it (6 digits), or a town (9) or village (12) in a county: counted
as the county (``shared.regions.in_jiaxing``, stated as a pattern)."""


class StatsQuery(Schema):
    year = fields.Integer(
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "default: the current year in Asia/Shanghai"},
    )
    region_code = fields.String(
        validate=IN_JIAXING,
        metadata={
            "description": "the city (330400, the default) or a county of it; a town or "
            "village in a county counts as the county"
        },
    )


class PromotionCounts(Schema):
    total = fields.Integer()
    by_level = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_region = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_route = fields.Dict(keys=fields.String(), values=fields.Integer())


class CountyCounts(Schema):
    promotions = fields.Integer()
    municipal_studios = fields.Integer()
    municipal_studios_in_year = fields.Integer()
    skill_leaders = fields.Integer()
    skill_leaders_in_year = fields.Integer()
    trained_workers = fields.Integer()
    trained_migrant_workers = fields.Integer()
    trained_workers_to_date = fields.Integer()
    trained_migrant_workers_to_date = fields.Integer()


class StatsOut(Schema):
    year = fields.Integer()
    region_code = fields.String()
    promotions = fields.Nested(PromotionCounts, metadata={"description": "of the year"})
    municipal_studios = fields.Integer(metadata={"description": "approved to the year's end"})
    municipal_studios_in_year = fields.Integer()
    skill_leaders = fields.Integer(metadata={"description": "designated to the year's end"})
    skill_leaders_in_year = fields.Integer()
    trained_workers = fields.Integer(metadata={"description": "distinct workers, of the year"})
    trained_migrant_workers = fields.Integer(metadata={"description": "of the year"})
    trained_workers_to_date = fields.Integer(metadata={"description": "to the year's end"})
    trained_migrant_workers_to_date = fields.Integer()
    by_region = fields.Dict(keys=fields.String(), values=fields.Nested(CountyCounts))


@blp.route("/stats")
@requires()
@blp.arguments(StatsQuery, location="query")
@blp.response(200, StatsOut)
def read_stats(query: dict[str, Any]) -> dict[str, Any]:
    """Promotions of the year (by level, county and route), municipal studios and skill
    leaders (to date and of the year), workers and migrant workers trained (of the year and to
    date), by the fact's own date in Asia/Shanghai, with a breakdown by county."""
    year = query.get("year") or shanghai_date(runtime_of(current_app).now()).year
    return stats(db.session, year, query.get("region_code"))
