"""The kernel's own tables, added to each service's metadata: the outbox and the inbox.

Their revisions are the kernel's migration branch (``shared/migrations``): a change here is a
new revision there, which every service's database then receives."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table

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
