"""The dashboard's migrations build exactly the tables its models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from services.dashboard.adapters.orm import ReadSideVersion
from services.dashboard.service import SERVICE


def test_migrations_match_the_models(any_world) -> None:
    with any_world.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SERVICE.db.metadata)
    assert differences == []


def test_the_read_side_starts_at_version_zero(any_world) -> None:
    with any_world.engine.connect() as connection:
        versions = connection.execute(select(ReadSideVersion.id, ReadSideVersion.version)).all()
    assert versions == [(1, 0)]
