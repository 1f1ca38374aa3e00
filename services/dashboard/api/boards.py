"""``GET /api/v1/boards``: the live boards of the competitions now scoring and of those
published lately, each with its title and top rows with names (public, no token)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import RAISE, Schema, fields

from services.dashboard.adapters.boards import boards_of
from services.dashboard.adapters.orm import db
from services.dashboard.config import config_of
from shared.http.parser import Blueprint
from shared.runtime import runtime_of

blp = Blueprint("boards", __name__, description="The competitions' live boards, with names.")


class BoardsQuery(Schema):
    """Nothing to ask: unknown parameters are refused."""

    class Meta:
        unknown = RAISE


class BoardRowOut(Schema):
    rank = fields.Integer()
    entry_id = fields.String()
    enterprise_id = fields.String(allow_none=True)
    enterprise_name = fields.String(allow_none=True, metadata={"description": "null: unnamed"})
    team_name = fields.String(allow_none=True)
    worker_names = fields.List(fields.String())
    score = fields.Float(allow_none=True)
    award = fields.String(allow_none=True, metadata={"description": "null until final"})


class BoardOut(Schema):
    competition_id = fields.String()
    title = fields.String(allow_none=True, metadata={"description": "null: not yet heard of"})
    kind = fields.String(allow_none=True)
    level = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "closed (scoring) or published"})
    final = fields.Boolean(metadata={"description": "the results are published"})
    frozen = fields.Boolean(metadata={"description": "the public view as of the freeze"})
    total = fields.Integer(metadata={"description": "entries on the board"})
    board_version = fields.Integer(metadata={"description": "the competitions service's"})
    updated_at = fields.String(allow_none=True)
    published_on = fields.String(allow_none=True)
    rows = fields.List(fields.Nested(BoardRowOut), metadata={"description": "the top rows"})


class BoardsOut(Schema):
    as_of = fields.String()
    version = fields.Integer(metadata={"description": "the read side's version (the stream id)"})
    recent_days = fields.Integer(metadata={"description": "published boards shown this long"})
    boards = fields.List(fields.Nested(BoardOut))


@blp.route("/boards")
@blp.arguments(BoardsQuery, location="query", unknown=RAISE)
@blp.response(200, BoardsOut)
def read_boards(_query: dict[str, Any]) -> dict[str, Any]:
    """The competitions now scoring (provisional boards, latest change first), then those
    published in the last ``recent_days`` days (final boards, newest first)."""
    now = runtime_of(current_app).now()
    return boards_of(db.session(), config_of(current_app), now)
