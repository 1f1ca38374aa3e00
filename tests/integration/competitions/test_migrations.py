"""The service's migrations build exactly the tables its models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.competitions.service import SERVICE


def test_the_migrated_database_matches_the_models(world) -> None:
    with world.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SERVICE.db.metadata)
    assert differences == []
