"""A replica row as the newest event about its record describes it.

A service that keeps another's records (the registry's enterprises and workers, the
competitions' entries) writes each event to one row, keyed by the record's ``id``, that
remembers the time and id of the event it reflects (``as_of``, ``as_of_event``). An event is
applied only if it is newer by (CloudEvents ``time``, then id): events delivered twice, replayed
or out of order leave the row as the newest describes it, and two events of the same time are
ordered by their ids, the same way in every run and in every service.

The comparison is made under the row's lock, so that two transactions applying events about
one record at once (two consumers, a replay beside a consumer) cannot both find themselves
newer: on PostgreSQL the row is read ``FOR UPDATE``. A row not there yet is added; if a
concurrent transaction created it meanwhile, the primary key refuses the second insert, the
consumer rolls that batch back and applies its events again one at a time
(:mod:`shared.inbox`), and then the row is there to lock and compare. On SQLite a transaction
that writes begins with ``BEGIN IMMEDIATE`` (:mod:`shared.db`): it holds the database's write
lock from its first statement.

The insert is the ORM's, not ``INSERT … ON CONFLICT DO NOTHING``: the dialects' upserts are
compiled again on every execution, which cost a consumer of new workers (the registry's
import) a fifth to two fifths of its events a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from shared.clock import as_utc
from shared.inbox import Received


class Applied(Enum):
    """What :func:`apply_newer` did with an event."""

    NOT_NEWER = "not newer"
    """The row reflects this event or a newer one: nothing was written."""
    SAME_VALUES = "same values"
    """The event was newer, but left every value as it was (only ``as_of`` moved)."""
    MOVED = "moved"
    """The row was created, or a value changed."""


def apply_newer(
    session: Session, model: type[Any], key: str, values: Mapping[str, Any], event: Received
) -> Applied:
    """Write ``values`` on ``model``'s row ``key`` if ``event`` is newer than the row, creating
    the row if absent (with the columns' defaults for what ``values`` leaves out)."""
    row = _locked(session, model, key)
    if row is None:
        session.add(model(id=key, **values, as_of=event.time, as_of_event=event.id))
        return Applied.MOVED
    if (as_utc(event.time), event.id) <= (as_utc(row.as_of), row.as_of_event):
        return Applied.NOT_NEWER
    moved = any(getattr(row, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(row, name, value)
    row.as_of, row.as_of_event = event.time, event.id
    return Applied.MOVED if moved else Applied.SAME_VALUES


def _locked(session: Session, model: type[Any], key: str) -> Any:
    """The row read again under its lock (values another transaction committed included)."""
    return session.get(model, key, with_for_update=True, populate_existing=True)
