"""The transactional outbox: events written in the caller's transaction, published by a relay.

``Outbox.add`` validates the event's data with the producer's schema and inserts it in the same
session as the command's rows, so both commit or neither does. ``Relay.relay_once`` publishes
unpublished rows in order and marks them only after the bus acknowledged them: a crash between
the two publishes them again (allowed; consumers are idempotent), never loses them. Published
rows are kept, marked, so the in-process bus can replay them.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from cloudevents.core.v1.event import CloudEvent
from marshmallow import Schema, ValidationError
from sqlalchemy import Engine, Table, insert, select, text, update
from sqlalchemy.orm import Session

from shared.events import new_event, restore_event, topic_of

log = logging.getLogger(__name__)


class EventDataInvalid(ValueError):
    """A producer tried to publish data its own schema refuses: a bug, never sent."""


class Publisher(Protocol):
    def publish(self, topic: str, events: list[tuple[int, CloudEvent]]) -> None:
        """Return only once every event is durably accepted; raise if any is not."""


class Outbox:
    def __init__(self, table: Table, service: str, schemas: Mapping[str, type[Schema]]):
        self.table = table
        self.service = service
        self.schemas = schemas

    def add(
        self, session: Session, event_type: str, subject: str, data: Mapping[str, Any]
    ) -> CloudEvent:
        """Validate and stage an event in ``session``'s transaction; it commits with the caller."""
        schema = self.schemas.get(event_type)
        if schema is None:
            raise EventDataInvalid(f"{self.service} has no schema for {event_type}")
        try:
            schema().load(dict(data))
        except ValidationError as error:
            raise EventDataInvalid(f"{event_type}: {error.messages}") from error
        event = new_event(self.service, event_type, subject, data)
        session.execute(insert(self.table).values(**_row_of(event)))
        return event

    def published(
        self, session: Session, after: int = 0, limit: int | None = None
    ) -> list[tuple[int, CloudEvent]]:
        """The events already published, in order: what the in-process bus replays."""
        table = self.table
        query = (
            select(table)
            .where(table.c.published_at.is_not(None), table.c.position > after)
            .order_by(table.c.position)
            .limit(limit)
        )
        return [(row.position, event_of(row)) for row in session.execute(query)]


def _row_of(event: CloudEvent) -> dict[str, Any]:
    return {
        "event_id": event.get_id(),
        "source": event.get_source(),
        "type": event.get_type(),
        "subject": event.get_subject(),
        "time": event.get_time(),
        "data": event.get_data(),
    }


def event_of(row: Any) -> CloudEvent:
    return restore_event(
        id=row.event_id,
        source=row.source,
        type=row.type,
        subject=row.subject,
        time=row.time,
        data=row.data,
    )


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
        # SQLite: one relay per database file in this process. PostgreSQL: the advisory lock
        # decides between processes (and engines), this lock only between this relay's threads.
        self._local = (
            threading.Lock()
            if engine.dialect.name == "postgresql"
            else _process_lock(f"{engine.url}|{outbox.service}")
        )
        self._lock_key = zlib.crc32(f"jiangong-relay:{outbox.service}".encode())

    def relay_once(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published."""
        with self._exclusive() as acquired:
            if not acquired:
                return 0
            table = self.outbox.table
            with Session(self.engine) as session:
                rows = session.execute(
                    select(table)
                    .where(table.c.published_at.is_(None))
                    .order_by(table.c.position)
                    .limit(self.batch_size)
                ).all()
            if not rows:
                return 0
            self.publisher.publish(self.topic, [(row.position, event_of(row)) for row in rows])
            with Session(self.engine) as session, session.begin():
                session.execute(
                    update(table)
                    .where(table.c.position.in_([row.position for row in rows]))
                    .values(published_at=datetime.now(UTC))
                )
            return len(rows)

    def drain(self) -> int:
        """Publish until nothing is left; returns the total."""
        total = 0
        while count := self.relay_once():
            total += count
        return total

    @contextmanager
    def _exclusive(self) -> Iterator[bool]:
        """A process lock, and on PostgreSQL an advisory lock, so two relays never overlap."""
        if not self._local.acquire(blocking=False):
            yield False
            return
        try:
            if self.engine.dialect.name != "postgresql":
                yield True
                return
            with self.engine.connect() as connection:
                acquired = connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self._lock_key}
                ).scalar()
                connection.commit()
                try:
                    yield bool(acquired)
                finally:
                    if acquired:
                        connection.execute(
                            text("SELECT pg_advisory_unlock(:key)"), {"key": self._lock_key}
                        )
                        connection.commit()
        finally:
            self._local.release()
