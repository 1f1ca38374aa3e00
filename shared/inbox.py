"""Idempotent consumption: each event applied once, its id recorded in the same transaction.

A ``Consumer`` is data: a group name and ``{event type: Subscription}``. A bus hands it a batch
of deliveries; it applies them in one transaction: the batch's inbox rows (``consumer, source,
id``, ``shared.inbox_rows``) in one statement, whose conflicts are the duplicates, skipped and
counted, then each new event's handler, in order. If that transaction fails, it is rolled back
whole and the events are applied again one transaction each, so a failing handler is retried
and rolled back alone. A handler that keeps failing after bounded retries (while the database
answers), an event that cannot be decoded or whose data its schema refuses, comes back as a
dead letter: the bus sends it to ``jiangong.dlq.<group>`` and moves on. Offsets are committed
only after these transactions, by the bus.
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
from sqlalchemy import Engine, Table, text
from sqlalchemy.orm import Session

from shared.events import CATALOGUE, Message, from_message, request_id_of, topic_of
from shared.inbox_rows import InboxRows
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
        self._rows = InboxRows(inbox, group)
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.stats: Counter[str] = Counter()
        self._schemas: dict[type[Schema], Schema] = {}
        self.lag: dict[tuple[str, int], int] = {}
        """``{(topic, partition): records behind}``, as the Kafka bus last measured it."""

    @property
    def topics(self) -> list[str]:
        return sorted({topic_of(CATALOGUE[event_type]) for event_type in self.subscriptions})

    def handle(self, deliveries: Sequence[Delivery]) -> list[DeadLetter]:
        """Apply a batch; return the dead letters for the bus to send.

        The batch is one transaction: every inbox row in one statement, then the handlers in
        order. If it fails, it is rolled back whole and each event is applied again in a
        transaction of its own, with retries, so that a poison event is dead-lettered alone."""
        counts: Counter[str] = Counter()
        dead: dict[int, str] = {}
        ready: list[tuple[int, Subscription, Received]] = []
        for index, delivery in enumerate(deliveries):
            read = self._read(delivery)
            if isinstance(read, str):
                dead[index] = read
            elif read is None:
                counts["ignored"] += 1
            else:
                ready.append((index, *read))
        if ready and not self._batch_applied(ready, counts):
            for index, subscription, received in ready:  # each one durable: counted at once
                with bound_request_id(received.request_id):
                    failure = self._apply_alone(subscription, received, self.stats)
                if failure is not None:
                    dead[index] = failure
        letters = []
        for index in sorted(dead):
            delivery, reason = deliveries[index], dead[index]
            log.warning(
                "dead letter from %s[%s]@%s for %s: %s",
                delivery.topic,
                delivery.partition,
                delivery.offset,
                self.group,
                reason,
            )
            letters.append(DeadLetter(delivery, reason))
        counts["dead_lettered"] += len(letters)
        self.stats.update(+counts)  # counted once the effects are durable
        return letters

    def _read(self, delivery: Delivery) -> tuple[Subscription, Received] | str | None:
        """The event and its handler; an error (a dead letter); None for a type not subscribed."""
        try:
            event = delivery.decode()
        except ValueError as error:
            return f"{type(error).__name__}: {error}"
        subscription = self.subscriptions.get(event.get_type())
        if subscription is None:
            return None
        payload = event.get_data()
        if not isinstance(payload, dict):
            return "schema: the event's data is not a JSON object"
        try:
            data = self._schema(subscription).load(payload)
        except ValidationError as error:
            return f"schema: {error.messages}"
        return subscription, Received(
            id=event.get_id(),
            source=event.get_source(),
            type=event.get_type(),
            subject=event.get_subject() or "",
            time=event.get_time() or datetime.now(UTC),
            data=data,
            request_id=request_id_of(event),
        )

    def _schema(self, subscription: Subscription) -> Schema:
        """One instance of each schema, built once: building one costs more than a load."""
        schema = self._schemas.get(subscription.schema)
        if schema is None:
            schema = self._schemas[subscription.schema] = subscription.schema(unknown=EXCLUDE)
        return schema

    def _batch_applied(
        self, ready: Sequence[tuple[int, Subscription, Received]], counts: Counter[str]
    ) -> bool:
        """Apply the batch in one transaction; False, all rolled back, if that failed."""
        try:
            counts.update(self._apply_batch(ready))
        except Exception as error:  # the events go one transaction each, to isolate the failure
            log.warning(
                "%s could not apply a batch of %d in one transaction (%r); one by one",
                self.group,
                len(ready),
                error,
            )
            return False
        return True

    def _apply_batch(self, ready: Sequence[tuple[int, Subscription, Received]]) -> Counter[str]:
        """Every event of the batch in one transaction, its inbox rows inserted at once."""
        counts: Counter[str] = Counter()
        with Session(self.engine) as session, session.begin():
            ctx = self.context(session)
            fresh = self._rows.record(session, [(r.source, r.id, r.type) for _, _, r in ready])
            for _, subscription, received in ready:
                key = (received.source, received.id)
                if key not in fresh:
                    counts["duplicates"] += 1
                    continue
                fresh.discard(key)  # the same event twice in one batch: the second is a duplicate
                with bound_request_id(received.request_id):  # its lines and events carry it on
                    subscription.handle(ctx, received)
                counts["applied"] += 1
        return counts

    def _apply_alone(
        self, subscription: Subscription, received: Received, counts: Counter[str]
    ) -> str | None:
        """One event in its own transaction, retried; the error once retries are spent."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                with Session(self.engine) as session, session.begin():
                    if not self._record(session, received):
                        counts["duplicates"] += 1
                        return None
                    subscription.handle(self.context(session), received)
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
                    if not self._database_answers():  # not the event's fault: retry the batch
                        raise
                    return f"handler: {type(error).__name__}: {error}"
                time.sleep(self.retry_delay * 2 ** (attempt - 1))
        return None  # pragma: no cover - the loop always returns

    def _database_answers(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            log.warning("%s cannot reach its database", self.group, exc_info=True)
            return False
        return True

    def _record(self, session: Session, received: Received) -> bool:
        """Insert the inbox row; False if this consumer already applied the event."""
        return bool(self._rows.record(session, [(received.source, received.id, received.type)]))
