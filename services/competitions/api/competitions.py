"""Competitions: create, list, read, move along draft → open → closed → published; judges."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.competitions import commands
from services.competitions.adapters.orm import CompetitionRow, JudgeRow, db
from services.competitions.adapters.repository import get_competition
from services.competitions.api.schemas import CompetitionIn, CompetitionOut, JudgeIn, JudgeOut
from services.competitions.api.search_schemas import CompetitionSearchQuery
from services.competitions.domain.model import Action
from shared.auth import requires
from shared.http import PageQuery, page_of, paginate
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
@requires()
@blp.response(200, CompetitionOut)
def read_competition(competition_id: str) -> CompetitionRow:
    """One competition."""
    return get_competition(db.session, competition_id)


def _move(action: Action) -> Any:
    @requires("admin")
    @blp.response(200, CompetitionOut)
    def move(competition_id: str) -> CompetitionRow:
        if action is Action.PUBLISH:
            return execute(commands.PublishResults(competition_id))
        return execute(commands.MoveCompetition(competition_id, action))

    move.__name__ = f"{action.value}_competition"
    move.__doc__ = {
        Action.OPEN: "Open registration (draft → open).",
        Action.CLOSE: "Close registration and start judging (open → closed).",
        Action.PUBLISH: "Publish the final results and awards (closed → published).",
    }[action]
    return move


for _action in Action:
    blp.route(f"/competitions/<competition_id>/{_action.value}", methods=["POST"])(_move(_action))


@blp.route("/competitions/<competition_id>/judges")
class Judges(MethodView):
    @requires("admin")
    @blp.arguments(JudgeIn)
    @blp.response(201, JudgeOut)
    def post(self, judge: dict[str, Any], competition_id: str) -> JudgeRow:
        """Assign a judge (``enterprise_id``: the judge's own enterprise, or null)."""
        return execute(commands.AssignJudge(competition_id, **judge))

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
