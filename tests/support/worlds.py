"""One service's app per test, on SQLite in ``tmp_path`` or on a scratch PostgreSQL database,
and the three fixtures every service's integration tests share: ``world`` (SQLite),
``pg_world`` (PostgreSQL, skipped without it) and ``any_world`` (the same test on both).

A service's conftest says how a world wraps its app; this module builds and disposes of it::

    world, pg_world, any_world = world_fixtures(SERVICE, World)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask

from shared.app import create_app
from shared.runtime import ServiceDefinition, migrate
from shared.settings import Settings
from tests.support.postgres import scratch_database

W = TypeVar("W")


def service_app(
    service: ServiceDefinition,
    tmp_path: Path,
    database_url: str | None = None,
    **environ: str,
) -> Flask:
    """The service's app at its latest migration; ``environ`` adds ``JIANGONG_*`` settings."""
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path), **environ})
    app = create_app(service, settings, {"DATABASE_URL": database_url} if database_url else None)
    migrate(app)
    return app


def world_fixtures(
    service: ServiceDefinition, build: Callable[[Path, str | None], W]
) -> tuple[Any, Any, Any]:
    """``world``, ``pg_world`` and ``any_world`` for ``build(tmp_path, database_url)``."""

    def dispose(built: Any) -> None:
        with built.app.app_context():
            service.db.engine.dispose()

    @pytest.fixture
    def world(tmp_path: Path) -> Iterator[W]:
        built = build(tmp_path, None)
        yield built
        dispose(built)

    @pytest.fixture
    def pg_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[W]:
        """A world on a scratch PostgreSQL database of its own (skipped without PostgreSQL)."""
        admin = request.getfixturevalue("postgres_url")
        with scratch_database(admin, prefix=f"jiangong_{service.name}") as url:
            built = build(tmp_path, url)
            yield built
            dispose(built)

    @pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
    def any_world(request: pytest.FixtureRequest) -> W:
        """The same world on SQLite and on PostgreSQL."""
        built: W = request.getfixturevalue("world" if request.param == "sqlite" else "pg_world")
        return built

    return world, pg_world, any_world
