"""Assessors and their authorisations: admins add, list and end them; an assessor may read
their own record (another assessor's is a 404)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from sqlalchemy import select

from services.certification import commands
from services.certification.adapters.history import authorisations_of
from services.certification.adapters.orm import Assessor, AssessorAuthorisation, db
from services.certification.adapters.repository import in_force
from services.certification.api.assessment_schemas import (
    AssessorIn,
    AssessorOut,
    AuthorisationIn,
    AuthorisationOut,
    EndAuthorisationIn,
)
from shared.auth import current_principal, requires
from shared.clock import shanghai_date
from shared.errors import NotFound
from shared.handling import command_from
from shared.http import PageQuery, page_of, paginate
from shared.http.parser import Blueprint
from shared.runtime import execute, runtime_of

blp = Blueprint(
    "assessors",
    __name__,
    description="Assessors and their authorisations (occupation, levels, validity), "
    "looked up at every assessment.",
)


def _today() -> Any:
    return shanghai_date(runtime_of(current_app).now())


def authorisation_view(row: AssessorAuthorisation) -> dict[str, Any]:
    return {
        "id": row.id,
        "occupation_code": row.occupation_code,
        "levels": list(row.levels),
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "ended_on": row.ended_on,
        "in_force": in_force(row, _today()),
    }


def assessor_view(assessor: Assessor, rows: list[AssessorAuthorisation]) -> dict[str, Any]:
    return {
        "id": assessor.id,
        "name": assessor.name,
        "created_at": assessor.created_at,
        "authorisations": [authorisation_view(row) for row in rows],
    }


def _visible_assessor(assessor_id: str) -> Assessor:
    principal = current_principal()
    assessor = db.session.get(Assessor, assessor_id)
    if assessor is None or principal.role == "assessor" and principal.assessor_id != assessor_id:
        raise NotFound.of("assessor")
    return assessor


@blp.route("/assessors")
class Assessors(MethodView):
    @requires("admin")
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(AssessorOut))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Every assessor with their authorisations, by name."""
        stmt = select(Assessor).order_by(Assessor.name, Assessor.id)
        page = paginate(db.session, stmt, query["page"], query["per_page"])
        held = authorisations_of(db.session, [assessor.id for assessor in page["items"]])
        page["items"] = [assessor_view(a, held[a.id]) for a in page["items"]]
        return page

    @requires("admin")
    @blp.arguments(AssessorIn)
    @blp.response(201, AssessorOut)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Add an assessor with their first authorisations (each gets its own id)."""
        assessor, rows = execute(command_from(body, commands.AddAssessor))
        return assessor_view(assessor, rows)


@blp.route("/assessors/<assessor_id>")
class AssessorById(MethodView):
    @requires("admin", "assessor")
    @blp.response(200, AssessorOut)
    def get(self, assessor_id: str) -> dict[str, Any]:
        """One assessor; an assessor may read their own record."""
        assessor = _visible_assessor(assessor_id)
        return assessor_view(assessor, authorisations_of(db.session, [assessor.id])[assessor.id])


@blp.route("/assessors/<assessor_id>/authorisations", methods=["POST"])
@requires("admin")
@blp.arguments(AuthorisationIn)
@blp.response(201, AuthorisationOut)
def add_authorisation(new: commands.NewAuthorisation, assessor_id: str) -> dict[str, Any]:
    """Add an authorisation to an assessor."""
    row = execute(commands.AddAuthorisation(assessor_id, new))
    return authorisation_view(row)


@blp.route("/assessors/<assessor_id>/authorisations/<authorisation_id>/end", methods=["POST"])
@requires("admin")
@blp.arguments(EndAuthorisationIn, required=False)  # no body: ended today
@blp.response(200, AuthorisationOut)
def end_authorisation(body: dict[str, Any], assessor_id: str, authorisation_id: str) -> Any:
    """End an authorisation on ``ended_on`` (default today): from that day it covers nothing.
    Ending one twice is a 409."""
    ids = {"assessor_id": assessor_id, "authorisation_id": authorisation_id}
    row = execute(command_from(body, commands.EndAuthorisation, **ids))
    return authorisation_view(row)
