"""Scheduled jobs: deadlines move competitions by themselves.

``close_expired_registrations`` closes every open competition whose registration deadline has
passed, one transaction each. Running it twice changes nothing twice: the second run finds
them closed already.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import select

from services.competitions import commands
from services.competitions.adapters.orm import CompetitionRow, db
from services.competitions.clock import now_of
from services.competitions.domain.errors import InvalidTransition
from services.competitions.domain.model import Action, Status
from services.competitions.handlers import Context, handle

log = logging.getLogger(__name__)


def close_expired_registrations(app: Flask) -> list[str]:
    """Close the open competitions whose deadline passed; returns the ids it closed."""
    closed = []
    with app.app_context():
        now = now_of(app)
        due = db.session.scalars(
            select(CompetitionRow.id).where(
                CompetitionRow.status == Status.OPEN.value,
                CompetitionRow.registration_closes_at <= now,
            )
        ).all()
        outbox = app.extensions["jiangong.outbox"]
        for competition_id in due:
            try:
                handle(
                    Context(db.session, outbox, now),
                    commands.MoveCompetition(competition_id, Action.CLOSE),
                )
                db.session.commit()
                closed.append(competition_id)
            except InvalidTransition:  # closed meanwhile by an admin: nothing to do
                db.session.rollback()
        db.session.remove()
    if closed:
        log.info("closed %d competitions whose registration deadline passed", len(closed))
    return closed
