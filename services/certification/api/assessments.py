"""Assessments, recorded by an assessor within an authorisation looked up at each request.

A refusal answers with its rule and records nothing: outside the authorisation a 403; an
unknown worker a 404, a departed one a 422; a skipped level or a promotion too early a 409 that
also says ``next_level`` or ``possible_on``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask.views import MethodView

from services.certification import commands
from services.certification.adapters.orm import Assessment, db
from services.certification.api.assessment_schemas import AssessmentIn, AssessmentOut
from services.certification.domain import errors
from shared.auth import current_principal, requires
from shared.errors import NotFound
from shared.handling import command_from
from shared.http import problem_response
from shared.http.parser import Blueprint
from shared.runtime import execute

blp = Blueprint(
    "assessments",
    __name__,
    description="Skill assessments; a pass one level up, after the years, is a promotion.",
)


@blp.route("/assessments", methods=["POST"])
@requires("assessor")
@blp.arguments(AssessmentIn)
@blp.response(201, AssessmentOut)
def record(body: dict[str, Any]) -> Any:
    """Record an assessment: ``passed``, the ``promotion`` it gave (or null) and its
    ``certificate_number``. A fail is recorded too, with no promotion."""
    assessor_id = current_principal().assessor_id or ""
    row = execute(command_from(body, commands.RecordAssessment, assessor_id=assessor_id))
    return row, {"Location": url_for("assessments.AssessmentById", assessment_id=row.id)}


@blp.route("/assessments/<assessment_id>")
class AssessmentById(MethodView):
    @requires("admin", "assessor")
    @blp.response(200, AssessmentOut)
    def get(self, assessment_id: str) -> Assessment:
        """One assessment, for an admin or the assessor who recorded it."""
        principal = current_principal()
        row = db.session.get(Assessment, assessment_id)
        if row is None or principal.role == "assessor" and row.assessor_id != principal.assessor_id:
            raise NotFound.of("assessment")
        return row


def _refused_with_the_date(error: errors.LevelSkipped | errors.TooEarlyForPromotion) -> Response:
    """A refused promotion, with what makes it possible: the next level, or the date."""
    extra: dict[str, Any] = {"rule": error.rule}
    if isinstance(error, errors.TooEarlyForPromotion):
        extra["possible_on"] = error.possible_on.isoformat()
    else:
        extra["next_level"] = error.next_level
    return problem_response(
        error.status,
        error.detail,
        title=error.title,
        errors=error.errors,
        extra=extra,
        type=error.type_uri(),
    )


blp.register_error_handler(errors.TooEarlyForPromotion, _refused_with_the_date)
blp.register_error_handler(errors.LevelSkipped, _refused_with_the_date)
