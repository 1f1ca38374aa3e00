"""The characters of workers' names, kept as names are written, so that a name fragment is
found through one of its characters (``WorkerNameCharacter``) and not by reading every name.

A worker's characters are written with the worker: as the session flushes a new worker or a
changed name (:func:`_index_flushed`), and by ``SqlRepository.hire_many`` for an import's batch
(:func:`index_names`). The search (``queries.workers_query``) reads the rows of the fragment's
first character, in the list's order, and checks the whole fragment on each worker's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from services.registry.adapters.orm import Worker, WorkerNameCharacter, db

CHUNK = 5000


def characters_of(name: str) -> set[str]:
    """The characters a name is found by: each once, lower-cased, no spaces."""
    return {character for character in name.lower() if not character.isspace()}


def index_names(session: Session, workers: Iterable[tuple[str, datetime, str]]) -> None:
    """Write the characters of ``(worker id, registered_at, name)``, for workers that have none
    yet (new ones, or ones whose earlier characters :func:`forget_names` removed)."""
    rows = [
        {"character": character, "registered_at": registered_at, "worker_id": worker_id}
        for worker_id, registered_at, name in workers
        for character in characters_of(name)
    ]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(WorkerNameCharacter.__table__), rows[start : start + CHUNK])


def forget_names(session: Session, worker_ids: Sequence[str]) -> None:
    table = WorkerNameCharacter.__table__
    for start in range(0, len(worker_ids), CHUNK):
        chunk = worker_ids[start : start + CHUNK]
        session.execute(delete(table).where(table.c.worker_id.in_(chunk)))


@event.listens_for(db.session, "after_flush")
def _index_flushed(session: Session, _flush: UOWTransaction) -> None:
    """New workers, and workers whose name changed: after the flush, when a new worker's
    ``registered_at`` (a default of the insert) is known."""
    renamed = [
        worker
        for worker in session.dirty
        if isinstance(worker, Worker) and inspect(worker).attrs.name.history.has_changes()
    ]
    new = [worker for worker in session.new if isinstance(worker, Worker)]
    if not (renamed or new):
        return
    forget_names(session, [worker.id for worker in renamed])
    index_names(session, [(w.id, w.registered_at, w.name) for w in (*renamed, *new)])
