"""The registry's Flask app: regions, enterprises, workers and union membership."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response
from sqlalchemy.exc import IntegrityError

from shared.app import create_service_app, settings_of
from shared.http import map_errors, problem_response
from shared.pii import PiiCipher
from shared.settings import Settings


def create_app(settings: Settings | None = None, config: Mapping[str, Any] | None = None) -> Flask:
    from services.registry.api import enterprises, imports, regions, stats, workers
    from services.registry.api.access import CIPHER
    from services.registry.domain.errors import Conflict, InvalidValue, NotFound, UnsupportedFile
    from services.registry.service import SERVICE

    app = create_service_app(
        SERVICE,
        [regions.blp, enterprises.blp, workers.blp, imports.blp, stats.blp],
        title="Jiangong registry",
        description="Regions, enterprises, workers and union membership: who exists.",
        settings=settings,
        config=config,
    )
    app.extensions[CIPHER] = PiiCipher(settings_of(app).pii_key)
    map_errors(app, {InvalidValue: 422, NotFound: 404, Conflict: 409, UnsupportedFile: 415})
    app.register_error_handler(IntegrityError, _lost_race)
    return app


def _lost_race(_error: IntegrityError) -> Response:
    """A unique index another request won between our check and our write: a 409, not a 500.

    Not logged: the database's message carries the statement's parameters (names)."""
    from services.registry.adapters.orm import db
    from services.registry.domain.errors import ConcurrentChange

    db.session.rollback()
    conflict = ConcurrentChange()
    return problem_response(409, str(conflict), title=ConcurrentChange.__doc__)
