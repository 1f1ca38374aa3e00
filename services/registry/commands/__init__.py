"""The registry's commands: plain functions that take a session and the outbox, check the
rules, and write their rows and their events in the caller's transaction. The caller commits
(``commit`` below), so a command that raises leaves neither a row nor an event behind."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.registry.domain.errors import ConcurrentChange


def commit(session: Session) -> None:
    """Commit; a unique index that another request won meanwhile is a 409, not a 500."""
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise ConcurrentChange() from error
