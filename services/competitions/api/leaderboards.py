"""Leaderboards: a competition's board (public, ETag), enterprises and counties of a year.

A competition's board is read from the read model, never recomputed per request. With a
``freeze_at``, the public sees the board as it stood at that moment until the results are
published; admins may ask for ``?view=live`` (the rules are ``domain/visibility.py``'s).
``ETag: W/"<competition>-<version>-<view>"`` and ``If-None-Match`` answer 304 while nothing
changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request

from services.competitions.adapters.award_table import enterprise_standings
from services.competitions.adapters.board_store import COLUMNS, ranked_rows
from services.competitions.adapters.coverage import county_standings
from services.competitions.adapters.orm import CompetitionRow, db
from services.competitions.adapters.read_tables import LeaderboardRow
from services.competitions.adapters.repository import get_competition, to_domain
from services.competitions.api.coverage_schemas import YearQuery
from services.competitions.api.leaderboard_schemas import (
    CountyBoardOut,
    EnterpriseBoardOut,
    LeaderboardOut,
    LeaderboardQuery,
    YearPageQuery,
)
from services.competitions.domain.visibility import Shown, may_see_live, shown
from shared.auth import Principal, authenticate
from shared.clock import iso, now_of
from shared.http import Problem
from shared.http.parser import Blueprint

blp = Blueprint("leaderboards", __name__, description="Live and final leaderboards.")


def _optional_principal() -> Principal | None:
    """The caller if they sent a token (a bad one is still a 401), else nobody."""
    if "Authorization" not in request.headers:
        return None
    return authenticate()


def _asks_live(query: dict[str, Any]) -> bool:
    """Whether the caller asked for the live view, which only some may see. A token is not
    needed for the public view, but one that is sent must be valid."""
    principal = _optional_principal()
    if query["view"] != "live":
        return False
    if principal is None:
        raise Problem(401, "A bearer token is required for the live view.")
    if not may_see_live(principal.role):
        raise Problem(403, "Only admins see the live view.")
    return True


@dataclass(frozen=True)
class SeenBoard:
    """One reader's view of a competition's board: what :func:`see` found, before any row."""

    competition: CompetitionRow
    board: LeaderboardRow | None
    seen: Shown
    live: bool

    @property
    def version(self) -> int:
        return self.board.version if self.board else 0

    @property
    def tag(self) -> str:
        """The ETag's opaque part: ``<competition>-<version>-<view>``."""
        return f"{self.competition.id}-{self.version}-{self.seen.label}"

    def answer(self, page: int, per_page: int) -> dict[str, Any]:
        """The board's answer: its header and a page of its rows (with their names)."""
        offset = (page - 1) * per_page
        view = COLUMNS[self.seen.view]
        rows, total = ranked_rows(db.session(), self.competition.id, view, offset, per_page)
        return {
            "competition_id": self.competition.id,
            "status": self.board.status if self.board else self.competition.status,
            "version": self.version,
            "view": self.seen.label,
            "final": bool(self.board and self.board.final),
            "frozen": self.seen.frozen,
            "freeze_at": iso(self.competition.freeze_at),
            "rows": rows,
            "page": page,
            "per_page": per_page,
            "total": total,
        }


def see(competition: CompetitionRow, live: bool = False) -> SeenBoard:
    """The board as the public (``live=False``) or an admin asking for it sees it now."""
    board = db.session.get(LeaderboardRow, competition.id)
    seen = shown(
        to_domain(competition),
        final=bool(board and board.final),
        started=board is not None,
        now=now_of(current_app),
        live=live,
    )
    return SeenBoard(competition, board, seen, live)


@blp.route("/competitions/<competition_id>/leaderboard")
@blp.arguments(LeaderboardQuery, location="query")
@blp.response(200, LeaderboardOut)
@blp.alt_response(304, description="Not modified since the ETag sent in If-None-Match.")
def leaderboard(query: dict[str, Any], competition_id: str) -> Any:
    """A competition's leaderboard, best first (no token needed). Each row names the entry's
    enterprise, team and workers."""
    row = get_competition(db.session, competition_id)
    board = see(row, live=_asks_live(query))
    headers = {
        "ETag": f'W/"{board.tag}"',
        "Cache-Control": ("private" if board.live else "public") + ", no-cache",
        "Vary": "Authorization",
    }
    if request.if_none_match.contains_weak(board.tag):
        return Response(status=304, headers=headers)
    return board.answer(query["page"], query["per_page"]), 200, headers


@blp.route("/leaderboards/enterprises")
@blp.arguments(YearPageQuery, location="query")
@blp.response(200, EnterpriseBoardOut)
def enterprises(query: dict[str, Any]) -> dict[str, Any]:
    """Enterprises by award points in the year's published competitions (first award 3,
    second 2, third 1, any other 1); equal points share a rank."""
    standings = enterprise_standings(db.session, query["year"])
    page, per_page = query["page"], query["per_page"]
    items = standings[(page - 1) * per_page : page * per_page]
    return {
        "year": query["year"],
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": len(standings),
    }


@blp.route("/leaderboards/counties")
@blp.arguments(YearQuery, location="query")
@blp.response(200, CountyBoardOut)
def counties(query: dict[str, Any]) -> dict[str, Any]:
    """Jiaxing's counties by participation in the year's competitions."""
    return {"year": query["year"], "items": county_standings(db.session, query["year"])}
