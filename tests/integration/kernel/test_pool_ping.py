"""A PostgreSQL connection is tried before use only after it rested: one the database dropped
while it rested is replaced without an error, and a busy one costs no extra round trip."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from shared import db as shared_db

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(postgres_url, pool_size=1, max_overflow=0)
    shared_db.ping_when_idle(engine)
    yield engine
    engine.dispose()


def backend(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def terminate(postgres_url: str, pid: int) -> None:
    """The database drops that connection (as a restart or an idle timeout would)."""
    admin = create_engine(postgres_url)
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        connection.commit()
    admin.dispose()


def test_a_connection_dropped_while_it_rested_is_replaced_without_an_error(
    engine: Engine, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = backend(engine)
    terminate(postgres_url, first)
    monkeypatch.setattr(shared_db, "PING_AFTER_IDLE", 0.0)  # it has rested long enough
    second = backend(engine)
    assert second != first


def test_a_connection_used_just_now_is_used_as_it_is_and_one_failure_renews_the_pool(
    engine: Engine, postgres_url: str
) -> None:
    first = backend(engine)
    terminate(postgres_url, first)
    with pytest.raises(OperationalError):  # not tried first: its one statement fails
        backend(engine)
    assert backend(engine) != first  # and the next checkout connects again
