"""Trainings, recorded by an admin or the worker's own enterprise (another's worker is a 404)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from services.certification import commands
from services.certification.adapters.orm import Training, db
from services.certification.api.recognition_schemas import TrainingIn, TrainingOut, TrainingQuery
from shared.auth import current_principal, requires
from shared.handling import command_from
from shared.http import page_of, paginate
from shared.http.parser import Blueprint
from shared.runtime import execute

blp = Blueprint("trainings", __name__, description="Trainings completed by workers.")


@blp.route("/trainings")
class Trainings(MethodView):
    @requires("admin", "enterprise")
    @blp.arguments(TrainingIn)
    @blp.response(201, TrainingOut)
    def post(self, body: dict[str, Any]) -> Training:
        """Record a completed training of an active worker (not dated in the future);
        ``training.completed`` follows, with the worker's county and migrant flag."""
        acting = current_principal().enterprise_id
        return execute(command_from(body, commands.RecordTraining, acting_enterprise_id=acting))

    @requires("admin", "enterprise")
    @blp.arguments(TrainingQuery, location="query")
    @blp.response(200, page_of(TrainingOut))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Trainings, most recently completed first (an enterprise sees its own workers')."""
        stmt = select(Training)
        own = current_principal().enterprise_id
        if own is not None:
            stmt = stmt.where(Training.enterprise_id == own)
        for name in ("worker_id", "enterprise_id"):
            if query.get(name):
                stmt = stmt.where(getattr(Training, name) == query[name])
        if query.get("year"):
            year = query["year"]
            stmt = stmt.where(Training.completed_on.between(date(year, 1, 1), date(year, 12, 31)))
        stmt = stmt.order_by(Training.completed_on.desc(), Training.id)
        return paginate(db.session, stmt, query["page"], query["per_page"])
