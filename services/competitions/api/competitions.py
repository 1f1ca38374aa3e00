"""Competitions: create, list, read, move along draft → open → closed → published; judges."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from sqlalchemy import select

from services.competitions import commands
from services.competitions.adapters.orm import CompetitionRow, JudgeRow, db
from services.competitions.adapters.repository import get_competition
from services.competitions.api.schemas import (
    CompetitionIn,
    CompetitionOut,
    CompetitionPatch,
    JudgeIn,
    JudgeOut,
    PublishQuery,
)
from services.competitions.api.search_schemas import CompetitionSearchQuery
from services.competitions.domain import errors
from services.competitions.domain.model import Action
from shared.auth import requires
from shared.handling import command_from
from shared.http import PageQuery, page_of, paginate, problem_response
from shared.http.parser import Blueprint
from shared.runtime import execute

blp = Blueprint(
    "competitions",
    __name__,
    description="Labour competitions from draft to published results, and their judges.",
)
FILTERS = ("year", "kind", "level", "status", "region_code")


@blp.route("/competitions")
class Competitions(MethodView):
    @requires("admin")
    @blp.arguments(CompetitionIn)
    @blp.response(201, CompetitionOut)
    def post(self, spec: dict[str, Any]) -> CompetitionRow:
        """Create a competition (status draft)."""
        return execute(commands.CreateCompetition(spec))

    @requires()
    @blp.arguments(CompetitionSearchQuery, location="query")
    @blp.response(200, page_of(CompetitionOut))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List competitions, newest first; filter by year, kind, level, status, region; search
        by title (``q``: every word of it in the title)."""
        stmt = select(CompetitionRow).order_by(CompetitionRow.created_at.desc(), CompetitionRow.id)
        for name in FILTERS:
            if query.get(name) is not None:
                stmt = stmt.where(getattr(CompetitionRow, name) == query[name])
        for word in (query.get("q") or "").split():
            stmt = stmt.where(CompetitionRow.title.icontains(word, autoescape=True))
        return paginate(db.session, stmt, query["page"], query["per_page"])


@blp.route("/competitions/<competition_id>")
class Competition(MethodView):
    @requires()
    @blp.response(200, CompetitionOut)
    def get(self, competition_id: str) -> CompetitionRow:
        """One competition."""
        return get_competition(db.session, competition_id)

    @requires("admin")
    @blp.arguments(CompetitionPatch)
    @blp.response(200, CompetitionOut)
    def patch(self, changes: dict[str, Any], competition_id: str) -> CompetitionRow:
        """Edit a draft: any fields of a new competition's, checked the same way (with the
        rest); ``not_a_draft`` once it has opened."""
        return execute(commands.EditCompetition(competition_id, changes))


def _move(action: Action) -> Any:
    @requires("admin")
    @blp.response(200, CompetitionOut)
    def move(competition_id: str) -> CompetitionRow:
        return execute(commands.MoveCompetition(competition_id, action))

    move.__name__ = f"{action.value}_competition"
    move.__doc__ = {
        Action.OPEN: "Open registration (draft → open).",
        Action.CLOSE: "Close registration and start judging (open → closed).",
    }[action]
    return move


for _action in (Action.OPEN, Action.CLOSE):
    blp.route(f"/competitions/<competition_id>/{_action.value}", methods=["POST"])(_move(_action))


@blp.route("/competitions/<competition_id>/publish", methods=["POST"])
@requires("admin")
@blp.arguments(PublishQuery, location="query")
@blp.response(200, CompetitionOut)
def publish_competition(query: dict[str, Any], competition_id: str) -> CompetitionRow:
    """Publish the final results and awards (closed → published). Refused with
    ``publication_incomplete`` (409, naming them) while an assigned judge marked nothing or a
    registered entry has no marks, unless ``force=true``."""
    return execute(commands.PublishResults(competition_id, force=query["force"]))


@blp.errorhandler(errors.PublicationIncomplete)
def _publication_incomplete(error: errors.PublicationIncomplete) -> Response:
    """The kernel's problem, with the judges and entries as extension members too."""
    return problem_response(
        error.status,
        error.detail,
        title=error.title,
        errors=error.errors,
        extra={
            "rule": error.rule,
            "idle_judges": list(error.judges),
            "unmarked_entries": list(error.entries),
        },
        type=error.type_uri(),
    )


@blp.route("/competitions/<competition_id>/judges")
class Judges(MethodView):
    @requires("admin")
    @blp.arguments(JudgeIn)
    @blp.response(201, JudgeOut)
    def post(self, judge: dict[str, Any], competition_id: str) -> JudgeRow:
        """Assign a judge (``enterprise_id``: the judge's own enterprise, or null)."""
        return execute(command_from(judge, commands.AssignJudge, competition_id=competition_id))

    @requires("admin")
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(JudgeOut))
    def get(self, query: dict[str, Any], competition_id: str) -> dict[str, Any]:
        """The competition's judges."""
        get_competition(db.session, competition_id)
        stmt = (
            select(JudgeRow)
            .where(JudgeRow.competition_id == competition_id)
            .order_by(JudgeRow.assigned_at, JudgeRow.judge_id)
        )
        return paginate(db.session, stmt, query["page"], query["per_page"])


@blp.route("/competitions/<competition_id>/judges/<judge_id>")
class Judge(MethodView):
    @requires("admin")
    @blp.response(204)
    def delete(self, competition_id: str, judge_id: str) -> None:
        """Remove a judge: refused with ``judge_has_marks`` once they marked an entry, and with
        ``results_published`` once the results are published."""
        execute(commands.RemoveJudge(competition_id, judge_id))
