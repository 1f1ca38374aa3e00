"""The relay: publishes a service's outbox rows in order, one relay at a time per database.

``Relay.relay_once`` publishes unpublished rows in order and marks them only after the bus
acknowledged them: a crash between the two publishes them again (allowed; consumers are
idempotent), never loses them. On PostgreSQL the leader holds an advisory lock on a session of
its own, which also LISTENs for the commits that staged events.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import BigInteger, Engine, any_, bindparam, text, update
from sqlalchemy.dialects.postgresql import ARRAY

from shared.db import reads
from shared.events import topic_of
from shared.listener import Listener
from shared.outbox import Outbox, OutboxRecord

log = logging.getLogger(__name__)


Trace = Callable[[str, Sequence[OutboxRecord]], None]
"""``trace(stage, records)``: called as a relay batch passes ``fetching`` (before its query, with
no records), ``fetched``, ``published`` and ``marked``; a benchmark times the stages with it."""


class Publisher(Protocol):
    def publish(self, topic: str, records: Sequence[OutboxRecord]) -> None:
        """Return only once every record is durably accepted; raise if any is not."""


_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _process_lock(name: str) -> threading.Lock:
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(name, threading.Lock())


class Relay:
    """Publishes a service's outbox in order; one relay at a time per database."""

    def __init__(self, engine: Engine, outbox: Outbox, publisher: Publisher, batch_size: int = 500):
        self.engine = engine
        self.outbox = outbox
        self.publisher = publisher
        self.batch_size = batch_size
        self.topic = topic_of(outbox.service)
        self._postgresql = engine.dialect.name == "postgresql"
        self._statements = self._statements_of(engine) if self._postgresql else {}
        # SQLite: one relay per database file in this process. PostgreSQL: the advisory lock
        # decides between processes (and engines), this lock only between this relay's threads.
        self._local = (
            threading.Lock()
            if self._postgresql
            else _process_lock(f"{engine.url}|{outbox.service}")
        )
        self._listener = Listener(engine, outbox.channel)
        """The relay's own PostgreSQL session, outside the pool: it LISTENs for commits, holds
        the leader's advisory lock, and runs the fetch and the mark (opened on PostgreSQL only)."""
        self._leading = False
        self._leader_checked = 0.0
        self._lock_key = zlib.crc32(f"jiangong-relay:{outbox.service}".encode())
        self.published = 0
        """Rows this relay published (and marked) since it started: a metric's counter."""
        self.trace: Trace | None = None

    def relay_once(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published."""
        with self._exclusive() as acquired:
            if not acquired:
                return 0
            trace = self.trace
            if trace is not None:
                trace("fetching", ())
            records = self._unpublished()
            if not records:
                return 0
            if trace is not None:
                trace("fetched", records)
            self.publisher.publish(self.topic, records)
            if trace is not None:
                trace("published", records)
            self._mark([record.position for record in records])
            if trace is not None:
                trace("marked", records)
            self.published += len(records)
            return len(records)

    def _unpublished(self) -> list[OutboxRecord]:
        """The next batch of unpublished rows, in order."""
        rows: Sequence[Any]
        if self._postgresql:
            rows = self._on_own_session("fetch", {})
        else:
            query = self.outbox.records().where(self.outbox.table.c.published_at.is_(None))
            with reads(), self.engine.begin() as connection:
                rows = connection.execute(query.limit(self.batch_size)).all()
        return [OutboxRecord(*row) for row in rows]

    def _mark(self, positions: list[int]) -> None:
        """Mark exactly these rows (not a range: a transaction that commits late may have left
        an unpublished row between them), in one statement: all of them or none."""
        now = datetime.now(UTC)
        if self._postgresql:
            self._on_own_session("mark", {"positions": positions, "now": now})
            return
        column = self.outbox.table.c.position
        chosen = column.in_(text("SELECT value FROM json_each(:positions)"))
        with self.engine.begin() as connection:  # SQLite connections begin their own (shared.db)
            connection.execute(
                update(self.outbox.table).where(chosen).values(published_at=now),
                {"positions": json.dumps(positions)},
            )

    def _statements_of(self, engine: Engine) -> dict[str, str]:
        """The fetch and the mark as PostgreSQL SQL, compiled once: the relay sends them on its
        own session (autocommit, prepared by psycopg after a few uses), which costs a fifth of
        a pooled checkout and a statement through SQLAlchemy each time."""
        table = self.outbox.table
        fetch = self.outbox.records().where(table.c.published_at.is_(None)).limit(self.batch_size)
        mark = (
            update(table)
            .where(table.c.position == any_(bindparam("positions", type_=ARRAY(BigInteger))))
            .values(published_at=bindparam("now"))
        )
        literal = {"literal_binds": True}
        return {
            "fetch": str(fetch.compile(dialect=engine.dialect, compile_kwargs=literal)),
            "mark": str(mark.compile(dialect=engine.dialect)),
        }

    def _on_own_session(self, name: str, parameters: dict[str, Any]) -> list[Any]:
        """Run a compiled statement on the relay's session (the leader's: ``_exclusive`` just
        checked it). If the session fails, it is dropped with its leadership and the error
        raised: the run loop retries, as a new session that must lead again."""
        if not self._listener.is_open:
            raise RuntimeError("the relay has no session: it is not the leader")
        try:
            return self._listener.execute(self._statements[name], parameters)
        except Exception:
            self._leading = False
            raise

    def drain(self) -> int:
        """Publish until nothing is left; returns the total."""
        total = 0
        while count := self.relay_once():
            total += count
        return total

    def run(self, stop: threading.Event, wakeup: threading.Event, poll_interval: float) -> None:
        """Relay until ``stop``: publish while there is work, then wait for a commit's signal
        (``wakeup`` in this process, LISTEN/NOTIFY from other processes on PostgreSQL).

        The signals that came before a batch's query are dropped: that query sees their rows.
        So after a batch that was not full the relay waits at once; a commit its query missed
        signals after it, and wakes it (no empty query after each batch)."""
        while not stop.is_set():
            wakeup.clear()
            self._forget_signals()
            try:
                if self.relay_once() >= self.batch_size:
                    continue  # more may wait
            except Exception:  # the broker or the database is away: keep the rows, retry
                log.exception("%s relay failed; rows stay unpublished", self.outbox.service)
                stop.wait(1.0)
                continue
            self._wait(wakeup, poll_interval)
        self.close()

    def close(self) -> None:
        """Give up leadership and the listener; another relay may take over at once."""
        with self._local:
            self._disconnect()

    # -- leadership and wake-ups -----------------------------------------------------------

    @contextmanager
    def _exclusive(self) -> Iterator[bool]:
        """Only the leader publishes: a process lock, and on PostgreSQL a session advisory lock
        that the relay keeps until it closes, so that two relays (in any processes) never
        publish in parallel, and the leader pays no lock round trip a batch."""
        if not self._local.acquire(blocking=False):
            yield False
            return
        try:
            yield not self._postgresql or self._lead()
        finally:
            self._local.release()

    def _lead(self) -> bool:
        now = time.monotonic()
        self._leading = self._leading and self._listener.is_open  # a new session must lead again
        if self._leading and now - self._leader_checked < 5.0:
            return True
        try:
            if self._leading:  # is our session, and so our lock, still there?
                self._listener.execute("SELECT 1")
            else:
                rows = self._listener.execute("SELECT pg_try_advisory_lock(%s)", (self._lock_key,))
                self._leading = bool(rows and rows[0][0])
            self._leader_checked = now
            return self._leading
        except Exception:
            log.warning("%s relay lost its session", self.outbox.service, exc_info=True)
            self._leading = False
            return False

    def _forget_signals(self) -> None:
        """Drop the notifications already received (PostgreSQL), without waiting."""
        try:
            self._listener.forget()
        except Exception:  # a lost session: the next wait reconnects or polls
            log.warning("%s relay lost its session", self.outbox.service)
            self._leading = False

    def _wait(self, wakeup: threading.Event, timeout: float) -> None:
        if not self._postgresql:
            wakeup.wait(timeout)
            return
        try:
            self._listener.notified(timeout)
        except Exception:  # a lost session falls back to polling until it reconnects
            log.warning("%s relay lost its session; polling", self.outbox.service)
            self._leading = False
            wakeup.wait(timeout)

    def _disconnect(self) -> None:
        self._listener.close()
        self._leading = False
