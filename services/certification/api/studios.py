"""Innovation studios: an enterprise (or an admin for it) applies, an admin approves.

Another enterprise's studio is a 404, as if it did not exist; an enterprise lists only its own.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from services.certification import commands
from services.certification.adapters.orm import Studio, db
from services.certification.api.recognition_schemas import StudioIn, StudioOut, StudioQuery
from services.certification.domain import errors
from shared.auth import current_principal, ensure_enterprise, may_see_enterprise, requires
from shared.handling import command_from
from shared.http import page_of, paginate
from shared.http.parser import Blueprint
from shared.runtime import execute

blp = Blueprint(
    "studios",
    __name__,
    description="Innovation studios (创新工作室): applications by enterprises, approval by admins.",
)


@blp.route("/studios")
class Studios(MethodView):
    @requires("admin", "enterprise")
    @blp.arguments(StudioIn)
    @blp.response(201, StudioOut)
    def post(self, body: dict[str, Any]) -> Studio:
        """Apply for a studio; its leader is an active worker of the enterprise and a model
        worker or holds level 2 or higher (else 422 with the rule)."""
        ensure_enterprise(body["enterprise_id"])
        return execute(command_from(body, commands.ApplyForStudio))

    @requires("admin", "enterprise")
    @blp.arguments(StudioQuery, location="query")
    @blp.response(200, page_of(StudioOut))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Studios, newest application first (an enterprise sees its own)."""
        stmt = select(Studio)
        own = current_principal().enterprise_id
        if own is not None:
            stmt = stmt.where(Studio.enterprise_id == own)
        for name in ("status", "level", "enterprise_id"):
            if query.get(name):
                stmt = stmt.where(getattr(Studio, name) == query[name])
        stmt = stmt.order_by(Studio.applied_at.desc(), Studio.id)
        return paginate(db.session, stmt, query["page"], query["per_page"])


@blp.route("/studios/<studio_id>")
@requires("admin", "enterprise")
@blp.response(200, StudioOut)
def read_studio(studio_id: str) -> Studio:
    """One studio (another enterprise's is a 404)."""
    studio = db.session.get(Studio, studio_id)
    if studio is None or not may_see_enterprise(studio.enterprise_id):
        raise errors.StudioNotFound()
    return studio


@blp.route("/studios/<studio_id>/approve", methods=["POST"])
@requires("admin")
@blp.response(200, StudioOut)
def approve_studio(studio_id: str) -> Studio:
    """Approve an application (once: a decided one is a 409); ``studio.approved`` follows."""
    return execute(commands.ApproveStudio(studio_id, approved_on=None))
