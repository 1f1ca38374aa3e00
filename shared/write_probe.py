"""Does the service's database take writes? ``/readyz``'s ``writes`` check.

A database at the latest migration that a connection reaches may still refuse every write: a
full disk, a read-only file or file system, PostgreSQL in recovery or with
``default_transaction_read_only``. So the probe writes: it inserts a row into the service's
inbox and deletes it again, in one committed transaction (PostgreSQL refuses the insert when
read-only; SQLite when the file or its folder cannot be written, or the disk is full and the
write-ahead log must grow). No row stays, and the data version does not move (it counts the
service's own sessions' writes, not this connection's).

A write alone does not see a full disk on SQLite: its write-ahead log, once checkpointed, is
written again from its start, so a small transaction still fits in the file's old pages while
any larger one fails. Measured on a 4 MiB tmpfs filled to its last byte: the probe and a
100-byte insert succeeded, a 3 MB one failed with "database or disk is full". So on SQLite the
probe also asks the file system for the free space beside the file, and wants at least
``min_free_bytes`` (the largest body a request may bring, ``JIANGONG_MAX_UPLOAD_BYTES``).

The answer is kept for :data:`PROBE_SECONDS`, so that ``/readyz`` stays cheap however often it
is asked: a database that stops taking writes shows within that time.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, Table, delete, insert
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

PROBE_SECONDS = 5.0
"""How long a probe's answer is kept before the next ``/readyz`` probes again."""

PROBE = "readiness"
"""The inbox row's consumer and source: no consumer is named so."""


class WriteProbe:
    """A check for ``/readyz``: true while the database takes a write (see the module)."""

    def __init__(
        self,
        engine: Callable[[], Engine],
        inbox: Table,
        min_free_bytes: int,
        every: float | None = None,
    ):
        self._engine = engine
        self._inbox = inbox
        self._min_free_bytes = min_free_bytes
        self._every = every  # seconds an answer is kept; PROBE_SECONDS unless given
        self._lock = threading.Lock()
        self._answer: bool | None = None
        self._answered_at = 0.0

    def __call__(self) -> bool:
        with self._lock:
            every = PROBE_SECONDS if self._every is None else self._every
            if self._answer is None or time.monotonic() - self._answered_at >= every:
                self._answer = self._probe()
                self._answered_at = time.monotonic()
            return self._answer

    def _probe(self) -> bool:
        engine = self._engine()
        try:
            return self._room_beside(engine) and self._writes(engine)
        except (SQLAlchemyError, OSError) as error:
            log.warning("the database refused the readiness write: %s", type(error).__name__)
            return False

    def _room_beside(self, engine: Engine) -> bool:
        path = engine.url.database if engine.dialect.name == "sqlite" else None
        if not path or path == ":memory:" or path.startswith("file:"):
            return True
        disk = os.statvfs(os.path.dirname(os.path.abspath(path)))
        free = disk.f_bavail * disk.f_frsize
        if free < self._min_free_bytes:
            log.warning("%d bytes free beside %s, fewer than %d", free, path, self._min_free_bytes)
            return False
        return True

    def _writes(self, engine: Engine) -> bool:
        row = {"consumer": PROBE, "source": PROBE, "event_id": str(uuid.uuid4())}
        inbox = self._inbox
        with engine.begin() as connection:
            now = datetime.now(UTC)
            connection.execute(insert(inbox).values(**row, type=PROBE, processed_at=now))
            connection.execute(
                delete(inbox).where(inbox.c.consumer == PROBE, inbox.c.event_id == row["event_id"])
            )
        return True
