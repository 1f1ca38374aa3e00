"""What a service is to the runner: its definition, its app, and the worker that runs beside it.

Each service exports a ``ServiceDefinition``: its name, its database extension, its migrations,
the schemas of the events it produces, the events it consumes, its read models (rebuilt by
replay), its scheduled jobs and its demo loader. ``ServiceWorker`` runs the relay, the consumer
and the scheduler in background threads, for ``jiangong worker`` and ``jiangong up`` alike.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import Migrate
from flask_migrate import upgrade as alembic_upgrade
from flask_sqlalchemy import SQLAlchemy
from marshmallow import Schema
from sqlalchemy import Engine, Table, delete
from sqlalchemy.orm import Session

from shared.bus import Bus
from shared.inbox import Consumer, Subscription
from shared.outbox import Outbox, Relay
from shared.tables import KernelTables

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A scheduled job: ``run(app)`` every ``seconds``; running it twice changes nothing twice."""

    id: str
    seconds: float
    run: Callable[[Flask], Any]


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    db: SQLAlchemy
    kernel: KernelTables
    create_app: Callable[..., Flask]
    migrations: Path
    produces: Mapping[str, type[Schema]] = field(default_factory=dict)
    consumes: Callable[[], Mapping[str, Subscription]] = dict
    read_models: Sequence[Table] = ()
    jobs: Sequence[Job] = ()
    load_demo: Callable[[Flask], None] | None = None

    def __post_init__(self) -> None:
        # one outbox per service in a process: commands, consumers and the relay share it
        object.__setattr__(self, "_outbox", Outbox(self.kernel.outbox, self.name, self.produces))

    def outbox(self) -> Outbox:
        outbox: Outbox = self._outbox  # type: ignore[attr-defined]
        return outbox


def init_service(app: Flask, definition: ServiceDefinition) -> None:
    """Attach migrations and the service's outbox to its app."""
    Migrate(app, definition.db, directory=str(definition.migrations))
    app.extensions["jiangong.service"] = definition
    app.extensions["jiangong.outbox"] = definition.outbox()


def migrate(app: Flask) -> None:
    definition: ServiceDefinition = app.extensions["jiangong.service"]
    with app.app_context():
        alembic_upgrade(directory=str(definition.migrations))


def engine_of(app: Flask) -> Engine:
    definition: ServiceDefinition = app.extensions["jiangong.service"]
    with app.app_context():
        return definition.db.engine


class ServiceWorker:
    """The relay, the consumer and the scheduled jobs of one service, in background threads."""

    def __init__(self, app: Flask, bus: Bus, poll_interval: float = 0.2):
        self.app = app
        self.bus = bus
        self.definition: ServiceDefinition = app.extensions["jiangong.service"]
        self.engine = engine_of(app)
        self.relay = Relay(self.engine, app.extensions["jiangong.outbox"], bus)
        self.poll_interval = poll_interval
        self.stop_event = threading.Event()
        self._threads: list[threading.Thread] = []
        self._scheduler: Any = None
        subscriptions = self.definition.consumes()
        self.consumer = (
            Consumer(self.definition.name, self.engine, self.definition.kernel.inbox, subscriptions)
            if subscriptions
            else None
        )

    def start(self) -> None:
        self._spawn(self._relay_loop, "relay")
        consumer = self.consumer
        if consumer is not None:
            self._spawn(lambda: self.bus.run_consumer(consumer, self.stop_event), "consumer")
        if self.definition.jobs:
            self._start_scheduler()

    def _spawn(self, target: Callable[[], None], role: str) -> None:
        thread = threading.Thread(target=target, name=f"{self.definition.name}-{role}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _relay_loop(self) -> None:
        self.relay.run(self.stop_event, self.relay.outbox.committed, self.poll_interval)

    def _start_scheduler(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
        for job in self.definition.jobs:
            self._scheduler.add_job(
                job.run,
                "interval",
                seconds=job.seconds,
                args=[self.app],
                id=job.id,
                max_instances=1,
                coalesce=True,
            )
        self._scheduler.start()

    def stop(self) -> None:
        """Stop taking work, let running batches finish, and publish what is left."""
        self.stop_event.set()
        self.relay.outbox.committed.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
        for thread in self._threads:
            thread.join(timeout=30)
        try:
            self.relay.drain()
            self.relay.close()
        except Exception:
            log.exception(
                "%s could not publish its last rows; they stay in the outbox", self.definition.name
            )

    def replay(self) -> int:
        """Empty the read models and this consumer's inbox, then rebuild from the topics."""
        if self.consumer is None:
            return 0
        with Session(self.engine) as session, session.begin():
            for table in reversed(self.definition.read_models):
                session.execute(delete(table))
            inbox = self.definition.kernel.inbox
            session.execute(delete(inbox).where(inbox.c.consumer == self.consumer.group))
        return self.bus.replay(self.consumer)
