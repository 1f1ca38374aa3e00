"""The read side's version, and the watch that wakes the streams when it moves.

A consumer handler that changed a count calls :func:`changed` with its session: the batch's
transaction then raises ``read_side_version.version`` by one as it commits (once, however many
events changed counts), and after the commit it pokes this process's :class:`VersionWatch` of
that database, so a stream here wakes at once. Streams in other processes (a distributed
``serve`` beside its ``worker``) see the new version when their watch next reads it, every
``interval`` seconds.

One watch per database per process reads the version, in one thread, only while a stream
listens: the cost of idle streams is one small query per interval, not one per stream.

On PostgreSQL the raise also sends ``NOTIFY jiangong_dashboard_version`` (delivered as the
transaction commits), and a watch holds one connection of its own that ``LISTEN``s on it while
streams listen: a watch in another process is poked at once instead of at its next read. The
read every ``interval`` stays, in case a notification is lost (the connection dropped).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.event import listen
from sqlalchemy.orm import Session

from services.dashboard.adapters.orm import ReadSideVersion
from shared.listener import Listener, notify_on_commit

log = logging.getLogger(__name__)

ROW = 1
_CHANGED = "jiangong.dashboard.changed"
_COMMITTED = "jiangong.dashboard.committed"
_LISTENING = "jiangong.dashboard.listening"
CHANNEL = "jiangong_dashboard_version"
"""PostgreSQL's channel the version's raises are announced on."""


def changed(session: Session) -> None:
    """This transaction changed a count: bump the version as it commits, then wake streams."""
    session.info[_CHANGED] = True
    if not session.info.get(_LISTENING):
        session.info[_LISTENING] = True
        listen(session, "before_commit", _bump_before_commit)
        listen(session, "after_commit", _poke_after_commit)
        listen(session, "after_rollback", _forget_after_rollback)


# SQLAlchemy sends these for savepoints too: only the transaction's own commit counts.


def _bump_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    if session.info.pop(_CHANGED, False):
        bump(session)
        session.info[_COMMITTED] = True


def _poke_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    if session.info.pop(_COMMITTED, False):
        engine = session.get_bind()
        watch = _WATCHES.get(engine) if isinstance(engine, Engine) else None
        if watch is not None:
            watch.poke()


def _forget_after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's may leave a spurious bump: harmless
        session.info.pop(_CHANGED, None)
        session.info.pop(_COMMITTED, None)


def bump(session: Session) -> None:
    now = datetime.now(UTC)
    table = ReadSideVersion.__table__
    raised = session.execute(
        update(table).where(table.c.id == ROW).values(version=table.c.version + 1, changed_at=now)
    )
    if raised.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(table).values(id=ROW, version=1, changed_at=now))
    notify_on_commit(session, CHANNEL)  # sent on commit (one a transaction), dropped on rollback


def read_version(session: Session) -> int:
    version = session.execute(
        select(ReadSideVersion.version).where(ReadSideVersion.id == ROW)
    ).scalar_one_or_none()
    return version or 0


class VersionWatch:
    """Reads a database's version every ``interval`` seconds (at once when poked) while at
    least one stream listens, and wakes the streams waiting for it to move."""

    def __init__(self, engine: Engine, interval: float):
        self.engine = engine
        self.interval = interval
        self.version: int | None = None
        self._changed = threading.Condition()
        self._poked = threading.Event()
        self._listeners = 0
        self._thread: threading.Thread | None = None
        self._notified: threading.Thread | None = None

    @contextmanager
    def listening(self) -> Iterator[None]:
        with self._changed:
            self._listeners += 1
            if self._thread is None:
                self.version = self._read()
                self._thread = threading.Thread(
                    target=self._run, name="dashboard-version-watch", daemon=True
                )
                self._thread.start()
            if self.engine.dialect.name == "postgresql" and (
                self._notified is None or not self._notified.is_alive()
            ):
                self._notified = threading.Thread(
                    target=self._listen, name="dashboard-version-listen", daemon=True
                )
                self._notified.start()
        try:
            yield
        finally:
            with self._changed:
                self._listeners -= 1
            self._poked.set()  # let the thread see whether anyone still listens

    def wait(self, after: int | None, timeout: float) -> int | None:
        """The version once it is above ``after``, or as it is after ``timeout`` seconds."""

        def moved() -> bool:
            return self.version is not None and (after is None or self.version > after)

        with self._changed:
            self._changed.wait_for(moved, timeout)
            return self.version

    def poke(self) -> None:
        self._poked.set()

    @property
    def listeners(self) -> int:
        return self._listeners

    def _run(self) -> None:
        while True:
            with self._changed:
                if self._listeners == 0:
                    self._thread = None
                    return
            version = self._read()
            with self._changed:
                if version is not None and version != self.version:
                    self.version = version
                    self._changed.notify_all()
            self._poked.wait(self.interval)
            self._poked.clear()

    def _listen(self) -> None:
        """PostgreSQL: poke the watch on every notification, while anyone listens; and as the
        session opens, since a raise between the last read and the LISTEN is not notified."""
        listener = Listener(self.engine, CHANNEL, on_open=self.poke)
        try:
            while self._listeners > 0:
                try:
                    if listener.notified(timeout=1.0):
                        self.poke()
                except Exception as error:  # the database is away: the reads go on meanwhile
                    log.warning("the dashboard could not listen for its version: %r", error)
                    time.sleep(max(self.interval, 1.0))
        finally:
            listener.close()

    def _read(self) -> int | None:
        try:
            with Session(self.engine) as session:
                return read_version(session)
        except Exception as error:  # the database is away: keep the last version, try again
            log.warning("the dashboard could not read its version: %r", error)
            return self.version


_WATCHES: weakref.WeakKeyDictionary[Engine, VersionWatch] = weakref.WeakKeyDictionary()
_WATCHES_GUARD = threading.Lock()


def watch_of(engine: Engine, interval: float) -> VersionWatch:
    """This process's watch of ``engine``'s database (made on first use)."""
    with _WATCHES_GUARD:
        watch = _WATCHES.get(engine)
        if watch is None:
            watch = _WATCHES[engine] = VersionWatch(engine, interval)
        return watch
