"""Regions: Jiaxing, its seven counties, and the towns and villages added below them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.registry.adapters.orm import Region, db
from services.registry.api.schemas import RegionIn, RegionOut, RegionQuery
from services.registry.commands import AddRegion
from shared.auth import requires
from shared.handling import command_from
from shared.http import page_of, paginate
from shared.http.parser import Blueprint
from shared.runtime import execute

blp = Blueprint("regions", __name__, description="Jiaxing's regions: city, counties, towns")


@blp.route("/regions", methods=["GET"])
@requires()
@blp.arguments(RegionQuery, location="query")
@blp.response(200, page_of(RegionOut))
def list_regions(query: dict[str, Any]) -> Any:
    """Regions in code order (a county, then its towns and their villages), paged like every
    list; filtered by parent, level or a fragment of the name."""
    regions = select(Region).order_by(Region.code)
    if "parent_code" in query:
        regions = regions.where(Region.parent_code == query["parent_code"])
    if "level" in query:
        regions = regions.where(Region.level == query["level"])
    if query.get("q"):
        regions = regions.where(Region.name.contains(query["q"], autoescape=True))
    return paginate(db.session, regions, query["page"], query["per_page"])


@blp.route("/regions", methods=["POST"])
@requires("admin")
@blp.arguments(RegionIn)
@blp.response(201, RegionOut)
def create_region(region: dict[str, Any]) -> Any:
    return execute(command_from(region, AddRegion))
