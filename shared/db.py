"""Database set-up per service: Flask-SQLAlchemy; SQLite in WAL mode by default, else by URL."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, MetaData, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import Pool

from shared.write_queue import WriteQueue

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


SQLITE_BUSY_SECONDS = 30
"""How long a writer waits for its turn on a SQLite file before the request is answered 503."""
_WRITE_QUEUES: dict[str, WriteQueue] = {}
"""One queue of writers per SQLite file in this process (:mod:`shared.write_queue`)."""
_WRITING = "jiangong.write_queue"

SQLITE_POOL = {"pool_size": 40, "max_overflow": 20}
"""Connections kept per SQLite file: the embedded server's 32 threads and the worker's relay,
consumer and jobs may all use one service's file at once."""


def make_db() -> SQLAlchemy:
    """A fresh extension with its own metadata: one per service, so four can share a process."""

    class Model(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING_CONVENTION)

    return SQLAlchemy(model_class=Model)


def configure_database(app: Flask, db: SQLAlchemy, url: str) -> None:
    """Bind ``db`` to ``app`` at ``url``; SQLite files get their folder, WAL and a busy timeout."""
    # hide_parameters: a logged database error must not carry names or ID numbers
    options: dict[str, Any] = {"hide_parameters": True}
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        options = {
            "connect_args": {"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False},
            "hide_parameters": True,
            # kept open for every server thread and the worker's, not opened again and again:
            # past the default 5, each checkout opened a file and set its pragmas
            **SQLITE_POOL,
        }
    else:
        options.update(pool_size=10, max_overflow=10)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    if not url.startswith("sqlite"):
        with app.app_context():
            ping_when_idle(db.engine)

    @app.before_request
    def _reads_only() -> None:
        read_only(request.method in READING_METHODS)

    @app.teardown_request
    def _writes_again(_error: BaseException | None) -> None:
        read_only(False)


PING_AFTER_IDLE = 5.0
"""Seconds a pooled connection may rest before it is tried (``SELECT 1``) at its next checkout."""
_RESTED_SINCE = "jiangong.rested_since"


def ping_when_idle(engine: Engine) -> None:
    """Try a pooled connection before use only if it rested ``PING_AFTER_IDLE`` seconds or
    more; one that fails is replaced (the pool tries again), so a database restarted while the
    pool slept costs no request an error.

    SQLAlchemy's ``pool_pre_ping`` tries every checkout: a round trip more for each consumer
    batch and each request, which doubled the cost of a one-statement checkout here. A
    connection used within the last seconds is used as it is; if the database went away
    meanwhile, that one statement fails, and the pool is invalidated whole at once."""

    @event.listens_for(engine.pool, "checkin")
    def _rested(_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RESTED_SINCE] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _tried(connection: Any, record: Any, _proxy: Any) -> None:
        rested = record.info.get(_RESTED_SINCE)
        if rested is None or time.monotonic() - rested < PING_AFTER_IDLE:
            return
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        except Exception as error:
            raise DisconnectionError() from error


def read_row(engine: Engine, sql: str) -> tuple[Any, ...] | None:
    """The first row of a one-statement read, on a pooled connection's own driver cursor: no
    ORM session, no SQLAlchemy transaction around it (on SQLite no ``BEGIN``: the statement
    runs on its own), at a third of the cost of a session's query. For a value read on every
    request (a data version); ``sql`` is trusted text, without parameters.

    A driver error comes out as SQLAlchemy's, as from any query: a dropped connection as its
    ``OperationalError`` (so a 503, to retry), with the pool's connections invalidated as
    SQLAlchemy's own ``Connection`` does, so the next checkout connects afresh."""
    connection = engine.raw_connection()
    cursor = None
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row
    except engine.dialect.loaded_dbapi.Error as error:
        dropped = engine.dialect.is_disconnect(error, connection.dbapi_connection, cursor)
        if dropped:
            engine.pool._invalidate(connection, error)  # noqa: SLF001 - as Connection does
        raise DBAPIError.instance(
            sql,
            None,
            error,
            engine.dialect.loaded_dbapi.Error,
            hide_parameters=True,
            connection_invalidated=dropped,
            dialect=engine.dialect,
        ) from error
    finally:
        if cursor is not None:
            with contextlib.suppress(Exception):  # a dropped connection's cursor
                cursor.close()
        connection.close()


def upsert(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An ``INSERT`` into ``table`` in the session's dialect, PostgreSQL's or SQLite's: the one
    that can say what to do on a conflict (``on_conflict_do_nothing``, ``…_do_update``)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READ_ONLY: ContextVar[bool] = ContextVar("jiangong_read_only", default=False)


def read_only(value: bool) -> None:
    """Say whether what this thread runs next only reads (a GET request) or may write."""
    _READ_ONLY.set(value)


def reading_only() -> bool:
    return _READ_ONLY.get()


@contextmanager
def reads() -> Iterator[None]:
    """Transactions begun inside only read (a relay's query): on SQLite they take no lock."""
    token = _READ_ONLY.set(True)
    try:
        yield
    finally:
        _READ_ONLY.reset(token)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        dbapi_connection.isolation_level = None  # transactions begin in _sqlite_begin below


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    """On SQLite a transaction that may write takes the write lock when it begins (``BEGIN
    IMMEDIATE``); one that only reads (a GET request's) does not (``BEGIN``).

    A deferred transaction that has read and then writes, while another connection committed
    meanwhile, fails at once with "database is locked" (its snapshot is stale; the busy timeout
    does not help). Embedded, a request, a consumer batch and a job share each file, so writers
    queue for the lock instead, first come first served (:mod:`shared.write_queue`). A reader
    needs no lock: in WAL mode it reads its snapshot while a writer writes, so reads never
    queue behind the relay, the consumers or each other. A command run in a read request (the
    audited look at an ID number writes its audit row) first says so
    (:func:`shared.runtime.execute`)."""
    if connection.dialect.name != "sqlite":
        return
    if reading_only():
        connection.exec_driver_sql("BEGIN")
        return
    path = connection.engine.url.database
    file = path if path and path != ":memory:" else f"memory:{id(connection.engine)}"
    queue = _WRITE_QUEUES.setdefault(file, WriteQueue())
    if not queue.enter(SQLITE_BUSY_SECONDS):
        raise OperationalError(
            "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
        )
    connection.info[_WRITING] = queue
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _leave_write_queue(connection.info)
        raise


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _sqlite_end(connection: Any) -> None:
    # an invalidated connection has no info to read: the pool's invalidate below leaves for it
    if connection.dialect.name == "sqlite" and not connection.invalidated:
        _leave_write_queue(connection.info)


def _leave_write_queue(info: dict[str, Any]) -> None:
    """Hand the file's turn to write on; a connection that never took one has nothing to do."""
    queue = info.pop(_WRITING, None)
    if queue is not None:
        queue.leave()


def _left_unended(_dbapi_connection: Any, record: Any, *_: Any) -> None:
    """A connection given back to the pool, or dropped, amid a transaction leaves its turn (a
    detached connection has no record, and took no turn through one)."""
    if record is not None:
        _leave_write_queue(record.info)


for _name in ("checkin", "invalidate", "close", "soft_invalidate"):
    event.listen(Pool, _name, _left_unended)
