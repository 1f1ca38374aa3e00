"""Kafka's administration: the topics the platform needs, whether the broker answers, and a
group's dead letters read back.

The Kafka bus creates a topic before it first uses it, answers ``/readyz``'s probe and reads
a group's dead letters through it; ``jiangong topics`` creates every event and dead-letter
topic with it, once, before the workers start.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from shared.events import dead_letter_topic


class KafkaAdmin:
    def __init__(self, bootstrap_servers: str, client_id: str = "jiangong"):
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id

    def create_topics(self, wanted: Mapping[str, int]) -> dict[str, bool]:
        """Create each topic of ``wanted`` (``{name: partitions}``) that does not exist yet:
        ``{name: whether this call created it}``. A topic another process created first, in
        between, counts as existing."""
        admin = KafkaAdminClient(
            bootstrap_servers=self.bootstrap_servers, client_id=f"{self.client_id}-admin"
        )
        try:
            existing = set(admin.list_topics())
            return {
                topic: topic not in existing and _created(admin, topic, partitions)
                for topic, partitions in wanted.items()
            }
        finally:
            admin.close()

    def reachable(self) -> bool:
        """Whether the broker answers a listing of its topics within two seconds."""
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=self.bootstrap_servers,
                client_id=f"{self.client_id}-ping",
                request_timeout_ms=2000,
            )
        except KafkaError:
            return False
        try:
            admin.list_topics()
            return True
        except KafkaError:
            return False
        finally:
            admin.close()

    def dead_letters(self, group: str) -> list[dict[str, object]]:
        """Read ``jiangong.dlq.<group>`` from the beginning (without committing anything): what
        the group could not apply, oldest first, without the events' data."""
        topic = dead_letter_topic(group)
        reader = KafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            client_id=f"{self.client_id}-replay",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=10,
        )
        try:
            partitions = [
                TopicPartition(topic, p) for p in reader.partitions_for_topic(topic) or ()
            ]
            records = [r for batch in read_from_the_beginning(reader, partitions) for r in batch]
        finally:
            reader.close(autocommit=False)
        return [_dead_letter_view(record) for record in sorted(records, key=lambda r: r.timestamp)]


def read_from_the_beginning(
    reader: KafkaConsumer, partitions: list[TopicPartition]
) -> Iterator[list[Any]]:
    """Assign ``partitions`` to ``reader`` and yield their records a poll at a time, from the
    beginning to the end: where the reported high watermarks are reached *and* a poll comes
    back empty. A broker may under-report the watermark (Tansu's memory engine does, for
    partitions holding multi-record batches), so the positions reached are the true end."""
    if not partitions:
        return
    reader.assign(partitions)
    reader.seek_to_beginning(*partitions)
    ends = reader.end_offsets(partitions)
    while True:
        batch = [record for records in reader.poll(timeout_ms=500).values() for record in records]
        if batch:
            yield batch
        elif all(reader.position(tp) >= end for tp, end in ends.items()):
            return


def _created(admin: KafkaAdminClient, topic: str, partitions: int) -> bool:
    try:
        admin.create_topics([NewTopic(topic, partitions, replication_factor=1)])
    except TopicAlreadyExistsError:  # another process got there first
        return False
    return True


def _dead_letter_view(record: Any) -> dict[str, object]:
    headers = {name: value.decode(errors="replace") for name, value in record.headers or []}
    return {
        "topic": headers.get("jiangong_original_topic"),
        "position": int(headers.get("jiangong_original_offset", -1)),
        "id": headers.get("ce_id"),
        "type": headers.get("ce_type"),
        "subject": headers.get("ce_subject"),
        "error": headers.get("jiangong_error"),
        "at": datetime.fromtimestamp(record.timestamp / 1000, UTC).isoformat(),
    }
