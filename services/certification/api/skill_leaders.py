"""Skill leaders (技能带头人), designated by an admin once per worker and occupation."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from services.certification import commands
from services.certification.adapters.orm import SkillLeader, db
from services.certification.api.recognition_schemas import (
    SkillLeaderIn,
    SkillLeaderOut,
    SkillLeaderQuery,
)
from shared.auth import requires
from shared.handling import command_from
from shared.http import page_of, paginate
from shared.http.parser import Blueprint
from shared.runtime import execute

blp = Blueprint(
    "skill_leaders", __name__, description="Skill leaders, designated once per occupation."
)


@blp.route("/skill-leaders")
class SkillLeaders(MethodView):
    @requires("admin")
    @blp.arguments(SkillLeaderIn)
    @blp.response(201, SkillLeaderOut)
    def post(self, body: dict[str, Any]) -> SkillLeader:
        """Designate an active worker a skill leader in an occupation, today (a second time
        is a 409); ``skill_leader.designated`` follows."""
        return execute(command_from(body, commands.DesignateSkillLeader))

    @requires("admin")
    @blp.arguments(SkillLeaderQuery, location="query")
    @blp.response(200, page_of(SkillLeaderOut))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Skill leaders, most recently designated first."""
        stmt = select(SkillLeader)
        for name in ("worker_id", "enterprise_id", "occupation_code"):
            if query.get(name):
                stmt = stmt.where(getattr(SkillLeader, name) == query[name])
        stmt = stmt.order_by(SkillLeader.designated_on.desc(), SkillLeader.id)
        return paginate(db.session, stmt, query["page"], query["per_page"])
