"""One service's app per test, on a fresh copy of the run's migrated SQLite or PostgreSQL
template (:mod:`tests.support.templates`), and the three fixtures every service's integration
tests share: ``world`` (SQLite), ``pg_world`` (PostgreSQL, skipped without it) and
``any_world`` (the same test on both).

A service's conftest says how a world wraps its app; this module builds and disposes of it::

    world, pg_world, any_world = world_fixtures(SERVICE, World)

:class:`ServiceWorld` is what every service's world starts from: the app, its client and clock,
and the service's real event paths, driven by the test instead of by threads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from cloudevents.core.v1.event import CloudEvent
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shared.app import create_app, settings_of
from shared.auth import issue_token
from shared.bus import InProcessBus
from shared.clock import CLOCK
from shared.events import topic_of
from shared.inbox import Consumer, Delivery
from shared.outbox import OutboxRecord
from shared.relay import Relay
from shared.runtime import ServiceDefinition, engine_of, migrate, runtime_of
from shared.settings import Settings

W = TypeVar("W")


def service_app(
    service: ServiceDefinition,
    tmp_path: Path,
    database_url: str | None = None,
    *,
    migrated: bool = False,
    **environ: str,
) -> Flask:
    """The service's app at its latest migration, on ``database_url`` (else on a SQLite file
    in ``tmp_path``), which it migrates unless it is ``migrated`` already (a copy of the run's
    template); ``environ`` adds ``JIANGONG_*`` settings."""
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path), **environ})
    app = create_app(service, settings, {"DATABASE_URL": database_url} if database_url else None)
    if not migrated:
        migrate(app)
    return app


class ServiceWorld:
    """One service's app and what every service's tests drive it with: its test client, tokens,
    the clock it acts at (``now``, which a test may move), and its real event paths, without
    threads. Other services' events are handed to its consumer as a bus would hand them over
    (again, if a test sends one twice) and kept on an in-process bus for a replay; its own
    outbox is relayed onto that bus and consumed again by :meth:`pump`."""

    def __init__(self, app: Flask, service: ServiceDefinition, now: datetime):
        self.app = app
        self.service = service
        self.client: FlaskClient = app.test_client()
        self.now = now
        app.config[CLOCK] = lambda: self.now
        runtime = runtime_of(app)
        self.engine = engine_of(app)
        self.bus = InProcessBus()
        self.relay = Relay(self.engine, runtime.outbox, self.bus)
        self.consumer = Consumer(
            service.name,
            self.engine,
            service.kernel.inbox,
            service.consumes(),
            context=runtime.context,
        )
        self.cursor = 0
        """How far into its own topic :meth:`pump` has consumed."""
        self.offsets: dict[str, int] = {}
        """The last offset handed over on each topic."""

    def auth(self, role: str = "admin", scope: str | None = None) -> dict[str, str]:
        token = issue_token(settings_of(self.app).secret, role, scope)
        return {"Authorization": f"Bearer {token}"}

    def deliver(self, *events: CloudEvent, topic: str | None = None) -> None:
        """Hand events to the consumer in one batch, each on its producer's topic (or on
        ``topic``), and keep them on the bus, as their producer publishes them."""
        deliveries = []
        for event in events:
            on = topic or topic_of(event.get_source().rsplit("/", 1)[-1])
            self.offsets[on] = self.offsets.get(on, 0) + 1
            deliveries.append(Delivery(on, 0, self.offsets[on], event=event))
        assert self.consumer.handle(deliveries) == []
        for delivery in deliveries:
            self.bus.publish(delivery.topic, [OutboxRecord.of(delivery.offset, delivery.decode())])

    def pump(self) -> int:
        """Relay the outbox onto the bus and consume until nothing new is published; returns
        how many of its own events the service consumed."""
        own = topic_of(self.service.name)
        consumed = 0
        while True:
            self.relay.drain()
            log = self.bus.log(own)[self.cursor :]
            if not log:
                return consumed
            self.cursor += len(log)
            deliveries = [Delivery(own, 0, position, event=event) for position, event in log]
            assert self.consumer.handle(deliveries) == []
            consumed += len(deliveries)

    def published(self, event_type: str) -> list[dict[str, Any]]:
        """The data of every event of that type the service wrote to its outbox, in order."""
        table = self.service.kernel.outbox
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.c.data).where(table.c.type == event_type).order_by(table.c.position)
            ).scalars()
            return [dict(data) for data in rows]


def world_fixtures(
    service: ServiceDefinition,
    build: Callable[[Flask], W],
    names: tuple[str, str, str] = ("world", "pg_world", "any_world"),
    environ: Mapping[str, str] | None = None,
) -> tuple[Any, Any, Any]:
    """The SQLite, PostgreSQL and either-backend fixtures, named ``names``, each a world
    ``build(app)`` around the service's app on a copy of the run's migrated template (with
    ``environ``'s settings); each is disposed of (its engine) after its test."""
    sqlite_name, postgres_name, either_name = names

    def built_on(tmp_path: Path, copy: str) -> W:
        return build(service_app(service, tmp_path, copy, migrated=True, **(environ or {})))

    def dispose(built: Any) -> None:
        with built.app.app_context():
            service.db.engine.dispose()

    @pytest.fixture(name=sqlite_name)
    def world(tmp_path: Path, sqlite_templates: Any) -> Iterator[W]:
        built = built_on(tmp_path, sqlite_templates.copy(service, tmp_path))
        yield built
        dispose(built)

    @pytest.fixture(name=postgres_name)
    def pg_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[W]:
        """A world on a PostgreSQL database of its own (skipped without PostgreSQL)."""
        with request.getfixturevalue("postgres_templates").copy(service) as url:
            built = built_on(tmp_path, url)
            yield built
            dispose(built)

    @pytest.fixture(
        name=either_name,
        params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    )
    def any_world(request: pytest.FixtureRequest) -> W:
        """The same world on SQLite and on PostgreSQL."""
        name = sqlite_name if request.param == "sqlite" else postgres_name
        built: W = request.getfixturevalue(name)
        return built

    return world, pg_world, any_world
