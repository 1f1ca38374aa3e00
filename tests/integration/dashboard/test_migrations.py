"""The dashboard's migrations seed its read side's version (that they build exactly its
models is checked for every service in tests/integration/kernel)."""

from __future__ import annotations

from sqlalchemy import select

from services.dashboard.adapters.orm import ReadSideVersion


def test_the_read_side_starts_at_version_zero(any_world) -> None:
    with any_world.engine.connect() as connection:
        versions = connection.execute(select(ReadSideVersion.id, ReadSideVersion.version)).all()
    assert versions == [(1, 0)]
