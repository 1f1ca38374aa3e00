"""The competitions' live boards, as the dashboard's page shows them.

Two read models, both fed by the competitions service's own events and rebuilt by replay:

- ``competition_facts``: a competition's title, kind, level, year, status and publication date,
  from ``competition.opened/closed/published`` (each carries the whole competition; the newest
  by CloudEvents time wins, as for every record the dashboard replicates);
- ``board_facts``: a competition's public board from ``leaderboard.updated``: the newest by
  the board's own ``version`` wins, so an older or repeated version changes nothing, whatever
  the order it comes in (the competitions service's README: "Rebuilding a board elsewhere").

The rows keep the names the event carries (``enterprise_name``, ``team_name``,
``worker_names``): the page needs no second look-up. They are read tolerantly: an event from
before the competitions service named its rows loads with ``None`` and ``[]``.

A board that changed raises the read side's version (:func:`changed`), so the stream sends a
``boards`` message. :func:`boards_of` answers ``GET /api/v1/boards``: the boards of the
competitions now scoring (closed, provisional) and of those published in the last
:data:`RECENT_DAYS` days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from marshmallow import EXCLUDE, Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.dashboard.adapters.facts import replicate
from services.dashboard.adapters.orm import BoardFact, CompetitionFact
from services.dashboard.adapters.version import changed, read_version
from services.dashboard.config import DashboardConfig
from shared.clock import as_utc, iso, shanghai_date
from shared.handling import Context
from shared.inbox import Received, Subscription

COMPETITION_OPENED = "jiangong.competition.opened.v1"
COMPETITION_CLOSED = "jiangong.competition.closed.v1"
COMPETITION_PUBLISHED = "jiangong.competition.published.v1"
LEADERBOARD_UPDATED = "jiangong.leaderboard.updated.v1"

SCORING = "closed"
PUBLISHED = "published"
STATUS_ORDER = {"draft": 0, "open": 1, SCORING: 2, PUBLISHED: 3}
RECENT_DAYS = 30
"""A published board is shown for this many days after its publication."""
MAX_BOARDS = 12
"""At most this many boards: the scoring ones first (latest change first), then published."""


class CompetitionFacts(Schema):
    """The fields of ``competition.opened/closed/published`` a board is shown under."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    kind = fields.String(load_default=None, allow_none=True)
    level = fields.String(load_default=None, allow_none=True)
    year = fields.Integer(load_default=None, allow_none=True)
    published_on = fields.Date(load_default=None, allow_none=True)


class BoardRowFacts(Schema):
    """One row of a board; the names are optional (older events have none)."""

    class Meta:
        unknown = EXCLUDE  # a nested schema does not inherit the consumer's EXCLUDE

    rank = fields.Integer(required=True)
    entry_id = fields.String(required=True)
    enterprise_id = fields.String(load_default=None, allow_none=True)
    score = fields.Float(load_default=None, allow_none=True)
    award = fields.String(load_default=None, allow_none=True)
    enterprise_name = fields.String(load_default=None, allow_none=True)
    team_name = fields.String(load_default=None, allow_none=True)
    worker_names = fields.List(fields.String(), load_default=list, allow_none=True)


class BoardFacts(Schema):
    """The fields of ``leaderboard.updated`` a board is rebuilt from."""

    competition_id = fields.String(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True)
    final = fields.Boolean(load_default=False)
    frozen = fields.Boolean(load_default=False)
    total = fields.Integer(load_default=None, allow_none=True)
    rows = fields.List(fields.Nested(BoardRowFacts), required=True)


def on_competition(ctx: Context, event: Received) -> None:
    data = event.data
    values = {
        "title": data["title"],
        "kind": data["kind"],
        "level": data["level"],
        "year": data["year"],
        "status": data["status"],
        "published_on": data["published_on"],
    }
    replicate(ctx.session, CompetitionFact, data["id"], values, event)


def on_board(ctx: Context, event: Received) -> None:
    """Keep the board if its version is above the one kept; else change nothing."""
    session, data = ctx.session, event.data
    board = session.get(BoardFact, data["competition_id"], with_for_update=True)
    if board is not None and data["version"] <= board.version:
        return
    if board is None:
        board = BoardFact(competition_id=data["competition_id"])
        session.add(board)
    rows = [_row(row) for row in data["rows"]]
    board.version = data["version"]
    board.status = data["status"]
    board.final = data["final"]
    board.frozen = data["frozen"]
    board.total = len(rows) if data["total"] is None else data["total"]
    board.rows = rows
    board.updated_at = event.time
    changed(session)


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "rank": row["rank"],
        "entry_id": row["entry_id"],
        "enterprise_id": row["enterprise_id"],
        "enterprise_name": row["enterprise_name"],
        "team_name": row["team_name"],
        "worker_names": list(row["worker_names"] or []),
        "score": row["score"],
        "award": row["award"],
    }


def board_subscriptions() -> dict[str, Subscription]:
    return {
        COMPETITION_OPENED: Subscription(CompetitionFacts, on_competition),
        COMPETITION_CLOSED: Subscription(CompetitionFacts, on_competition),
        COMPETITION_PUBLISHED: Subscription(CompetitionFacts, on_competition),
        LEADERBOARD_UPDATED: Subscription(BoardFacts, on_board),
    }


# -- the answer ------------------------------------------------------------------------------


def boards_of(session: Session, config: DashboardConfig, now: datetime) -> dict[str, Any]:
    """The boards now scoring and recently published, at the read side's current version."""
    today = shanghai_date(now)
    version = read_version(session)
    boards = config.answers.get(("boards", today, version), lambda: _boards(session, today))
    return {"as_of": iso(now), "version": version, "recent_days": RECENT_DAYS, "boards": boards}


def _boards(session: Session, today: date) -> list[dict[str, Any]]:
    shown = (SCORING, PUBLISHED)
    ids = set(session.scalars(select(BoardFact.competition_id).where(BoardFact.status.in_(shown))))
    ids |= set(session.scalars(select(CompetitionFact.id).where(CompetitionFact.status.in_(shown))))
    if not ids:
        return []
    boards = {
        b.competition_id: b
        for b in session.scalars(select(BoardFact).where(BoardFact.competition_id.in_(ids)))
    }
    competitions = {
        c.id: c for c in session.scalars(select(CompetitionFact).where(CompetitionFact.id.in_(ids)))
    }
    since = today - timedelta(days=RECENT_DAYS)
    answers = [_board(i, boards.get(i), competitions.get(i)) for i in sorted(ids)]
    scoring = [a for a in answers if a["status"] == SCORING]
    published = [a for a in answers if a["status"] == PUBLISHED and a["shown_on"] >= since]
    scoring.sort(key=lambda a: (a["updated_at"] or "", a["competition_id"]), reverse=True)
    published.sort(key=lambda a: (a["shown_on"], a["competition_id"]), reverse=True)
    return [_without_sort_keys(a) for a in (scoring + published)[:MAX_BOARDS]]


def _board(
    competition_id: str, board: BoardFact | None, competition: CompetitionFact | None
) -> dict[str, Any]:
    statuses = [s.status for s in (board, competition) if s is not None]
    status = max(statuses, key=lambda s: STATUS_ORDER.get(s, 0))
    updated = as_utc(board.updated_at) if board is not None else None
    published_on = competition.published_on if competition is not None else None
    shown_on = published_on or (shanghai_date(updated) if updated else date.min)
    return {
        "competition_id": competition_id,
        "title": competition.title if competition else None,
        "kind": competition.kind if competition else None,
        "level": competition.level if competition else None,
        "year": competition.year if competition else None,
        "status": status,
        "final": board.final if board else False,
        "frozen": board.frozen if board else False,
        "total": board.total if board else 0,
        "board_version": board.version if board else 0,
        "updated_at": iso(updated) if updated else None,
        "published_on": published_on.isoformat() if published_on else None,
        "rows": list(board.rows) if board else [],
        "shown_on": shown_on,
    }


def _without_sort_keys(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "shown_on"}
