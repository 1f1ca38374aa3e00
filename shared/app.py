"""The app factory: the kernel builds every service's Flask app from its ``ServiceDefinition``.

Settings, database, migrations, the runtime (outbox, cipher), auth, the problem-details API
with its OpenAPI document, the service's blueprints under ``/api/v1``, its AsyncAPI document,
the health probes and ``/metrics`` (:mod:`shared.metrics`). No service writes an app factory of
its own. In production it first refuses what only embedded mode may use
(:meth:`~shared.settings.Settings.refuse_unfit_for_production`): ``serve``, ``worker`` and
``migrate`` all start here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, request
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from shared.asyncapi import asyncapi_blueprint
from shared.auth import TokenVerifier, init_auth
from shared.db import configure_database
from shared.errors import ConcurrentChange, DomainError
from shared.http.docs import ProblemApi, api_config, docs_assets_blueprint
from shared.http.health import health_blueprint
from shared.http.parser import refuse_nul_in_path
from shared.http.problems import problem_of, problem_response
from shared.logs import init_request_ids
from shared.metrics import init_metrics
from shared.migration_env import at_head
from shared.runtime import ServiceDefinition, engine_of, init_service, runtime_of
from shared.settings import Settings
from shared.write_probe import WriteProbe

log = logging.getLogger(__name__)


def create_app(
    definition: ServiceDefinition,
    settings: Settings | None = None,
    config: Mapping[str, Any] | None = None,
) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(f"services.{definition.name}")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config.update(api_config(definition.title, description=definition.description))
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    app.config["MAX_JSON_BYTES"] = settings.max_json_bytes
    app.config.update(config or {})
    settings.refuse_unfit_for_production(definition.name, app.config.get("DATABASE_URL"))
    url = app.config.get("DATABASE_URL") or settings.database_url_for(definition.name)
    configure_database(app, definition.db, url)
    runtime = init_service(app, definition, settings)
    init_auth(app, TokenVerifier(settings.secret, settings.jwks_url))
    init_request_ids(app)
    metrics = init_metrics(app, definition.name, route=app.config.get("METRICS_ROUTE", True))
    metrics.watch_outbox(lambda: engine_of(app), runtime.outbox)

    api = ProblemApi(app)
    checks: dict[str, Callable[[], bool]] = {
        "database": lambda: at_head(app),
        "bus": lambda: bool(runtime.bus_ping()),
        "writes": WriteProbe(
            lambda: engine_of(app), definition.kernel.inbox, settings.max_upload_bytes
        ),
    }
    api.register_blueprint(health_blueprint(checks))
    for blueprint in definition.blueprints:
        api.register_blueprint(blueprint, url_prefix="/api/v1")
    for page in definition.pages:
        app.register_blueprint(page)
    if definition.pages_setup is not None:
        definition.pages_setup(app)
    app.register_blueprint(asyncapi_blueprint(app))
    app.register_blueprint(docs_assets_blueprint())
    app.url_value_preprocessor(refuse_nul_in_path)
    app.register_error_handler(DomainError, problem_of)
    app.register_error_handler(IntegrityError, _lost_race(definition))
    app.register_error_handler(OperationalError, _database_away(definition))
    app.register_error_handler(DataError, _value_refused(definition))
    return app


DATABASE_AWAY = "The database did not answer; try again in a moment."


def _database_away(definition: ServiceDefinition) -> Callable[[OperationalError], Response]:
    """The database refused or dropped the connection (restarted, unreachable, or SQLite's
    lock held past its busy timeout): a 503 to try again, not a 500. The pool has already
    let go of a dropped connection, so the next request connects again.

    Logged without the database's message: it may carry the statement's parameters."""

    def answer(error: OperationalError) -> Response:
        _warn(definition, "did not answer", error)
        try:
            definition.db.session.rollback()
        except Exception:  # the connection is gone: nothing to roll back
            log.debug("no rollback after the database went away", exc_info=True)
        return problem_response(503, DATABASE_AWAY, headers={"Retry-After": "1"})

    return answer


VALUE_REFUSED = "The request holds a value the database can neither store nor look up."


def _value_refused(definition: ServiceDefinition) -> Callable[[DataError], Response]:
    """A value the database refuses as a value: PostgreSQL takes no NUL in a text, not even to
    look one up, so an id or a code sent with one (``worker_id: "w\\u0000"``, ``?q=%00``) is a
    422, not a 500. A text a person reads never gets this far (``shared.text``).

    Logged without the database's message: it may carry the statement's parameters."""

    def answer(error: DataError) -> Response:
        _warn(definition, "refused a value of", error)
        definition.db.session.rollback()
        return problem_response(422, VALUE_REFUSED)

    return answer


def _warn(definition: ServiceDefinition, what: str, error: DBAPIError) -> None:
    """One line saying what the database did to which request, without its message."""
    log.warning(
        "%s: the database %s %s %s (%s)",
        definition.name,
        what,
        request.method,
        request.path,
        type(error.orig).__name__,
    )


def _lost_race(definition: ServiceDefinition) -> Callable[[IntegrityError], Response]:
    """A unique index another request won between our check and our write: a 409, not a 500.

    Not logged: the database's message carries the statement's parameters (names)."""

    def answer(_error: IntegrityError) -> Response:
        definition.db.session.rollback()
        return problem_of(ConcurrentChange())

    return answer


def settings_of(app: Flask) -> Settings:
    return runtime_of(app).settings
