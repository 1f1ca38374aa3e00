"""Regions: Jiaxing, its seven counties, and the towns and villages added below them."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from sqlalchemy import select

from services.registry.adapters.orm import Region, db
from services.registry.api.schemas import RegionIn, RegionOut
from services.registry.commands import AddRegion
from shared.auth import requires
from shared.runtime import execute

blp = Blueprint("regions", __name__, description="Jiaxing's regions: city, counties, towns")


@blp.route("/regions", methods=["GET"])
@requires()
@blp.response(200, RegionOut(many=True))
def list_regions() -> Any:
    return db.session.scalars(select(Region).order_by(Region.code)).all()


@blp.route("/regions", methods=["POST"])
@requires("admin")
@blp.arguments(RegionIn)
@blp.response(201, RegionOut)
def create_region(region: dict[str, Any]) -> Any:
    return execute(AddRegion(**region))
