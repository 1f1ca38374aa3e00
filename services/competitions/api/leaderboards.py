"""Leaderboards: a competition's board (public, ETag), enterprises and counties of a year.

A competition's board is read from the read model, never recomputed per request. With a
``freeze_at``, the public sees the board as it stood at that moment until the results are
published; admins may ask for ``?view=live``. ``ETag: W/"<competition>-<version>-<view>"``
and ``If-None-Match`` answer 304 while nothing changed.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask_smorest import Blueprint

from services.competitions.adapters import board as boards
from services.competitions.adapters.award_table import enterprise_standings
from services.competitions.adapters.coverage import county_standings
from services.competitions.adapters.orm import db
from services.competitions.adapters.read_tables import LeaderboardRow
from services.competitions.adapters.repository import get_competition, iso, to_domain
from services.competitions.api.board_schemas import (
    CountyBoardOut,
    EnterpriseBoardOut,
    LeaderboardOut,
    LeaderboardQuery,
    YearPageQuery,
    YearQuery,
)
from services.competitions.api.commands import optional_principal
from services.competitions.clock import now_of
from shared.http import Problem

blp = Blueprint("leaderboards", __name__, description="Live and final leaderboards.")


def _view(query: dict[str, Any], frozen: bool, final: bool) -> tuple[str, str]:
    """(the view asked for, its label); only admins may see past a freeze. A token is not
    needed, but one that is sent must be valid."""
    principal = optional_principal()
    if query["view"] == "live":
        if principal is None:
            raise Problem(401, "A bearer token is required for the live view.")
        if principal.role != "admin":
            raise Problem(403, "Only admins see the live view.")
        return "live", "final" if final else "live"
    return "public", "frozen" if frozen else ("final" if final else "live")


@blp.route("/competitions/<competition_id>/leaderboard")
@blp.arguments(LeaderboardQuery, location="query")
@blp.response(200, LeaderboardOut)
@blp.alt_response(304, description="Not modified since the ETag sent in If-None-Match.")
def leaderboard(query: dict[str, Any], competition_id: str) -> Any:
    """A competition's leaderboard, best first (no token needed)."""
    row = get_competition(db.session, competition_id)
    competition = to_domain(row)
    board = db.session.get(LeaderboardRow, competition_id)
    final = bool(board and board.final)
    frozen = board is not None and boards.is_frozen(competition, board, now_of(current_app))
    asked, label = _view(query, frozen, final)
    version = board.version if board else 0
    tag = f"{competition_id}-{version}-{label}"
    headers = {
        "ETag": f'W/"{tag}"',
        "Cache-Control": ("private" if asked == "live" else "public") + ", no-cache",
        "Vary": "Authorization",
    }
    if request.if_none_match.contains_weak(tag):
        return Response(status=304, headers=headers)
    view = (
        boards.LIVE if asked == "live" or board is None else boards.public_view(competition, board)
    )
    page, per_page = query["page"], query["per_page"]
    rows, total = boards.ranked_rows(
        db.session, competition_id, view, (page - 1) * per_page, per_page
    )
    body = {
        "competition_id": competition_id,
        "status": board.status if board else row.status,
        "version": version,
        "view": label,
        "final": final,
        "frozen": frozen and asked != "live",
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
