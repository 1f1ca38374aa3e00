"""``KafkaBus``: the bus over a real Kafka broker, through kafka-python.

The producer uses ``acks=all`` with idempotence and waits for every acknowledgement before the
relay may mark a row. After any delivery failure the producer is replaced: an idempotent
kafka-python producer whose send timed out can stay wedged after the broker returns.
Consumers run in groups with auto-commit off; a poll's batch is applied in one transaction,
its dead letters are published, and only then are its offsets committed: when a poll comes back
empty or once a second, not after every batch. If the batch cannot be applied (the database is
down), the consumer seeks back and tries again. After each poll the consumer's lag per
partition (high watermark less position) is left on ``Consumer.lag`` for the metrics.
Creating topics, probing the broker and reading dead letters back are ``shared.kafka_admin``'s.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from shared.bus import PublishFailed
from shared.events import Message, dead_letter_topic, to_message
from shared.inbox import Consumer, DeadLetter, Delivery
from shared.kafka_admin import KafkaAdmin, read_from_the_beginning
from shared.outbox import OutboxRecord

log = logging.getLogger(__name__)


class KafkaBus:
    def __init__(
        self,
        bootstrap_servers: str,
        client_id: str = "jiangong",
        *,
        fetch_max_wait_ms: int = 10,
        session_timeout_ms: int = 6000,
        max_poll_records: int = 500,
        commit_interval_ms: int = 1000,
        delivery_timeout_ms: int = 30000,
        partitions: int = 4,
    ):
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.session_timeout_ms = session_timeout_ms
        self.max_poll_records = max_poll_records
        self.commit_interval_ms = commit_interval_ms
        self.delivery_timeout_ms = delivery_timeout_ms
        self.partitions = partitions
        self.admin = KafkaAdmin(bootstrap_servers, client_id)
        self._producer: KafkaProducer | None = None
        self._existing_topics: set[str] = set()
        self._producer_lock = threading.Lock()
        self.trace: Callable[[str, Sequence[Delivery]], None] | None = None
        """``trace(stage, deliveries)`` as a consumer's batch is ``polled``, ``applied`` and
        ``committed`` (its offsets): a benchmark times the stages with it."""

    # -- producing ---------------------------------------------------------------------------

    def _get_producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                bootstrap_servers=self.bootstrap_servers,
                client_id=f"{self.client_id}-producer",
                acks="all",
                enable_idempotence=True,
                linger_ms=5,
                batch_size=64 * 1024,
                delivery_timeout_ms=self.delivery_timeout_ms,
                request_timeout_ms=min(self.delivery_timeout_ms // 2, 10000),
                max_block_ms=self.delivery_timeout_ms,
            )
        return self._producer

    def publish(self, topic: str, records: Sequence[OutboxRecord]) -> None:
        self.send_messages(topic, [record.message() for record in records])

    def send_messages(self, topic: str, messages: Iterable[Message]) -> None:
        """Send and wait for every acknowledgement; on any failure replace the producer."""
        with self._producer_lock:
            try:
                producer = self._get_producer()
                futures = [
                    producer.send(topic, key=m.key, value=m.value, headers=m.headers)
                    for m in messages
                ]
                producer.flush(timeout=self.delivery_timeout_ms / 1000)
                for future in futures:
                    future.get(timeout=self.delivery_timeout_ms / 1000)
            except KafkaError as error:
                self._discard_producer()
                raise PublishFailed(f"{topic}: {error!r}") from error

    def _discard_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=0)
            except Exception:  # closing a broken producer must not hide the real failure
                log.debug("closing a failed producer raised", exc_info=True)
            self._producer = None

    # -- consuming ---------------------------------------------------------------------------

    def _consumer(self, group: str | None, *topics: str) -> KafkaConsumer:
        return KafkaConsumer(
            *topics,
            bootstrap_servers=self.bootstrap_servers,
            client_id=f"{self.client_id}-{group or 'replay'}",
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=self.session_timeout_ms,
            heartbeat_interval_ms=max(self.session_timeout_ms // 3, 500),
            fetch_max_wait_ms=self.fetch_max_wait_ms,
            max_poll_records=self.max_poll_records,
        )

    def run_consumer(self, consumer: Consumer, stop: threading.Event) -> None:
        """Poll, apply each batch, and commit the offsets of what was applied: when a poll
        comes back empty, or once ``commit_interval_ms`` has passed, not after every batch
        (a synchronous commit is a round trip that would hold up the next batch). A crash
        redelivers what was applied since the last commit; the inbox skips it."""
        self.ensure_topics(consumer.topics)
        kafka = self._consumer(consumer.group, *consumer.topics)
        applied: dict[TopicPartition, OffsetAndMetadata] = {}
        committed_at = time.monotonic()
        try:
            while not stop.is_set():
                records = kafka.poll(timeout_ms=200)
                consumer.lag = _lag(kafka)
                if records:
                    applied.update(self._process(kafka, consumer, records, stop))
                due = time.monotonic() - committed_at >= self.commit_interval_ms / 1000
                if applied and (not records or due):
                    self._commit(kafka, consumer, applied)
                    applied, committed_at = {}, time.monotonic()
            if applied:
                self._commit(kafka, consumer, applied)
        finally:
            kafka.close(autocommit=False)

    def _process(
        self,
        kafka: KafkaConsumer,
        consumer: Consumer,
        records: dict[Any, list[Any]],
        stop: threading.Event,
    ) -> dict[TopicPartition, OffsetAndMetadata]:
        """Apply a poll's records; the offsets to commit (none if the batch failed)."""
        deliveries = [_delivery(record) for batch in records.values() for record in batch]
        trace = self.trace
        if trace is not None:
            trace("polled", deliveries)
        try:
            dead = consumer.handle(deliveries)
            self.dead_letter(consumer.group, dead)
        except Exception:  # nothing committed: rewind, wait, and get the same records again
            log.exception("%s could not apply a batch; it will be retried", consumer.group)
            for tp, batch in records.items():
                kafka.seek(tp, batch[0].offset)
            stop.wait(1.0)
            return {}
        if trace is not None:
            trace("applied", deliveries)
        return {
            tp: OffsetAndMetadata(batch[-1].offset + 1, "", -1) for tp, batch in records.items()
        }

    def _commit(
        self,
        kafka: KafkaConsumer,
        consumer: Consumer,
        offsets: dict[TopicPartition, OffsetAndMetadata],
    ) -> None:
        try:
            kafka.commit(offsets)
        except KafkaError:  # a rebalance took the partitions: their new owner's inbox skips
            log.warning("%s could not commit its offsets", consumer.group, exc_info=True)
            return
        trace = self.trace
        if trace is not None:
            trace("committed", ())

    def dead_letter(self, group: str, letters: list[DeadLetter]) -> None:
        """Send each dead letter with its original key, value and headers, plus the error."""
        if not letters:
            return
        messages = []
        for letter in letters:
            original = letter.delivery.message or to_message(letter.delivery.decode())
            headers = [h for h in original.headers if not h[0].startswith("jiangong_")] + [
                ("jiangong_error", letter.error.encode()),
                ("jiangong_original_topic", letter.delivery.topic.encode()),
                ("jiangong_original_partition", str(letter.delivery.partition).encode()),
                ("jiangong_original_offset", str(letter.delivery.offset).encode()),
            ]
            messages.append(Message(key=original.key, value=original.value, headers=headers))
        self.ensure_topics([dead_letter_topic(group)])
        self.send_messages(dead_letter_topic(group), messages)

    def replay(self, consumer: Consumer) -> int:
        """Deliver every retained event of the consumer's topics from the beginning, then set the
        group's offsets to the positions the replay reached (``read_from_the_beginning``
        says where it ends). Run it with the service's worker stopped."""
        self.ensure_topics(consumer.topics)
        reader = self._consumer(None)
        partitions = [
            TopicPartition(topic, p)
            for topic in consumer.topics
            for p in sorted(reader.partitions_for_topic(topic) or ())
        ]
        total = 0
        try:
            for records in read_from_the_beginning(reader, partitions):
                deliveries = [_delivery(record) for record in records]
                self.dead_letter(consumer.group, consumer.handle(deliveries))
                total += len(deliveries)
            reached = {tp: reader.position(tp) for tp in partitions}
        finally:
            reader.close(autocommit=False)
        self._commit_group(consumer.group, reached)
        return total

    def _commit_group(self, group: str, positions: dict[TopicPartition, int]) -> None:
        committer = self._consumer(group)
        try:
            committer.assign(list(positions))
            committer.commit(
                {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in positions.items()}
            )
        finally:
            committer.close(autocommit=False)

    def dead_letters(self, group: str) -> list[dict[str, object]]:
        return self.admin.dead_letters(group)

    # -- administration ----------------------------------------------------------------------

    def ensure_topics(self, topics: Iterable[str]) -> None:
        """Create the topics this bus has not yet seen to exist (with ``partitions`` each)."""
        unknown = set(topics) - self._existing_topics
        if unknown:
            self.admin.create_topics(dict.fromkeys(sorted(unknown), self.partitions))
            self._existing_topics |= unknown

    def ping(self) -> bool:
        return self.admin.reachable()

    def close(self) -> None:
        with self._producer_lock:
            if self._producer is not None:
                self._producer.close(timeout=5)
                self._producer = None


def _lag(kafka: KafkaConsumer) -> dict[tuple[str, int], int]:
    """Records not yet fetched, per assigned partition: the high watermark the last fetch
    reported, less the position (partitions not fetched yet are left out)."""
    lag = {}
    for tp in kafka.assignment():
        highwater = kafka.highwater(tp)
        if highwater is None:
            continue
        position = kafka.position(tp, timeout_ms=0)
        if position is not None:
            lag[(tp.topic, tp.partition)] = max(0, highwater - position)
    return lag


def _delivery(record: Any) -> Delivery:
    return Delivery(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        message=Message(
            key=record.key or b"", value=record.value or b"", headers=list(record.headers or [])
        ),
    )
