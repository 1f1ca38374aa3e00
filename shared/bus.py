"""The bus: one small interface, two implementations.

``InProcessBus`` serves the embedded platform: topics are logs in memory, filled at start-up from
the producers' outboxes (published rows are kept), so a restart redelivers whatever a consumer
had not acknowledged; committed offsets and dead letters are kept in a small SQLite file
(``shared.offsets``). The platform's bus loads and holds only the events some group reading the
topic has yet to commit: the outboxes keep them all, for a restart or a replay.
``KafkaBus`` (``shared.kafka_bus``) speaks to a real broker through kafka-python.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

from cloudevents.core.v1.event import CloudEvent

from shared.events import dead_letter_topic
from shared.inbox import Consumer, Delivery
from shared.offsets import OffsetStore
from shared.outbox import OutboxRecord

log = logging.getLogger(__name__)


class PublishFailed(RuntimeError):
    """The bus did not acknowledge every event: the relay leaves them unpublished."""


class Bus(Protocol):
    def publish(self, topic: str, records: Sequence[OutboxRecord]) -> None: ...

    def run_consumer(self, consumer: Consumer, stop: threading.Event) -> None: ...

    def replay(self, consumer: Consumer) -> int: ...

    def ping(self) -> bool: ...

    def dead_letters(self, group: str) -> list[dict[str, object]]:
        """What the group could not apply: topic, position, id, type, subject, error, at (the
        event's data is left out: it may name people)."""
        ...

    def close(self) -> None: ...


LET_GO_AT_ONCE = 1_000
"""A log lets go of its committed front when it is all committed, or this many entries of it:
dropping the front of a list moves the rest."""


class InProcessBus:
    """Topics as in-memory logs of ``(position, event)``; offsets committed after the effect.

    A consumer's cursor counts entries from the start of the topic, those let go included
    (``_dropped``). Once told which groups read which topics (:meth:`keep_for`), a log lets go
    of the entries that all of them have applied and committed (by cursor, not by position: a
    late commit on PostgreSQL can publish a lower position after a higher one), and a topic
    that none of them reads holds nothing. Until then it keeps every entry (a replay's bus, a
    test's)."""

    def __init__(self, store: Path | None = None, batch_size: int = 500, wait: float = 0.5):
        self._logs: dict[str, list[tuple[int, CloudEvent]]] = defaultdict(list)
        self._dropped: dict[str, int] = defaultdict(int)
        self._readers: dict[str, dict[str, int]] = {}
        """{topic: {group: its cursor, past what it committed}}: the groups that hold entries."""
        self._published: dict[str, Callable[[int], Iterable[OutboxRecord]]] = {}
        self._changed = threading.Condition()
        self.offsets = OffsetStore(store)
        self.batch_size = batch_size
        self.wait = wait

    def load(self, topic: str, records: Iterable[OutboxRecord]) -> None:
        """At start-up: the events a producer's outbox already published, in order."""
        self.publish(topic, list(records))

    def retain(self, topic: str, published: Callable[[int], Iterable[OutboxRecord]]) -> None:
        """At start-up: load the topic from where its events are kept (``published(after)``:
        the producer's outbox rows published after a position, in order), where a replay
        reads them again. Once :meth:`keep_for` named the readers, only what one of them has
        yet to apply is loaded (none if no group reads the topic), so start-up does not grow
        with the platform's history."""
        self._published[topic] = published
        readers = self._readers.get(topic, {})
        if self._readers and not readers:
            return
        after = min((self.offsets.committed(group, topic) for group in readers), default=0)
        records = list(published(after))
        with self._changed:
            self.load(topic, records)
            for group in readers:  # where each starts, now that the log holds something
                readers[group] = self._start(group, topic)

    def publish(self, topic: str, records: Sequence[OutboxRecord]) -> None:
        entries = [(record.position, record.event()) for record in records]
        with self._changed:
            self._logs[topic].extend(entries)
            if self._readers:
                self._let_go(topic)
            self._changed.notify_all()

    def ping(self) -> bool:
        return True

    def dead_letters(self, group: str) -> list[dict[str, object]]:
        return self.offsets.dead_letters(group)

    def close(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def log(self, topic: str) -> list[tuple[int, CloudEvent]]:
        """The entries the topic still holds, oldest first."""
        with self._changed:
            return list(self._logs[topic])

    def keep_for(self, consumers: Iterable[Consumer]) -> None:
        """Say which groups read which topics, before any of them runs (and before
        :meth:`retain`, which then loads only what they need): from then on each topic keeps
        only the entries one of its groups has yet to commit. A group that joins later (not
        named here) starts at the oldest entry still held."""
        with self._changed:
            for consumer in consumers:
                self._join(consumer)
            for topic in self._published.keys() | self._readers.keys():
                self._let_go(topic)

    def _join(self, consumer: Consumer) -> dict[str, int]:
        """Where the consumer starts in each of its topics, counted among their readers."""
        cursors = {topic: self._start(consumer.group, topic) for topic in consumer.topics}
        for topic, cursor in cursors.items():
            self._readers.setdefault(topic, {})[consumer.group] = cursor
        return cursors

    def _acknowledged(self, group: str, cursors: dict[str, int]) -> None:
        """The group committed everything before these cursors: let go of what none needs."""
        with self._changed:
            for topic, cursor in cursors.items():
                readers = self._readers.get(topic)
                if readers is not None and group in readers:
                    readers[group] = cursor
                    self._let_go(topic)

    def _let_go(self, topic: str) -> None:
        """Drop the front of the log that every reader has passed; all of it if none reads it."""
        log, readers = self._logs[topic], self._readers.get(topic)
        if not log:
            return
        passed = min(readers.values()) if readers else self._dropped[topic] + len(log)
        count = passed - self._dropped[topic]
        if count > 0 and (count >= len(log) or count >= LET_GO_AT_ONCE):
            del log[:count]
            self._dropped[topic] += count

    def run_consumer(self, consumer: Consumer, stop: threading.Event) -> None:
        with self._changed:  # where the bus keeps only what its readers need, be one of them
            if self._readers:  # (a group not named to keep_for starts at the oldest entry held)
                cursors = self._join(consumer)
            else:
                cursors = {topic: self._start(consumer.group, topic) for topic in consumer.topics}
        while not stop.is_set():
            batch = self._take(cursors)
            if not batch:
                with self._changed:
                    if not self._has_new(cursors):
                        self._changed.wait(self.wait)
                continue
            try:
                self._deliver(consumer, batch)
            except Exception:  # the database failed: nothing committed, try again shortly
                log.exception("%s could not apply a batch; it will be retried", consumer.group)
                stop.wait(1.0)
                continue
            for delivery in batch:
                cursors[delivery.topic] += 1
            if self._readers:
                self._acknowledged(consumer.group, cursors)

    def replay(self, consumer: Consumer) -> int:
        """Deliver every retained event of the consumer's topics again, then commit the ends:
        from the producers' outboxes where :meth:`retain` said so, else from the logs."""
        total = 0
        for topic in consumer.topics:
            published = self._published.get(topic)
            if published is None:
                entries = self.log(topic)
            else:
                entries = [(record.position, record.event()) for record in published(0)]
            for start in range(0, len(entries), self.batch_size):
                chunk = entries[start : start + self.batch_size]
                self._deliver(consumer, [_delivery(topic, pos, event) for pos, event in chunk])
                total += len(chunk)
        return total

    def _start(self, group: str, topic: str) -> int:
        """The cursor of the first entry held after what ``group`` committed."""
        committed = self.offsets.committed(group, topic)
        with self._changed:
            log = self._logs[topic]
            first = next((i for i, (pos, _) in enumerate(log) if pos > committed), len(log))
            return self._dropped[topic] + first

    def _has_new(self, cursors: dict[str, int]) -> bool:
        return any(
            self._dropped[topic] + len(self._logs[topic]) > cursor
            for topic, cursor in cursors.items()
        )

    def _take(self, cursors: dict[str, int]) -> list[Delivery]:
        batch: list[Delivery] = []
        with self._changed:
            for topic, cursor in cursors.items():
                if cursor < self._dropped[topic]:  # let go before this group was counted
                    cursor = cursors[topic] = self._dropped[topic]
                start = cursor - self._dropped[topic]
                entries = self._logs[topic][start : start + self.batch_size - len(batch)]
                batch.extend(_delivery(topic, pos, event) for pos, event in entries)
        return batch

    def _deliver(self, consumer: Consumer, batch: list[Delivery]) -> None:
        dead = consumer.handle(batch)
        if dead:
            self.offsets.add_dead_letters(consumer.group, dead)
            with self._changed:
                self._logs[dead_letter_topic(consumer.group)].extend(
                    (d.delivery.offset, d.delivery.decode()) for d in dead
                )
        positions: dict[str, int] = {}
        for delivery in batch:
            positions[delivery.topic] = max(positions.get(delivery.topic, 0), delivery.offset)
        self.offsets.commit(consumer.group, positions)


def _delivery(topic: str, position: int, event: CloudEvent) -> Delivery:
    return Delivery(topic=topic, partition=0, offset=position, event=event)
