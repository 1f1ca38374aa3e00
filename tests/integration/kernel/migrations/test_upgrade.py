"""A database each service made before the kernel's tables had a migration branch of their own
upgrades to the latest revisions of both branches: every row it held is still there, and its
schema is the one its models describe and a fresh database gets.

The databases come from ``fixtures/``: SQL text of each service's database as the migrations of
that time made it (``fixtures/make_snapshots.py``), at their latest revision with rows written
through the APIs, and stopped at the service's first own revision (``0002``, before the
later-columns revision) with outbox and inbox rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import Engine, MetaData, create_engine, inspect, select, text

from jiangong.platform import definition
from shared.migration_env import at_head
from shared.runtime import engine_of, migrate
from tests.support.postgres import scratch_database
from tests.support.worlds import service_app

FIXTURES = Path(__file__).parent / "fixtures"
SERVICES = ("registry", "competitions", "certification", "dashboard")
DIALECTS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

TRIGGERS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
    "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
}


@pytest.fixture(params=DIALECTS)
def database_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """Two empty databases of the dialect: one to restore a snapshot in, one to migrate fresh."""
    if request.param == "sqlite":
        yield [f"sqlite:///{tmp_path / 'snapshot.db'}", f"sqlite:///{tmp_path / 'fresh.db'}"]
        return
    admin = request.getfixturevalue("postgres_url")
    with (
        scratch_database(admin, prefix="jiangong_snapshot") as snapshot,
        scratch_database(admin, prefix="jiangong_fresh") as fresh,
    ):
        yield [snapshot, fresh]


@pytest.mark.parametrize("stopped_at", ["", "-0002"], ids=["latest", "0002"])
@pytest.mark.parametrize("service", SERVICES)
def test_a_database_made_before_the_kernel_branch_upgrades_with_its_rows(
    service: str, stopped_at: str, database_urls: list[str], tmp_path: Path
) -> None:
    snapshot_url, fresh_url = database_urls
    restore_snapshot(f"{service}{stopped_at}", snapshot_url)
    rows_before, columns_before = rows_of(snapshot_url), columns_of(snapshot_url)
    assert any(rows_before[table] for table in ("outbox", "inbox"))  # the kernel's rows too

    upgraded = service_app(definition(service), tmp_path, snapshot_url)
    fresh = service_app(definition(service), tmp_path, fresh_url)
    try:
        migrate(upgraded)  # and again: nothing is left to do
        rows_after = rows_of(snapshot_url, columns_before)  # a later revision may add columns
        assert {table: rows_after[table] for table in rows_before} == rows_before
        assert differences_from_models(upgraded, service) == []
        assert schema_of(engine_of(upgraded)) == schema_of(engine_of(fresh))
        assert versions_of(engine_of(upgraded)) == versions_of(engine_of(fresh))
        with upgraded.app_context():
            assert at_head(upgraded) is True
    finally:
        for app in (upgraded, fresh):
            engine_of(app).dispose()


def restore_snapshot(snapshot: str, url: str) -> None:
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    script = (FIXTURES / f"{snapshot}.{dialect}.sql").read_text()
    if dialect == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.executescript(script)
        return
    engine = create_engine(url)  # its own: the dump empties the search path of its session
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(script)
    finally:
        engine.dispose()


def rows_of(
    url: str, columns: dict[str, list[str]] | None = None
) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows but Alembic's own, in a stable order; with ``columns``, only the
    tables and columns it names."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        tables = {name: list(table.c) for name, table in metadata.tables.items()}
        if columns is not None:
            tables = {
                name: [metadata.tables[name].c[c] for c in names] for name, names in columns.items()
            }
        with engine.connect() as connection:
            return {
                name: sorted((tuple(row) for row in connection.execute(select(*chosen))), key=repr)
                for name, chosen in tables.items()
                if name != "alembic_version"
            }
    finally:
        engine.dispose()


def columns_of(url: str) -> dict[str, list[str]]:
    """Each table's column names."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {
            table: [c["name"] for c in inspector.get_columns(table)]
            for table in inspector.get_table_names()
        }
    finally:
        engine.dispose()


def differences_from_models(app: Flask, service: str) -> list[Any]:
    with engine_of(app).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, definition(service).db.metadata))


def schema_of(engine: Engine) -> dict[str, Any]:
    """What a database holds beside its rows: tables, columns, keys, indexes, checks, triggers."""
    inspector = inspect(engine)
    schema: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        schema[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in inspector.get_columns(table)
            ],
            "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted(
                (fk["name"] or "", fk["constrained_columns"], fk["referred_table"])
                for fk in inspector.get_foreign_keys(table)
            ),
            "unique": sorted(
                (u["name"] or "", u["column_names"])
                for u in inspector.get_unique_constraints(table)
            ),
            "indexes": sorted(
                (i["name"] or "", i["column_names"], i["unique"])
                for i in inspector.get_indexes(table)
            ),
            "checks": sorted(c["name"] or "" for c in inspector.get_check_constraints(table)),
        }
    with engine.connect() as connection:
        schema["triggers"] = sorted(connection.scalars(text(TRIGGERS[engine.dialect.name])))
    return schema


def versions_of(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.scalars(text("SELECT version_num FROM alembic_version")))
