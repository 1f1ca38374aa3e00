"""The kernel's own tables, added to each service's metadata: the outbox and the inbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    inspect,
    text,
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
Position = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class KernelTables:
    outbox: Table
    inbox: Table


def kernel_tables(metadata: MetaData) -> KernelTables:
    outbox = Table(
        "outbox",
        metadata,
        Column("position", Position, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("source", String(64), nullable=False),
        Column("type", String(128), nullable=False),
        Column("subject", String(64), nullable=False),
        Column("time", DateTime(timezone=True), nullable=False),
        Column("data", JSON, nullable=False),
        Column("published_at", DateTime(timezone=True)),
        Column("request_id", String(64)),  # the CloudEvents extension jiangongrequestid
        Index("ix_outbox_unpublished", "published_at", "position"),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(64), primary_key=True),
        Column("source", String(64), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("type", String(128), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    return KernelTables(outbox=outbox, inbox=inbox)


def create_kernel_tables(bind: Connection) -> None:
    """For a service's first Alembic revision (``op.get_bind()``): the outbox and the inbox,
    with the constraint names the services' metadata uses, so autogenerate sees no change."""
    _kernel_metadata().create_all(bind)


LATER_COLUMNS: dict[str, tuple[str, ...]] = {"outbox": ("request_id",)}
"""Columns the kernel added to its tables after services' first revisions had created them."""


def add_later_kernel_columns(bind: Connection) -> None:
    """For a service's revision that follows the kernel (``op.get_bind()``): add the columns of
    ``LATER_COLUMNS`` a database lacks. A database created since has them from its first
    revision (which creates the kernel's tables as they are now), so each is added only where
    missing."""
    metadata = _kernel_metadata()
    inspector = inspect(bind)
    for table_name, names in LATER_COLUMNS.items():
        present = {column["name"] for column in inspector.get_columns(table_name)}
        table = metadata.tables[table_name]
        for name in names:
            if name not in present:
                column = table.c[name]
                type_ = column.type.compile(dialect=bind.dialect)
                bind.execute(text(f"ALTER TABLE {table_name} ADD COLUMN {name} {type_}"))


def drop_kernel_tables(bind: Connection) -> None:
    _kernel_metadata().drop_all(bind)


def _kernel_metadata() -> MetaData:
    from shared.db import NAMING_CONVENTION

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    kernel_tables(metadata)
    return metadata
