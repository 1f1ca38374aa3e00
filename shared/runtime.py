"""A service as the kernel knows it: its definition, and the runtime attached to its app.

Each service exports a ``ServiceDefinition`` from its ``service.py``: its name, its database
extension, its migrations, its API (title, blueprints), its command handlers, the schemas of the
events it produces, the events it consumes, its read models (rebuilt by replay), its scheduled
jobs and its demo loader. ``shared.app.create_app(definition, settings)`` builds the app and
attaches a :class:`Runtime` (the outbox, the settings, the cipher, the bus probe), reached
through :func:`runtime_of`. Views change state with :func:`execute`, jobs and loaders with
:func:`run` or :func:`unit_of_work`: one place builds the :class:`~shared.handling.Context` and
commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_migrate import Migrate
from flask_migrate import upgrade as alembic_upgrade
from flask_sqlalchemy import SQLAlchemy
from marshmallow import Schema
from sqlalchemy import Engine, Table
from sqlalchemy.orm import Session

from shared.clock import now_of
from shared.db import read_only, reading_only
from shared.handling import Context, Handlers, handle
from shared.inbox import Subscription
from shared.migrations import with_kernel_branch
from shared.outbox import Outbox
from shared.pii import PiiCipher
from shared.settings import Settings
from shared.tables import KernelTables
from shared.versions import MAX_AGE, AnswerCache, track_writes


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
    migrations: Path
    title: str = ""
    description: str = ""
    blueprints: Sequence[Any] = ()
    handlers: Handlers = field(default_factory=dict)
    produces: Mapping[str, type[Schema]] = field(default_factory=dict)
    consumes: Callable[[], Mapping[str, Subscription]] = dict
    read_models: Sequence[Table] = ()
    jobs: Sequence[Job] = ()
    load_demo: Callable[[Flask], None] | None = None
    keeps_pii: bool = False
    """A service that stores ID numbers gets a :class:`PiiCipher` in its context."""
    pages: Sequence[Any] = ()
    """Plain Flask blueprints for people, registered at the app's root (``/``, not the API)."""
    pages_setup: Callable[[Flask], None] | None = None
    """What a service with pages adds to its app once the kernel has built it (the workbench:
    its API client, CSRF protection, cookies and error pages); its configuration is read by
    :attr:`config` before."""
    config: Callable[[Mapping[str, str]], Any] | None = None
    """Reads the service's own ``JIANGONG_*`` settings into its typed configuration, once, as
    the app is built (a bad value raises ``ConfigurationError`` naming it, so the service does
    not start); handlers reach it as ``ctx.config``, views through :func:`runtime_of`."""
    data_version: Table | None = None
    """The service's data version (``shared.versions``): reads marked ``kept_until_changed``
    are answered from what was computed at the same version."""
    at_start: Callable[[Flask], Any] | None = None
    """Run once as the embedded platform starts, before it serves: it holds the data dir, so
    nothing another process left unfinished in the service's database is still running (the
    registry fails the imports a stopped process was running)."""


@dataclass
class Runtime:
    """What the kernel attaches to a service's app, reached through :func:`runtime_of`."""

    app: Flask
    definition: ServiceDefinition
    settings: Settings
    outbox: Outbox
    cipher: PiiCipher | None = None
    config: Any = None
    bus_ping: Callable[[], bool] = lambda: True
    answers: AnswerCache = field(default_factory=lambda: AnswerCache(256, MAX_AGE))

    def now(self) -> datetime:
        return now_of(self.app)

    def context(self, session: Session, now: datetime | None = None) -> Context:
        return Context(
            session, self.outbox, now or self.now(), self.settings, self.cipher, self.config
        )


_RUNTIME = "jiangong"
PLATFORM_WSGI = "JIANGONG_PLATFORM_WSGI"
"""Embedded, the config key of every app that holds the whole platform's WSGI app."""


def runtime_of(app: Flask) -> Runtime:
    runtime: Runtime = app.extensions[_RUNTIME]
    return runtime


def init_service(app: Flask, definition: ServiceDefinition, settings: Settings) -> Runtime:
    """Attach migrations and the service's runtime (its outbox built now, not at import)."""
    Migrate(app, definition.db, directory=str(definition.migrations)).configure(with_kernel_branch)
    runtime = Runtime(
        app=app,
        definition=definition,
        settings=settings,
        outbox=Outbox(definition.kernel.outbox, definition.name, definition.produces),
        cipher=PiiCipher(settings.pii_key) if definition.keeps_pii else None,
        config=definition.config(settings.extra) if definition.config else None,
    )
    app.extensions[_RUNTIME] = runtime
    if definition.data_version is not None:
        with app.app_context():
            track_writes(definition.db.engine, definition.data_version)
    return runtime


def migrate(app: Flask) -> None:
    """Bring the service's database to the latest of its own revisions and of the kernel's."""
    definition = runtime_of(app).definition
    with app.app_context():
        alembic_upgrade(directory=str(definition.migrations), revision="heads")


def engine_of(app: Flask) -> Engine:
    with app.app_context():
        return runtime_of(app).definition.db.engine


def execute(command: object, *, reload: bool = True) -> Any:
    """For a view: run the command in the request's transaction and commit it.

    The records the command returns are loaded again when the view reads them after the commit
    (the session expires them). ``reload=False`` answers from them as the command left them: for
    a command that sets every value it changes through the ORM (no Core ``UPDATE`` behind the
    session's back, no database default), it spares a query the answer does not need."""
    runtime = runtime_of(current_app)
    session = runtime.definition.db.session
    if reading_only():  # a command in a read request: its transaction may write
        read_only(False)
        if session().in_transaction():
            session.rollback()  # what it read is read again, under the write lock
    session().expire_on_commit = reload
    try:
        result = handle(runtime.definition.handlers, runtime.context(session()), command)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session().expire_on_commit = True
    # What the view reads after its command (the answer's rows, loaded again after the commit)
    # needs no write lock: on SQLite it would queue behind the relay and the consumers.
    read_only(True)
    return result


@contextmanager
def unit_of_work(app: Flask) -> Iterator[Context]:
    """For a job or a loader: an app context, a context, one commit (rollback on error)."""
    runtime = runtime_of(app)
    with app.app_context():
        session = runtime.definition.db.session
        try:
            yield runtime.context(session())
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.remove()


def run(app: Flask, command: object) -> Any:
    """Run one command outside a request (a job, the demo), in its own transaction."""
    with unit_of_work(app) as ctx:
        return handle(runtime_of(app).definition.handlers, ctx, command)


def run_each(app: Flask, commands: Mapping[str, object], *skip: type[Exception]) -> list[str]:
    """Run commands one transaction each; a command refused with one of ``skip`` is left out.

    Returns the keys of the commands that ran (a job reports what it did)."""
    done = []
    for key, command in commands.items():
        try:
            run(app, command)
            done.append(key)
        except skip:
            continue
    return done
