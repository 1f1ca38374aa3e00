"""Idempotent consumption: each event applied once, its id recorded in the same transaction.

A ``Consumer`` is data: a group name and ``{event type: Subscription}``. A bus hands it a batch
of deliveries; it applies them in one transaction, each inside a savepoint with its inbox row
(``consumer, source, id``), so a duplicate is skipped and counted and a failing handler is rolled
back alone. A handler that keeps failing after bounded retries, an event that cannot be decoded,
whose type is unknown or whose data its schema refuses, comes back as a dead letter: the bus
sends it to ``jiangong.dlq.<group>`` and moves on. Offsets are committed only after this
transaction, by the bus.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.v1.event import CloudEvent
from marshmallow import EXCLUDE, Schema, ValidationError
from sqlalchemy import Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.events import CATALOGUE, Message, from_message, request_id_of, topic_of
from shared.logs import bound_request_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Received:
    """An event as a handler sees it: the envelope and the data its own schema loaded."""

    id: str
    source: str
    type: str
    subject: str
    time: datetime
    data: dict[str, Any]
    request_id: str | None = None
    """The request that caused the event: bound while it is applied, so the handler's log lines
    and the events it stages carry it on."""


Handler = Callable[[Any, Received], None]
"""``handler(ctx, received)``: ``ctx`` is the service's :class:`~shared.handling.Context` for
the batch (its ``session`` is the batch's transaction), or the bare session where a consumer is
built without a context factory (the kernel's own tests)."""


@dataclass(frozen=True)
class Subscription:
    schema: type[Schema]
    handle: Handler


@dataclass(frozen=True)
class Delivery:
    """One record from a bus: the raw message (Kafka) or the event itself (in-process)."""

    topic: str
    partition: int
    offset: int
    message: Message | None = None
    event: CloudEvent | None = None

    def decode(self) -> CloudEvent:
        if self.event is not None:
            return self.event
        assert self.message is not None
        return from_message(self.message)


@dataclass(frozen=True)
class DeadLetter:
    delivery: Delivery
    error: str


class Consumer:
    def __init__(
        self,
        group: str,
        engine: Engine,
        inbox: Table,
        subscriptions: Mapping[str, Subscription],
        max_attempts: int = 3,
        retry_delay: float = 0.05,
        context: Callable[[Session], Any] | None = None,
    ):
        self.group = group
        self.context = context or (lambda session: session)
        self.engine = engine
        self.inbox = inbox
        self.subscriptions = dict(subscriptions)
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.stats: Counter[str] = Counter()

    @property
    def topics(self) -> list[str]:
        return sorted({topic_of(CATALOGUE[event_type]) for event_type in self.subscriptions})

    def handle(self, deliveries: Sequence[Delivery]) -> list[DeadLetter]:
        """Apply a batch in one transaction; return the dead letters for the bus to send."""
        dead: list[DeadLetter] = []
        counts: Counter[str] = Counter()
        with Session(self.engine) as session, session.begin():
            ctx = self.context(session)
            for delivery in deliveries:
                error = self._apply(session, ctx, delivery, counts)
                if error is not None:
                    counts["dead_lettered"] += 1
                    log.warning(
                        "dead letter from %s[%s]@%s for %s: %s",
                        delivery.topic,
                        delivery.partition,
                        delivery.offset,
                        self.group,
                        error,
                    )
                    dead.append(DeadLetter(delivery, error))
        self.stats.update(counts)  # counted once the batch is durable
        return dead

    def _apply(
        self, session: Session, ctx: Any, delivery: Delivery, counts: Counter[str]
    ) -> str | None:
        try:
            event = delivery.decode()
        except ValueError as error:
            return f"{type(error).__name__}: {error}"
        subscription = self.subscriptions.get(event.get_type())
        if subscription is None:
            counts["ignored"] += 1
            return None
        payload = event.get_data()
        if not isinstance(payload, dict):
            return "schema: the event's data is not a JSON object"
        try:
            data = subscription.schema(unknown=EXCLUDE).load(payload)
        except ValidationError as error:
            return f"schema: {error.messages}"
        received = Received(
            id=event.get_id(),
            source=event.get_source(),
            type=event.get_type(),
            subject=event.get_subject() or "",
            time=event.get_time() or datetime.now(UTC),
            data=data,
            request_id=request_id_of(event),
        )
        with bound_request_id(received.request_id):  # its lines and events carry the request's
            return self._apply_with_retries(session, ctx, subscription, received, counts)

    def _apply_with_retries(
        self,
        session: Session,
        ctx: Any,
        subscription: Subscription,
        received: Received,
        counts: Counter[str],
    ) -> str | None:
        for attempt in range(1, self.max_attempts + 1):
            try:
                with session.begin_nested():
                    if not self._record(session, received):
                        counts["duplicates"] += 1
                        return None
                    subscription.handle(ctx, received)
                counts["applied"] += 1
                return None
            except Exception as error:  # a handler's failure is retried, then dead-lettered
                log.warning(
                    "%s failed on %s %s (attempt %d/%d): %r",
                    self.group,
                    received.type,
                    received.id,
                    attempt,
                    self.max_attempts,
                    error,
                )
                if attempt == self.max_attempts:
                    return f"handler: {type(error).__name__}: {error}"
                time.sleep(self.retry_delay * 2 ** (attempt - 1))
        return None  # pragma: no cover - the loop always returns

    def _record(self, session: Session, received: Received) -> bool:
        """Insert the inbox row; False if this consumer already applied the event."""
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(self.inbox)
            .values(
                consumer=self.group,
                source=received.source,
                event_id=received.id,
                type=received.type,
                processed_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing()
            .returning(self.inbox.c.event_id)
        )
        return session.execute(statement).first() is not None
