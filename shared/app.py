"""The app factory every service's ``create_app`` calls: settings, database, migrations, auth,
the problem-details API with its OpenAPI document, and the health probes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask
from flask_smorest import Blueprint

from shared.asyncapi import asyncapi_blueprint
from shared.auth import TokenVerifier, init_auth
from shared.db import configure_database
from shared.http import ProblemApi, api_config, docs_assets_blueprint, health_blueprint
from shared.migration_env import at_head
from shared.service import ServiceDefinition, init_service
from shared.settings import Settings


def create_service_app(
    definition: ServiceDefinition,
    blueprints: Iterable[Blueprint],
    *,
    title: str,
    description: str,
    settings: Settings | None = None,
    config: Mapping[str, Any] | None = None,
) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(f"services.{definition.name}")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config.update(api_config(title, description=description))
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    app.config["JIANGONG_SETTINGS"] = settings
    app.config.update(config or {})
    url = app.config.get("DATABASE_URL") or settings.database_url_for(definition.name)
    configure_database(app, definition.db, url)
    init_service(app, definition)
    init_auth(app, TokenVerifier(settings.secret, settings.jwks_url))
    app.extensions.setdefault("jiangong.bus_ping", lambda: True)

    api = ProblemApi(app)
    checks: dict[str, Callable[[], bool]] = {
        "database": lambda: at_head(app),
        "bus": lambda: bool(app.extensions["jiangong.bus_ping"]()),
    }
    api.register_blueprint(health_blueprint(checks))
    for blueprint in blueprints:
        api.register_blueprint(blueprint, url_prefix="/api/v1")
    app.register_blueprint(asyncapi_blueprint(app))
    app.register_blueprint(docs_assets_blueprint())
    app.extensions["jiangong.api"] = api
    return app


def settings_of(app: Flask) -> Settings:
    settings: Settings = app.config["JIANGONG_SETTINGS"]
    return settings
