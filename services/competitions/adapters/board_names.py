"""The names shown on a board: the enterprise's name, the team's name and the workers' names,
stored on the board's rows (``leaderboard_rows``) so that reading a board needs no join.

An entry's ``team_name`` and ``worker_ids`` come from its own ``entry.registered`` and
``entry.withdrawn`` events; the names of its enterprise and workers from the registry replicas
(:mod:`.replicas`) when the row is written. A replica the service has not heard of gives no name
(``enterprise_name`` null, the worker left out of ``worker_names``), never an error.

A name that changes later reaches the rows either way round: a board event re-reads the names of
the row it writes, and a registry event that changes a replica re-reads the names of every row
of that enterprise or worker (``leaderboard_workers`` says which rows a worker is on), so the
names do not depend on the order in which the registry's and the competitions' events arrive
(the in-process bus replays this service's own topic before the registry's).

:func:`entry_names` names entries as the entries API answers them (read when asked: an entry
is not a read model).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.competitions.adapters.read_tables import (
    BoardWorkerRow,
    EnterpriseReplica,
    StandingRow,
    WorkerReplica,
)


def enterprise_name(session: Session, enterprise_id: str | None) -> str | None:
    if enterprise_id is None:
        return None
    replica = session.get(EnterpriseReplica, enterprise_id)
    return replica.name if replica is not None else None


def worker_names(session: Session, worker_ids: Sequence[str] | None) -> list[str]:
    """The names of the workers the replicas know, in the entry's order."""
    if not worker_ids:
        return []
    query = select(WorkerReplica.id, WorkerReplica.name).where(WorkerReplica.id.in_(worker_ids))
    known = {worker_id: name for worker_id, name in session.execute(query) if name}
    return [known[worker_id] for worker_id in worker_ids if worker_id in known]


def take_entry(session: Session, row: StandingRow, data: dict[str, Any]) -> None:
    """The team and workers an entry event names (an event without them keeps the row's)."""
    if data.get("team_name") is not None:
        row.team_name = data["team_name"]
    workers = data.get("worker_ids")
    if workers and list(workers) != (row.worker_ids or []):
        row.worker_ids = list(workers)
        session.flush()
        known = set(
            session.scalars(
                select(BoardWorkerRow.worker_id).where(
                    BoardWorkerRow.competition_id == row.competition_id,
                    BoardWorkerRow.entry_id == row.entry_id,
                )
            )
        )
        session.add_all(
            BoardWorkerRow(
                competition_id=row.competition_id, entry_id=row.entry_id, worker_id=worker_id
            )
            for worker_id in dict.fromkeys(workers)
            if worker_id not in known
        )


def rename(session: Session, row: StandingRow) -> bool:
    """Read the row's names from the replicas again; True if any of them changed."""
    names = (
        enterprise_name(session, row.enterprise_id),
        worker_names(session, row.worker_ids),
    )
    if names == (row.enterprise_name, row.worker_names or []):
        return False
    row.enterprise_name, row.worker_names = names
    return True


def rows_of_enterprise(session: Session, enterprise_id: str) -> Iterable[StandingRow]:
    """The board rows of the enterprise's entries, as they are stored now."""
    query = select(StandingRow).where(StandingRow.enterprise_id == enterprise_id)
    return session.scalars(query.execution_options(populate_existing=True))


def rows_of_worker(session: Session, worker_id: str) -> Iterable[StandingRow]:
    """The board rows of the entries the worker is in, as they are stored now."""
    query = select(StandingRow).join(
        BoardWorkerRow,
        (BoardWorkerRow.competition_id == StandingRow.competition_id)
        & (BoardWorkerRow.entry_id == StandingRow.entry_id),
    )
    query = query.where(BoardWorkerRow.worker_id == worker_id)
    return session.scalars(query.execution_options(populate_existing=True))


def on_board(row: StandingRow) -> bool:
    """Whether the row is ranked on one of its board's views (so a new name is a change)."""
    shown = row.registered_at is not None and not row.withdrawn
    return shown and (row.score is not None or row.frozen_score is not None)


def entry_names(
    session: Session, entries: Sequence[tuple[str, str | None, Sequence[str]]]
) -> dict[str, tuple[str | None, list[str]]]:
    """``{entry_id: (enterprise_name, worker_names)}`` of ``(entry_id, enterprise_id,
    worker_ids)``, as the replicas name them now (two queries for a whole page)."""
    enterprise_ids = {enterprise for _, enterprise, _ in entries if enterprise}
    worker_ids = {worker for _, _, workers in entries for worker in workers}
    enterprises = {
        enterprise_id: name
        for enterprise_id, name in session.execute(
            select(EnterpriseReplica.id, EnterpriseReplica.name).where(
                EnterpriseReplica.id.in_(enterprise_ids)
            )
        )
    }
    workers = {
        worker_id: name
        for worker_id, name in session.execute(
            select(WorkerReplica.id, WorkerReplica.name).where(WorkerReplica.id.in_(worker_ids))
        )
        if name
    }
    return {
        entry_id: (
            enterprises.get(enterprise) if enterprise else None,
            [workers[worker] for worker in workers_of if worker in workers],
        )
        for entry_id, enterprise, workers_of in entries
    }
