"""The consumer handlers that keep the leaderboard read model, fed by this service's own events.

Facts in, boards out: ``entry.registered``/``withdrawn`` add and remove a row,
``score.recorded`` replaces one judge's marks for one entry (the entry alone is re-aggregated,
then its board re-ranked), ``competition.*`` move the board's status, and ``published`` makes
it final with its awards. Every change raises the board's version and emits
``leaderboard.updated`` in the same transaction. Order-tolerant: marks are last-writer-wins by
their ``recorded_at``, a withdrawal wins over a late registration, statuses only move forward,
and a score that arrives before its entry waits in the row until the entry is known. Each
handler takes the board's row lock (:func:`.board_store.board_of`) before it reads what it
compares, so two transactions applying events of one board at once (a replay beside a
consumer) compare one after the other.

Each row carries the names shown with it (:mod:`.board_names`): re-read from the replicas
whenever an event writes the row, and, through :func:`on_names_changed`, whenever a registry
event changes the name of an enterprise or worker on a board. A name that changes on a ranked
row is a change of the board (a new version).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.competitions import events
from services.competitions.adapters import board_names
from services.competitions.adapters.board_placement import place
from services.competitions.adapters.board_store import (
    COLUMNS,
    FROZEN,
    LIVE,
    advance_status,
    board_of,
    ranked_rows,
    rerank,
)
from services.competitions.adapters.orm import CompetitionRow
from services.competitions.adapters.read_tables import (
    AwardTallyRow,
    LeaderboardRow,
    MarksRow,
    StandingRow,
)
from services.competitions.adapters.repository import to_domain
from services.competitions.domain.model import Competition
from services.competitions.domain.standings import score_of
from services.competitions.domain.visibility import is_frozen, public_view
from shared.clock import as_utc
from shared.handling import Context
from shared.inbox import Received


def _competition(session: Session, competition_id: str) -> Competition:
    row = session.get(CompetitionRow, competition_id)
    if row is None:
        raise LookupError(f"competition {competition_id} is not in this database")
    return to_domain(row)


def _standing(session: Session, competition_id: str, entry_id: str) -> StandingRow:
    row = session.get(StandingRow, (competition_id, entry_id), populate_existing=True)
    if row is None:
        row = StandingRow(competition_id=competition_id, entry_id=entry_id, withdrawn=False)
        session.add(row)
    return row


def _rerank_all(session: Session, competition: Competition, board: LeaderboardRow) -> bool:
    session.flush()
    changed = rerank(session, competition, LIVE, board.final)
    if competition.freeze_at is not None:
        changed = rerank(session, competition, FROZEN, False) or changed
    return changed


def _place(
    session: Session,
    competition: Competition,
    board: LeaderboardRow,
    entry_id: str,
    live: bool = True,
    frozen: bool = True,
) -> bool:
    """Move one entry on the views it changed in; a late fact on a final board ranks it all
    again (awards included)."""
    if board.final:
        return _rerank_all(session, competition, board)
    changed = live and place(session, competition, LIVE, entry_id)
    if frozen and competition.freeze_at is not None:
        changed = place(session, competition, FROZEN, entry_id) or changed
    return changed


def on_competition_changed(ctx: Context, event: Received) -> None:
    session = ctx.session
    competition = _competition(session, event.data["id"])
    board = board_of(session, competition.id, ctx.now)
    changed = advance_status(board, event.data["status"])
    if board.status == "published" and not board.final:
        board.final = True
        session.flush()
        rerank(session, competition, LIVE, final=True)
        changed = True
    if changed:
        announce(ctx, competition, board)


def on_entry_registered(ctx: Context, event: Received) -> None:
    session, data = ctx.session, event.data
    competition = _competition(session, data["competition_id"])
    board = board_of(session, competition.id, ctx.now)
    changed = advance_status(board, "open")
    row = _standing(session, competition.id, data["id"])
    board_names.take_entry(session, row, data)
    if row.registered_at is None:
        row.enterprise_id, row.registered_at = data["enterprise_id"], data["registered_at"]
        if row.score is not None or row.frozen_score is not None:
            changed = _place(session, competition, board, row.entry_id) or changed
    changed = _renamed(session, row) or changed
    if changed:
        announce(ctx, competition, board)


def on_entry_withdrawn(ctx: Context, event: Received) -> None:
    session, data = ctx.session, event.data
    competition = _competition(session, data["competition_id"])
    board = board_of(session, competition.id, ctx.now)
    changed = advance_status(board, "open")
    row = _standing(session, competition.id, data["id"])
    board_names.take_entry(session, row, data)
    row.enterprise_id, row.registered_at = data["enterprise_id"], data["registered_at"]
    if not row.withdrawn:
        row.withdrawn = True
        changed = _place(session, competition, board, row.entry_id) or changed
    board_names.rename(session, row)  # kept, though a withdrawn entry is on no board
    if changed:
        announce(ctx, competition, board)


def on_score_recorded(ctx: Context, event: Received) -> None:
    session, data = ctx.session, event.data
    competition = _competition(session, data["competition_id"])
    board = board_of(session, competition.id, ctx.now)  # first: it orders the marks compared
    live, frozen = _keep_marks(session, competition, event)
    changed = advance_status(board, "closed")
    row = _standing(session, competition.id, data["entry_id"])
    row.enterprise_id = row.enterprise_id or data["enterprise_id"]
    before = (row.score, row.frozen_score)
    if live:
        score = _rescore(session, competition, row, frozen=False)
        row.score, row.first_criterion = score or (None, None)
    if frozen:
        score = _rescore(session, competition, row, frozen=True)
        row.frozen_score, row.frozen_first_criterion = score or (None, None)
    if live or frozen:
        shown = row.registered_at is not None and not row.withdrawn
        moved = _place(session, competition, board, row.entry_id, live, frozen)
        changed = changed or moved or (shown and before != (row.score, row.frozen_score))
    changed = _renamed(session, row) or changed
    if changed:
        announce(ctx, competition, board)


def _renamed(session: Session, row: StandingRow) -> bool:
    """The row's names read again; True if they changed where the board shows them."""
    return board_names.rename(session, row) and board_names.on_board(row)


def on_names_changed(ctx: Context, event: Received) -> None:
    """After a registry event: the names of that enterprise's or worker's rows read again,
    and a new version of each board where a ranked row's names changed."""
    session, record = ctx.session, event.data["id"]
    session.flush()
    of_enterprise = event.type.startswith("jiangong.enterprise.")
    boards = sorted({row.competition_id for row in _rows_named(session, record, of_enterprise)})
    if not boards:
        return
    for competition_id in boards:  # each board's lock first, as its other writers take it
        board_of(session, competition_id, ctx.now)
    rows = _rows_named(session, record, of_enterprise)
    changed = {row.competition_id for row in rows if _renamed(session, row)}
    for competition_id in sorted(changed):
        competition = _competition(session, competition_id)
        announce(ctx, competition, board_of(session, competition_id, ctx.now))


def _rows_named(session: Session, record: str, of_enterprise: bool) -> list[StandingRow]:
    if of_enterprise:
        return list(board_names.rows_of_enterprise(session, record))
    return list(board_names.rows_of_worker(session, record))


def announce(ctx: Context, competition: Competition, board: LeaderboardRow) -> None:
    """A new version of the board, and ``leaderboard.updated`` with the public top rows."""
    board.version += 1
    board.updated_at = ctx.now
    ctx.session.flush()
    view = COLUMNS[public_view(competition, board.final)]
    rows, total = ranked_rows(ctx.session, competition.id, view)
    data = {
        "competition_id": competition.id,
        "version": board.version,
        "status": board.status,
        "final": board.final,
        "frozen": is_frozen(competition, board.final, ctx.now),
        "total": total,
        "rows": rows,
    }
    ctx.outbox.add(ctx.session, events.LEADERBOARD_UPDATED, competition.id, data)


def _keep_marks(session: Session, competition: Competition, event: Received) -> tuple[bool, bool]:
    """Store the judge's marks if newer than what the board has; (live, frozen) changed."""
    data = event.data
    key = (data["recorded_at"], event.id)
    pk = (competition.id, data["entry_id"], data["judge_id"])
    marks = session.get(MarksRow, pk, populate_existing=True)
    live = marks is None or key > (as_utc(marks.recorded_at), marks.event_id)
    freeze_at = competition.freeze_at
    frozen = freeze_at is not None and data["recorded_at"] <= freeze_at
    if frozen and marks is not None and marks.frozen_recorded_at is not None:
        frozen = key > (as_utc(marks.frozen_recorded_at), marks.frozen_event_id or "")
    if marks is None:
        marks = MarksRow(competition_id=pk[0], entry_id=pk[1], judge_id=pk[2])
        session.add(marks)
    if live:
        marks.marks, marks.recorded_at, marks.event_id = data["marks"], key[0], key[1]
    if frozen:
        marks.frozen_marks, marks.frozen_recorded_at, marks.frozen_event_id = (
            data["marks"],
            key[0],
            key[1],
        )
    session.flush()
    return live, frozen


def _rescore(
    session: Session, competition: Competition, row: StandingRow, frozen: bool
) -> tuple[float, float] | None:
    """Aggregate one entry's marks again (only this entry: its few judges)."""
    query = select(MarksRow).where(
        MarksRow.competition_id == competition.id, MarksRow.entry_id == row.entry_id
    )
    by_judge: dict[str, Any] = {
        m.judge_id: m.frozen_marks if frozen else m.marks for m in session.scalars(query)
    }
    score = score_of(competition, {j: m for j, m in by_judge.items() if m is not None})
    return None if score is None else (score.score, score.first_criterion)


def on_award_granted(ctx: Context, event: Received) -> None:
    """The award table of the year (``award_tally``), for the enterprises' leaderboard."""
    session, data = ctx.session, event.data
    tally = session.get(AwardTallyRow, (data["competition_id"], data["entry_id"]))
    if tally is None:
        tally = AwardTallyRow(competition_id=data["competition_id"], entry_id=data["entry_id"])
        session.add(tally)
    for name in ("year", "enterprise_id", "award", "points"):
        setattr(tally, name, data[name])
