"""Every service's migrations build exactly the tables its models describe, column types
included, on SQLite and on PostgreSQL. The migrations run here for real, from an empty
database, as they build the run's templates: not from a copy of one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from jiangong.services import available, definition
from tests.support.postgres import scratch_database
from tests.support.templates import migrate_and_let_go


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    admin = request.getfixturevalue("postgres_url")
    with scratch_database(admin, prefix="jiangong_migrated") as url:
        yield url


@pytest.mark.parametrize("name", available())
def test_the_migrated_database_matches_the_models(
    name: str, empty_database: str, tmp_path: Path
) -> None:
    service = definition(name)
    migrate_and_let_go(service, tmp_path, empty_database)
    engine = create_engine(empty_database)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, service.db.metadata)
    finally:
        engine.dispose()
    assert differences == []
