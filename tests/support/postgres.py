"""A throw-away PostgreSQL database per test run or benchmark, so that runs never collide."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class PostgresUnavailable(RuntimeError):
    pass


@contextmanager
def scratch_database(admin_url: str = DEFAULT_ADMIN_URL, prefix: str = "jiangong") -> Iterator[str]:
    """Create a fresh database, yield its URL, drop it afterwards."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        name = create_database(admin, prefix)
    except OperationalError as error:
        admin.dispose()
        raise PostgresUnavailable(f"PostgreSQL at {admin_url} is not reachable: {error}") from error
    try:
        yield url_of(admin_url, name)
    finally:
        drop_database(admin, name)
        admin.dispose()


def create_database(admin: Engine, prefix: str, template: str | None = None) -> str:
    """Create ``<prefix>_<random>``, a copy of ``template`` if given (a database no one is
    connected to), on ``admin``'s server (an ``AUTOCOMMIT`` engine); returns its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    return name


def drop_database(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def url_of(admin_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``admin_url``."""
    return admin_url.rsplit("/", 1)[0] + f"/{name}"
