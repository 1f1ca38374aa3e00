"""The leaderboard read model's rows: one competition's board, its two views, a full re-rank,
its header row and pages of ranked rows.

A board has two views over the same rows (see :mod:`..domain.visibility` for who sees which):
``live`` (every score) and ``frozen`` (the scores recorded up to the competition's
``freeze_at``; kept only for competitions that have one). Each view is a set of columns of
``leaderboard_rows`` (:class:`ViewColumns`). A single entry's change moves it with
:mod:`.board_placement` (no full re-rank); :func:`rerank` ranks a whole view with the domain's
standings (publication, when awards are handed out, and late facts on a final board) and writes
back only the rows whose rank, position or award moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, select, update
from sqlalchemy.orm import Session

from services.competitions.adapters.read_tables import LeaderboardRow, StandingRow
from services.competitions.domain.model import Competition
from services.competitions.domain.ranking import ScoredEntry
from services.competitions.domain.standings import standings
from services.competitions.domain.visibility import BoardView
from shared.clock import as_utc

TOP_ROWS = 10
STATUS_ORDER = ("draft", "open", "closed", "published")
STANDINGS = StandingRow.__table__


@dataclass(frozen=True)
class ViewColumns:
    """The columns of ``leaderboard_rows`` that hold one view of a board."""

    name: str
    score: ColumnElement[Any]
    first_criterion: ColumnElement[Any]
    rank: ColumnElement[Any]
    position: ColumnElement[Any]


def _columns(view: BoardView, prefix: str) -> ViewColumns:
    names = ("score", "first_criterion", "rank", "position")
    return ViewColumns(view.value, *(STANDINGS.c[f"{prefix}{name}"] for name in names))


def standing_columns(view: ViewColumns, *extra: ColumnElement[Any]) -> Any:
    """A select of what ranking an entry in ``view`` needs (its score, first criterion, rank
    and position under the names ``score``, ``first``, ``rank``, ``position``), and ``extra``."""
    t = STANDINGS
    return select(
        t.c.entry_id,
        t.c.enterprise_id,
        t.c.registered_at,
        t.c.withdrawn,
        *extra,
        view.score.label("score"),
        view.first_criterion.label("first"),
        view.rank.label("rank"),
        view.position.label("position"),
    )


LIVE = _columns(BoardView.LIVE, "")
FROZEN = _columns(BoardView.FROZEN, "frozen_")
COLUMNS = {BoardView.LIVE: LIVE, BoardView.FROZEN: FROZEN}


def rerank(session: Session, competition: Competition, view: ViewColumns, final: bool) -> bool:
    """Rank the view's scored rows again; True if any row's rank, position or award moved."""
    t = STANDINGS
    rows = session.execute(
        standing_columns(view, t.c.award).where(t.c.competition_id == competition.id)
    ).all()
    scored = [
        ScoredEntry(r.entry_id, r.enterprise_id, r.score, r.first, as_utc(r.registered_at))
        for r in rows
        if r.registered_at is not None and not r.withdrawn and r.score is not None
    ]
    awarded = final and view is LIVE
    ranked = standings(competition, scored, final=awarded)
    placed = {row.entry_id: (row.rank, n, row.award) for n, row in enumerate(ranked, start=1)}
    changes = []
    for r in rows:
        rank, position, award = placed.get(r.entry_id, (None, None, None))
        award = award if view is LIVE else r.award
        if (r.rank, r.position, r.award) != (rank, position, award):
            changes.append({"c": r.entry_id, "r": rank, "p": position, "a": award})
    if changes:
        session.execute(
            update(t)
            .where(and_(t.c.competition_id == competition.id, t.c.entry_id == bindparam("c")))
            .values({view.rank: bindparam("r"), view.position: bindparam("p")})
            .values(award=bindparam("a")),
            changes,
        )
    return bool(changes)


def board_of(session: Session, competition_id: str, now: datetime) -> LeaderboardRow:
    """The board's header row, created (version 0, draft) on its first fact."""
    board = session.get(LeaderboardRow, competition_id, with_for_update=True)
    if board is None:
        board = LeaderboardRow(
            competition_id=competition_id,
            version=0,
            status=STATUS_ORDER[0],
            final=False,
            updated_at=now,
        )
        session.add(board)
    return board


def advance_status(board: LeaderboardRow, status: str) -> bool:
    """Statuses only move forward, whatever order their events arrive in."""
    if STATUS_ORDER.index(status) <= STATUS_ORDER.index(board.status):
        return False
    board.status = status
    return True


def ranked_rows(
    session: Session,
    competition_id: str,
    view: ViewColumns,
    offset: int = 0,
    limit: int = TOP_ROWS,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the view's ranked rows, with their names, and how many there are."""
    t = STANDINGS
    ranked = and_(t.c.competition_id == competition_id, view.position.is_not(None))
    total = session.scalar(select(func.max(view.position)).where(ranked)) or 0  # 1..N
    page = session.execute(
        select(
            t.c.entry_id,
            t.c.enterprise_id,
            t.c.enterprise_name,
            t.c.team_name,
            t.c.worker_names,
            t.c.award,
            view.rank.label("rank"),
            view.score.label("score"),
        )
        .where(ranked)
        .order_by(view.position)
        .offset(offset)
        .limit(limit)
    )
    rows = [
        {
            "rank": r.rank,
            "entry_id": r.entry_id,
            "enterprise_id": r.enterprise_id,
            "enterprise_name": r.enterprise_name,
            "team_name": r.team_name,
            "worker_names": list(r.worker_names or []),
            "score": r.score,
            "award": r.award if view is LIVE else None,
        }
        for r in page
    ]
    return rows, total
