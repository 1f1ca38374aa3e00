"""The two ways the dashboard writes a fact, both idempotent and tolerant of order.

- :func:`replicate`, for records that change (enterprises, workers, entries, competitions): the
  kernel's :func:`~shared.replica.apply_newer`, so the newest event (by CloudEvents ``time``,
  then id, compared under the row's lock) wins whatever order they come in.
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
from shared.db import upsert
from shared.inbox import Received
from shared.replica import Applied, apply_newer


def replicate(
    session: Session, model: type, key: str, values: Mapping[str, Any], event: Received
) -> bool:
    """Write ``values`` on the row ``key`` if ``event`` is newer than the row; True if it was."""
    applied = apply_newer(session, model, key, values, event)
    if applied is Applied.MOVED:
        changed(session)
    return applied is not Applied.NOT_NEWER


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
