"""The two ways the dashboard writes a fact, both idempotent and tolerant of order.

- :func:`replicate`, for records that change (enterprises, workers, entries): the row keeps the
  time and id of the event it reflects; an event not newer than that (by CloudEvents ``time``,
  then id) changes nothing, so the newest event wins whatever order they come in.
- :func:`record_once`, for facts that never change (a promotion, an approval, a designation, a
  training): the row is inserted if its key is new, else left alone.

Either calls :func:`~services.dashboard.adapters.version.changed` only when a value a count
reads moved, so the stream speaks only when a count may have changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from services.dashboard.adapters.version import changed
from shared.clock import as_utc
from shared.db import upsert
from shared.inbox import Received


def replicate(
    session: Session, model: type, key: str, values: Mapping[str, Any], event: Received
) -> bool:
    """Write ``values`` on the row ``key`` if ``event`` is newer than the row; True if it was."""
    row = session.get(model, key, with_for_update=True)
    if row is not None and (as_utc(event.time), event.id) <= (
        as_utc(row.as_of),
        row.as_of_event,
    ):
        return False  # the row reflects this event or a later one
    if row is None:
        row = model(id=key)
        session.add(row)
        changed(session)
    elif any(getattr(row, name) != value for name, value in values.items()):
        changed(session)
    for name, value in values.items():
        setattr(row, name, value)
    row.as_of, row.as_of_event = event.time, event.id
    return True


def record_once(session: Session, model: type, values: Mapping[str, Any]) -> bool:
    """Insert the fact unless its key is already there; True if it was new."""
    table = model.__table__  # type: ignore[attr-defined]
    key = [column.name for column in table.primary_key.columns]
    statement = (
        upsert(session, table)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*(table.c[name] for name in key))
    )
    inserted = session.execute(statement).first() is not None
    if inserted:
        changed(session)
    return inserted
