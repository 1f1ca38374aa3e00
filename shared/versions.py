"""A service's data version, and the answers kept until it moves.

A service that opts in (``ServiceDefinition.data_version``, the table from
:func:`data_version_table`) has one row whose ``version`` rises by one as every transaction
that wrote through a session commits: a request's command, a consumer's batch, a job, an
import. Whether a transaction wrote is seen by the session itself (objects flushed, an
``INSERT``, ``UPDATE`` or ``DELETE`` executed), so no handler has to say so. The raise is the
transaction's last statement, in its ``before_commit``: on PostgreSQL the row stays locked only
while the transaction commits.

A read whose answer costs more than the row (a count over every worker, a listing serialized
row by row) is then kept, per process, until the version moves (an :class:`AnswerCache` keyed
by it; for a GET view, ``shared.kept_answers.kept_until_changed``):
the next request asking the same thing at the same version is answered from the kept bytes.
The version is read first, in a statement of its own (on the pooled connection's driver
cursor, cheap enough for every request), and the view, if it runs, reads after it: a kept
answer is never older than its version; a writer's own next read sees its write. Answers are
also dropped after ``MAX_AGE`` seconds, for a change made past the sessions (by hand, in
``psql``).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import Column, Engine, Integer, MetaData, Table, event, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from shared.db import read_row

ROW = 1
MAX_AGE = 10.0
"""Seconds a kept answer lives at most, whatever the version says."""

_WROTE = "jiangong.wrote"
_TRACKED: weakref.WeakKeyDictionary[Engine, Table] = weakref.WeakKeyDictionary()


def data_version_table(metadata: MetaData) -> Table:
    return Table(
        "data_version",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("version", Integer, nullable=False),
    )


def track_writes(engine: Engine, table: Table) -> None:
    """Raise ``table``'s version in every transaction that writes to ``engine``'s database."""
    _TRACKED[engine] = table


def read_version(engine: Engine, table: Table) -> int:
    """The version as last committed (0 before the first write), read on its own: a request
    asks on every read it may answer from what was kept."""
    row = read_row(engine, f"SELECT version FROM {table.name} WHERE id = {ROW}")
    return int(row[0]) if row else 0


def _tracked(session: Session) -> Table | None:
    if not _TRACKED:
        return None
    try:
        bind = session.get_bind()
    except Exception:  # an unbound session writes nowhere we track
        return None
    return _TRACKED.get(bind) if isinstance(bind, Engine) else None


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if session.new or session.dirty or session.deleted:
        session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executing(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _raise_version(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint's release: its transaction commits later
        return
    table = _tracked(session)
    if table is None:
        session.info.pop(_WROTE, None)
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # before_commit comes before the commit's own flush
    if session.info.pop(_WROTE, False):
        raised = session.execute(
            update(table).where(table.c.id == ROW).values(version=table.c.version + 1)
        )
        if raised.rowcount == 0:  # type: ignore[attr-defined]
            session.execute(table.insert().values(id=ROW, version=1))
        session.info.pop(_WROTE, None)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_WROTE, None)


class AnswerCache:
    """The last few answers by key (what was asked, at which version): asking again for the
    same key shares one computation. ``max_age`` (seconds) drops older answers."""

    def __init__(self, size: int = 32, max_age: float | None = None):
        self._answers: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size
        self.max_age = max_age

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            kept = self._answers.get(key)
            if kept is not None and (
                self.max_age is None or time.monotonic() - kept[0] < self.max_age
            ):
                self._answers.move_to_end(key)
                return kept[1]
        answer = compute()
        if answer is not None:  # None: not to be kept
            with self._lock:
                self._answers[key] = (time.monotonic(), answer)
                self._answers.move_to_end(key)
                while len(self._answers) > self.size:
                    self._answers.popitem(last=False)
        return answer
