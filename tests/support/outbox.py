"""The outbox the unit tests hand the handlers: it keeps what they stage, in order, in memory,
and refuses what the kernel's outbox would refuse (``shared.outbox.Outbox.add_many``).

Each event's data is loaded with the schema its service declares for that type
(``services/<name>/events.py``, ``PRODUCES``): a type the service does not publish, or data
its schema refuses, raises :class:`~shared.outbox.EventDataInvalid`, as in production, so a
handler that stages a malformed event fails its unit test."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import Schema, ValidationError

from shared.outbox import EventDataInvalid


class RecordingOutbox:
    """Staged events, ``(type, subject, data)``, each checked by its producer's schema."""

    def __init__(self, schemas: Mapping[str, type[Schema]]):
        self.schemas = schemas
        self.added: list[tuple[str, str, dict[str, Any]]] = []

    def add(self, session: object, event_type: str, subject: str, data: Mapping[str, Any]) -> None:
        self.add_many(session, event_type, [(subject, data)])

    def add_many(
        self, session: object, event_type: str, events: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> None:
        if event_type not in self.schemas:
            raise EventDataInvalid(f"the service publishes no {event_type}")
        try:
            self.schemas[event_type](many=True).load([dict(data) for _, data in events])
        except ValidationError as refused:
            raise EventDataInvalid(f"{event_type}: {refused.messages}") from refused
        self.added.extend((event_type, subject, dict(data)) for subject, data in events)

    def types(self) -> list[str]:
        return [event_type for event_type, _, _ in self.added]

    def of(self, event_type: str) -> list[dict[str, Any]]:
        """The data of the events of that type, in order."""
        return [data for staged, _, data in self.added if staged == event_type]
