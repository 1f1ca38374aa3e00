"""Scheduled jobs: deadlines move competitions by themselves.

``close_expired_registrations`` closes every open competition whose registration deadline has
passed, one transaction each, exactly as an admin's ``close`` would. Running it twice changes
nothing twice: the second run finds them closed already.
"""

from __future__ import annotations

import logging

from flask import Flask

from services.competitions.adapters.repository import due_to_close
from services.competitions.commands import MoveCompetition
from services.competitions.domain.errors import InvalidTransition
from services.competitions.domain.model import Action
from shared.runtime import run_each, unit_of_work

log = logging.getLogger(__name__)


def close_expired_registrations(app: Flask) -> list[str]:
    """Close the open competitions whose deadline passed; returns the ids it closed."""
    with unit_of_work(app) as ctx:
        due = due_to_close(ctx.session, ctx.now)
    moves = {
        competition_id: MoveCompetition(competition_id, Action.CLOSE) for competition_id in due
    }
    closed = run_each(app, moves, InvalidTransition)  # closed meanwhile by an admin: skipped
    if closed:
        log.info("closed %d competitions whose registration deadline passed", len(closed))
    return closed
