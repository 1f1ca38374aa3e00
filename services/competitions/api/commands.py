"""Running a command for a request: one transaction, committed when the handler returns."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from services.competitions.adapters.orm import db
from services.competitions.clock import now_of
from services.competitions.handlers import Context, handle
from shared.auth import Principal, authenticate


def execute(command: object) -> Any:
    context = Context(db.session, current_app.extensions["jiangong.outbox"], now_of(current_app))
    result = handle(context, command)
    db.session.commit()
    return result


def optional_principal() -> Principal | None:
    """The caller if they sent a token (a bad one is still a 401), else nobody."""
    if "Authorization" not in request.headers:
        return None
    return authenticate()
