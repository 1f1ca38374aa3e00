"""Entries of a competition, registered by an enterprise for its workers; judges' scores.

An enterprise acts only for itself: another enterprise's entry is a 404, as if it did not
exist. A judge sees the entries of the competitions they are assigned to. Every entry is
answered with its enterprise's and its workers' names as the registry replicas give them now
(``enterprise_name`` null, a worker left out of ``worker_names``, where a replica is missing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from services.competitions import commands
from services.competitions.adapters.board_names import entry_names
from services.competitions.adapters.orm import EntryRow, JudgeRow, ScoresheetRow, db
from services.competitions.adapters.repository import get_competition, get_entry
from services.competitions.api.schemas import EntryIn, EntryOut, EntryQuery, ScoresIn, ScoresOut
from services.competitions.domain import errors
from shared.auth import current_principal, ensure_enterprise, requires
from shared.handling import command_from
from shared.http import page_of, paginate
from shared.http.parser import Blueprint
from shared.runtime import execute

blp = Blueprint("entries", __name__, description="Entries of competitions and judges' scores.")


ENTRY_FIELDS = (
    "id",
    "competition_id",
    "enterprise_id",
    "team_name",
    "worker_ids",
    "region_code",
    "status",
    "registered_at",
    "withdrawn_at",
)


def _named(entries: Sequence[EntryRow]) -> list[dict[str, Any]]:
    """The entries as answered: their fields and the names the replicas give them."""
    names = entry_names(db.session(), [(e.id, e.enterprise_id, e.worker_ids) for e in entries])
    return [
        {
            **{name: getattr(entry, name) for name in ENTRY_FIELDS},
            "enterprise_name": names[entry.id][0],
            "worker_names": names[entry.id][1],
        }
        for entry in entries
    ]


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
    def post(self, entry: dict[str, Any], competition_id: str) -> dict[str, Any]:
        """Register an entry of the enterprise's own active workers while registration is open."""
        ensure_enterprise(entry["enterprise_id"])
        command = command_from(entry, commands.RegisterEntry, competition_id=competition_id)
        [registered] = _named([execute(command)])
        return registered

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
        page = paginate(db.session, stmt, query["page"], query["per_page"])
        return {**page, "items": _named(page["items"])}


@blp.route("/competitions/<competition_id>/entries/<entry_id>")
class Entry(MethodView):
    @requires("admin", "enterprise", "judge")
    @blp.response(200, EntryOut)
    def get(self, competition_id: str, entry_id: str) -> dict[str, Any]:
        """One entry."""
        [entry] = _named([get_entry(db.session, competition_id, entry_id, _scope(competition_id))])
        return entry

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
    ids = {"competition_id": competition_id, "entry_id": entry_id}
    judge_id = current_principal().judge_id or ""
    return execute(command_from(scores, commands.RecordScore, **ids, judge_id=judge_id))
