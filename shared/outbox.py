"""The transactional outbox: events written in the caller's transaction.

``Outbox.add`` validates the event's data with the producer's schema and inserts it in the same
session as the command's rows, so both commit or neither does. The relay (``shared.relay``)
publishes them. Published rows are kept, marked, so the in-process bus can replay them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cloudevents.core.v1.event import CloudEvent
from marshmallow import Schema, ValidationError
from sqlalchemy import Select, Table, Text, cast, insert, select
from sqlalchemy.event import listen
from sqlalchemy.orm import Session, scoped_session

from shared.events import Message, encode_binary, new_event, request_id_of, restore_event
from shared.listener import notify_on_commit
from shared.logs import current_request_id


class EventDataInvalid(ValueError):
    """A producer tried to publish data its own schema refuses: a bug, never sent."""


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """One outbox row: the in-process bus takes its ``event()``, Kafka its ``message()``, built
    from the stored JSON text without decoding it."""

    position: int
    id: str
    source: str
    type: str
    subject: str
    time: datetime
    data_json: str
    request_id: str | None = None
    """The request that caused the event (the CloudEvents extension ``jiangongrequestid``)."""

    @classmethod
    def of(cls, position: int, event: CloudEvent) -> OutboxRecord:
        time = event.get_time()
        assert time is not None
        return cls(
            position,
            event.get_id(),
            event.get_source(),
            event.get_type(),
            event.get_subject() or "",
            time,
            json.dumps(event.get_data()),
            request_id_of(event),
        )

    def event(self) -> CloudEvent:
        return restore_event(
            id=self.id,
            source=self.source,
            type=self.type,
            subject=self.subject,
            time=self.time,
            data=json.loads(self.data_json),
            request_id=self.request_id,
        )

    def message(self) -> Message:
        return encode_binary(
            id=self.id,
            source=self.source,
            type=self.type,
            subject=self.subject,
            time=self.time,
            data_json=self.data_json,
            request_id=self.request_id,
        )


class Outbox:
    def __init__(self, table: Table, service: str, schemas: Mapping[str, type[Schema]]):
        self.table = table
        self.service = service
        self.schemas = schemas
        self._loaders: dict[str, Schema] = {}
        self.committed = threading.Event()
        """Set when a transaction that staged events commits: wakes this process's relay."""

    def add(
        self, session: Session, event_type: str, subject: str, data: Mapping[str, Any]
    ) -> CloudEvent:
        """Validate and stage an event in ``session``'s transaction; it commits with the caller."""
        return self.add_many(session, event_type, [(subject, data)])[0]

    def add_many(
        self,
        session: Session,
        event_type: str,
        events: Sequence[tuple[str, Mapping[str, Any]]],
    ) -> list[CloudEvent]:
        """Validate a batch of ``(subject, data)`` events of one type with one schema load and
        stage them with one executemany (a 50,000-row import is one batch, not 50,000). Each
        carries the id of the request (or of the event being applied) that causes it."""
        if not events:
            return []
        schema = self._loaders.get(event_type)
        if schema is None:
            declared = self.schemas.get(event_type)
            if declared is None:
                raise EventDataInvalid(f"{self.service} has no schema for {event_type}")
            # one instance a type, built once: building one costs more than a load
            schema = self._loaders[event_type] = declared(many=True)
        try:
            schema.load([dict(data) for _, data in events])
        except ValidationError as error:
            raise EventDataInvalid(f"{event_type}: {error.messages}") from error
        request_id = current_request_id()
        staged = [
            new_event(self.service, event_type, subject, data, request_id)
            for subject, data in events
        ]
        session.execute(insert(self.table), [_row_of(event) for event in staged])
        notify_on_commit(session, self.channel)  # wakes other processes' relays
        self._signal_on_commit(session)
        return staged

    def _signal_on_commit(self, session: Session) -> None:
        real = session.registry() if isinstance(session, scoped_session) else session
        key = f"jiangong.outbox.{self.service}"
        if key not in real.info:
            real.info[key] = True
            listen(real, "after_commit", lambda _session: self.committed.set())

    @property
    def channel(self) -> str:
        return f"jiangong_outbox_{self.service}"

    def published(
        self, session: Session, after: int = 0, limit: int | None = None
    ) -> list[OutboxRecord]:
        """The events already published, in order: what the in-process bus replays."""
        query = (
            self.records()
            .where(self.table.c.published_at.is_not(None), self.table.c.position > after)
            .limit(limit)
        )
        return [OutboxRecord(*row) for row in session.execute(query)]

    def records(self) -> Select[Any]:
        """Rows as ``OutboxRecord`` fields, in order, the data as its stored JSON text."""
        c = self.table.c
        return select(
            c.position,
            c.event_id,
            c.source,
            c.type,
            c.subject,
            c.time,
            cast(c.data, Text),
            c.request_id,
        ).order_by(c.position)


def _row_of(event: CloudEvent) -> dict[str, Any]:
    return {
        "event_id": event.get_id(),
        "source": event.get_source(),
        "type": event.get_type(),
        "subject": event.get_subject(),
        "time": event.get_time(),
        "data": event.get_data(),
        "request_id": request_id_of(event),
    }
