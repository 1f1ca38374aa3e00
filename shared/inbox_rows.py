"""The inbox's rows: ``(consumer, source, id)`` of every event a consumer applied, inserted a
batch at a time in the transaction that applies the batch. A row already there is an event
applied before: the insert skips it, and the consumer counts it as a duplicate.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, text
from sqlalchemy.orm import Session

EventKey = tuple[str, str, str]
"""``(source, id, type)`` of an event."""


class InboxRows:
    def __init__(self, table: Table, consumer: str):
        self.table = table
        self.consumer = consumer
        self._inserts: dict[str, Any] = {}

    def record(self, session: Session, events: Sequence[EventKey]) -> set[tuple[str, str]]:
        """Insert the rows of ``events`` not yet recorded, in one statement; the ``(source,
        id)`` of those it inserted (the others were applied before, or came twice in the
        batch)."""
        name = session.get_bind().dialect.name
        statement = self._inserts.get(name)
        if statement is None:
            statement = self._inserts[name] = self._insert_statement(name)
        parameters: dict[str, Any] = {"consumer": self.consumer, "now": datetime.now(UTC)}
        if name == "postgresql":
            parameters["sources"] = [source for source, _, _ in events]
            parameters["ids"] = [event_id for _, event_id, _ in events]
            parameters["types"] = [event_type for _, _, event_type in events]
        else:
            parameters["rows"] = json.dumps([list(event) for event in events])
        return {(source, event_id) for source, event_id in session.execute(statement, parameters)}

    def _insert_statement(self, dialect: str) -> Any:
        """``INSERT … ON CONFLICT DO NOTHING RETURNING`` for a whole batch, its rows passed as
        arrays (PostgreSQL) or one JSON text (SQLite): one statement text, whatever the batch's
        size, that SQLAlchemy compiles once and keeps. Its dialect constructs it compiles again
        on every execution (they cannot be cached), a third of a one-event batch's cost."""
        columns = "consumer, source, event_id, type, processed_at"
        if dialect == "postgresql":
            rows = (
                "SELECT :consumer, source, event_id, type, :now FROM unnest("
                "CAST(:sources AS TEXT[]), CAST(:ids AS TEXT[]), CAST(:types AS TEXT[])"
                ") AS batch(source, event_id, type)"
            )
        else:  # WHERE true: SQLite's upsert after a SELECT needs a WHERE to parse
            rows = (
                "SELECT :consumer, json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
                "json_extract(value, '$[2]'), :now "
                "FROM json_each(:rows) WHERE true"
            )
        sql = (
            f"INSERT INTO {self.table.name} ({columns}) {rows} "
            "ON CONFLICT DO NOTHING RETURNING source, event_id"
        )
        return text(sql).bindparams(bindparam("now", type_=self.table.c.processed_at.type))
