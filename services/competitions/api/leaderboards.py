"""Leaderboards: a competition's board (public, ETag), enterprises and counties of a year.

A competition's board is read from the read model, never recomputed per request. With a
``freeze_at``, the public sees the board as it stood at that moment until the results are
published; admins may ask for ``?view=live`` (the rules are ``domain/visibility.py``'s).
``ETag: W/"<competition>-<version>-<view>"`` and ``If-None-Match`` answer 304 while nothing
changed.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask_smorest import Blueprint

from services.competitions.adapters.award_table import enterprise_standings
from services.competitions.adapters.board_store import COLUMNS, ranked_rows
from services.competitions.adapters.coverage import county_standings
from services.competitions.adapters.orm import db
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
from services.competitions.domain.visibility import may_see_live, shown
from shared.auth import Principal, authenticate
from shared.clock import iso, now_of
from shared.http import Problem

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


@blp.route("/competitions/<competition_id>/leaderboard")
@blp.arguments(LeaderboardQuery, location="query")
@blp.response(200, LeaderboardOut)
@blp.alt_response(304, description="Not modified since the ETag sent in If-None-Match.")
def leaderboard(query: dict[str, Any], competition_id: str) -> Any:
    """A competition's leaderboard, best first (no token needed)."""
    row = get_competition(db.session, competition_id)
    board = db.session.get(LeaderboardRow, competition_id)
    live = _asks_live(query)
    final = bool(board and board.final)
    seen = shown(
        to_domain(row),
        final=final,
        started=board is not None,
        now=now_of(current_app),
        live=live,
    )
    version = board.version if board else 0
    tag = f"{competition_id}-{version}-{seen.label}"
    headers = {
        "ETag": f'W/"{tag}"',
        "Cache-Control": ("private" if live else "public") + ", no-cache",
        "Vary": "Authorization",
    }
    if request.if_none_match.contains_weak(tag):
        return Response(status=304, headers=headers)
    page, per_page = query["page"], query["per_page"]
    offset = (page - 1) * per_page
    rows, total = ranked_rows(db.session, competition_id, COLUMNS[seen.view], offset, per_page)
    body = {
        "competition_id": competition_id,
        "status": board.status if board else row.status,
        "version": version,
        "view": seen.label,
        "final": final,
        "frozen": seen.frozen,
        "freeze_at": iso(row.freeze_at),
        "rows": rows,
        "page": page,
        "per_page": per_page,
        "total": total,
    }
    return body, 200, headers


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
