"""Union formation and membership, over active enterprises and workers, by county."""

from __future__ import annotations

from typing import Any

from services.registry.adapters.orm import db
from services.registry.api.schemas import StatsOut
from services.registry.queries import union_statistics
from shared.auth import requires
from shared.http.parser import Blueprint
from shared.kept_answers import kept_until_changed

blp = Blueprint("stats", __name__, description="Union statistics")


@blp.route("/stats", methods=["GET"])
@requires()
@kept_until_changed
@blp.response(200, StatsOut)
def stats() -> Any:
    """Counts and rates (0..1, null when there is nothing to count) for Jiaxing and by county."""
    return union_statistics(db.session)
