"""The certification service's migrations build exactly the tables its models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.certification.service import SERVICE


def test_migrations_match_the_models(any_world) -> None:
    with any_world.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SERVICE.db.metadata)
    assert differences == []
