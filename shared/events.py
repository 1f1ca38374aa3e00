"""The CloudEvents envelope, the topic names and the platform's catalogue of event types.

An event is a ``cloudevents`` v1 ``CloudEvent``: ``id`` (UUID), ``source``
(``/jiangong/<service>``), ``type`` (``jiangong.<noun>.<verb-past>.v<N>``), ``time`` (UTC),
``subject`` (the aggregate id) and JSON ``data``. Over Kafka it travels in the binary content
mode: the attributes as ``ce_*`` headers, the data as the value, the subject as the key.
``(source, id)`` identifies it everywhere.

Each type's ``data`` schema is owned by its producer; this module only knows the names, so that
a consumer can tell an unknown type (poison) from a known one it does not handle (skipped).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.bindings import kafka as kafka_binding
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from shared.logs import REQUEST_ID_EXTENSION

_FORMAT = JSONFormat()

CATALOGUE: dict[str, str] = {
    f"jiangong.{name}": producer
    for producer, names in {
        "registry": (
            "enterprise.registered.v1",
            "enterprise.updated.v1",
            "enterprise.deregistered.v1",
            "worker.registered.v1",
            "worker.updated.v1",
            "worker.transferred.v1",
            "worker.left.v1",
        ),
        "competitions": (
            "competition.opened.v1",
            "competition.closed.v1",
            "competition.published.v1",
            "entry.registered.v1",
            "entry.withdrawn.v1",
            "score.recorded.v1",
            "results.published.v1",
            "award.granted.v1",
            "leaderboard.updated.v1",
        ),
        "certification": (
            "assessment.recorded.v1",
            "skill.promoted.v1",
            "certificate.issued.v1",
            "certificate.revoked.v1",
            "studio.approved.v1",
            "skill_leader.designated.v1",
            "training.completed.v1",
        ),
    }.items()
    for name in names
}
"""Every event type of the platform and the service that produces it."""


class UnknownEventType(ValueError):
    """A type that is not in the platform's catalogue."""


class MalformedEvent(ValueError):
    """A message that is not a CloudEvent this platform can read."""


def topic_of(service: str) -> str:
    return f"jiangong.{service}"


def dead_letter_topic(group: str) -> str:
    return f"jiangong.dlq.{group}"


def source_of(service: str) -> str:
    return f"/jiangong/{service}"


def new_event(
    service: str,
    event_type: str,
    subject: str,
    data: Mapping[str, Any],
    request_id: str | None = None,
) -> CloudEvent:
    """A new event of ``service`` about aggregate ``subject``; the type must be in the catalogue.

    ``request_id``, the request that caused it, travels as the extension attribute
    ``jiangongrequestid`` (``ce_jiangongrequestid`` on Kafka)."""
    if CATALOGUE.get(event_type) != service:
        raise UnknownEventType(f"{event_type} is not an event type that {service} produces")
    attributes: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "source": source_of(service),
        "type": event_type,
        "subject": subject,
        "time": datetime.now(UTC),
        "datacontenttype": "application/json",
    }
    if request_id:
        attributes[REQUEST_ID_EXTENSION] = request_id
    return CloudEvent(attributes=attributes, data=dict(data))


def restore_event(
    *,
    id: str,
    source: str,
    type: str,
    subject: str,
    time: datetime,
    data: Mapping[str, Any],
    request_id: str | None = None,
) -> CloudEvent:
    """The event as it was stored (by the outbox): same id, same time, same request id."""
    attributes: dict[str, Any] = {
        "id": id,
        "source": source,
        "type": type,
        "subject": subject,
        "time": time if time.tzinfo else time.replace(tzinfo=UTC),
        "datacontenttype": "application/json",
    }
    if request_id:
        attributes[REQUEST_ID_EXTENSION] = request_id
    return CloudEvent(attributes=attributes, data=dict(data))


def request_id_of(event: CloudEvent) -> str | None:
    """The id of the request that caused ``event``, if one did."""
    value = event.get_extension(REQUEST_ID_EXTENSION)
    return str(value) if value else None


@dataclass(frozen=True)
class Message:
    """A Kafka record in the binary content mode: key, value and headers as bytes."""

    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def to_message(event: CloudEvent) -> Message:
    time = event.get_time()
    assert time is not None, "every event of the platform has a time"
    return encode_binary(
        id=event.get_id(),
        source=event.get_source(),
        type=event.get_type(),
        subject=event.get_subject() or "",
        time=time,
        data_json=json.dumps(event.get_data()),
        request_id=request_id_of(event),
    )


def encode_binary(
    *,
    id: str,
    source: str,
    type: str,
    subject: str,
    time: datetime,
    data_json: str,
    request_id: str | None = None,
) -> Message:
    """The binary-mode record exactly as ``cloudevents``' ``kafka.to_binary`` writes it (a test
    holds the two equal), built directly from its parts: the relay encodes every event, from the
    outbox's stored JSON, and this is its hot path."""
    stamp = (time if time.tzinfo else time.replace(tzinfo=UTC)).isoformat()
    if stamp.endswith("+00:00"):
        stamp = stamp[:-6] + "Z"
    headers = [
        ("ce_id", id.encode()),
        ("ce_source", source.encode()),
        ("ce_type", type.encode()),
        ("ce_subject", subject.encode()),
        ("ce_time", stamp.encode()),
        ("content-type", b"application/json"),
        ("ce_specversion", b"1.0"),
    ]
    if request_id:
        headers.append((f"ce_{REQUEST_ID_EXTENSION}", request_id.encode()))
    return Message(key=subject.encode(), value=data_json.encode(), headers=headers)


def to_message_by_sdk(event: CloudEvent) -> Message:
    """The SDK's own mapping, which ``to_message`` must equal."""
    encoded = kafka_binding.to_binary(event, _FORMAT, key_mapper=lambda e: e.get_subject())
    key = encoded.key.encode() if isinstance(encoded.key, str) else (encoded.key or b"")
    return Message(key=key, value=encoded.value, headers=list(encoded.headers.items()))


def from_message(message: Message) -> CloudEvent:
    """Decode a record; raises ``MalformedEvent`` or ``UnknownEventType`` for a poison one."""
    headers = {name: value for name, value in message.headers}
    for required in ("ce_id", "ce_source", "ce_type", "ce_specversion"):
        if required not in headers:
            raise MalformedEvent(f"header {required} is missing")
    try:
        json.loads(message.value)
        event = CloudEvent(  # from_binary decodes; the v1 class is what the platform uses
            attributes=kafka_binding.from_binary(
                kafka_binding.KafkaMessage(headers=headers, key=None, value=message.value),
                _FORMAT,
                CloudEvent,
            ).get_attributes(),
            data=json.loads(message.value),
        )
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedEvent(f"not a readable CloudEvent: {error}") from error
    if event.get_type() not in CATALOGUE:
        raise UnknownEventType(f"{event.get_type()} is not in the event catalogue")
    if not isinstance(event.get_data(), dict):
        raise MalformedEvent("the event's data is not a JSON object")
    return event
