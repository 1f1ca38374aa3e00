"""A throw-away PostgreSQL database per test run or benchmark, so that runs never collide."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class PostgresUnavailable(RuntimeError):
    pass


@contextmanager
def scratch_database(
    admin_url: str = DEFAULT_ADMIN_URL, prefix: str = "jiangong", template: str | None = None
) -> Iterator[str]:
    """Create a fresh database (a copy of ``template``, a database no one is connected to, if
    given), yield its URL, drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{template}"' if template else ""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    except OperationalError as error:
        admin.dispose()
        raise PostgresUnavailable(f"PostgreSQL at {admin_url} is not reachable: {error}") from error
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
