"""Entries of a competition, registered by an enterprise for its workers; judges' scores.

An enterprise acts only for itself: another enterprise's entry is a 404, as if it did not
exist. A judge sees the entries of the competitions they are assigned to.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.competitions import commands
from services.competitions.adapters.orm import EntryRow, JudgeRow, ScoresheetRow, db
from services.competitions.adapters.repository import get_competition, get_entry
from services.competitions.api.schemas import EntryIn, EntryOut, EntryQuery, ScoresIn, ScoresOut
from services.competitions.domain import errors
from shared.auth import current_principal, ensure_enterprise, requires
from shared.http import page_of, paginate
from shared.runtime import execute

blp = Blueprint("entries", __name__, description="Entries of competitions and judges' scores.")


def _scope(competition_id: str) -> str | None:
    """The enterprise the caller is limited to (None: every entry); judges must be assigned."""
    principal = current_principal()
    get_competition(db.session, competition_id)
    if principal.role == "judge":
        if db.session.get(JudgeRow, (competition_id, principal.judge_id)) is None:
            raise errors.JudgeNotAssigned()
        return None
    return principal.enterprise_id


@blp.route("/competitions/<competition_id>/entries")
class Entries(MethodView):
    @requires("admin", "enterprise")
    @blp.arguments(EntryIn)
    @blp.response(201, EntryOut)
    def post(self, entry: dict[str, Any], competition_id: str) -> EntryRow:
        """Register an entry of the enterprise's own active workers while registration is open."""
        ensure_enterprise(entry["enterprise_id"])
        command = commands.RegisterEntry(
            competition_id, entry["enterprise_id"], tuple(entry["worker_ids"]), entry["team_name"]
        )
        return execute(command)

    @requires("admin", "enterprise", "judge")
    @blp.arguments(EntryQuery, location="query")
    @blp.response(200, page_of(EntryOut))
    def get(self, query: dict[str, Any], competition_id: str) -> dict[str, Any]:
        """The competition's entries (an enterprise sees only its own), in registration order."""
        scope = _scope(competition_id)
        stmt = select(EntryRow).where(EntryRow.competition_id == competition_id)
        if scope is not None:
            stmt = stmt.where(EntryRow.enterprise_id == scope)
        for name in ("enterprise_id", "status"):
            if query.get(name):
                stmt = stmt.where(getattr(EntryRow, name) == query[name])
        stmt = stmt.order_by(EntryRow.registered_at, EntryRow.id)
        return paginate(db.session, stmt, query["page"], query["per_page"])


@blp.route("/competitions/<competition_id>/entries/<entry_id>")
class Entry(MethodView):
    @requires("admin", "enterprise", "judge")
    @blp.response(200, EntryOut)
    def get(self, competition_id: str, entry_id: str) -> EntryRow:
        """One entry."""
        return get_entry(db.session, competition_id, entry_id, _scope(competition_id))

    @requires("admin", "enterprise")
    @blp.response(204)
    def delete(self, competition_id: str, entry_id: str) -> None:
        """Withdraw an entry while registration is open; its workers may be entered again."""
        acting = current_principal().enterprise_id
        execute(commands.WithdrawEntry(competition_id, entry_id, acting))


@blp.route("/competitions/<competition_id>/entries/<entry_id>/scores", methods=["PUT"])
@requires("judge")
@blp.arguments(ScoresIn)
@blp.response(200, ScoresOut)
def record_scores(scores: dict[str, Any], competition_id: str, entry_id: str) -> ScoresheetRow:
    """An assigned judge's marks for every criterion; a second call replaces the first
    (both are kept in the history). Only while the competition is closed for judging."""
    judge_id = current_principal().judge_id or ""
    return execute(commands.RecordScore(competition_id, entry_id, judge_id, scores["marks"]))
