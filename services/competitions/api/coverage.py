"""Coverage of the year's labour competitions (a target of the five-year plan)."""

from __future__ import annotations

from typing import Any

from services.competitions.adapters.coverage import coverage
from services.competitions.adapters.orm import db
from services.competitions.api.coverage_schemas import CoverageOut, YearQuery
from shared.auth import requires
from shared.http.parser import Blueprint

blp = Blueprint("coverage", __name__, description="Enterprise coverage and worker participation.")


@blp.route("/coverage")
@requires()
@blp.arguments(YearQuery, location="query")
@blp.response(200, CoverageOut)
def read_coverage(query: dict[str, Any]) -> dict[str, Any]:
    """Distinct enterprises and workers with an entry in a competition of the year, over the
    registry's active ones; person-times beside; by county."""
    return coverage(db.session, query["year"])
