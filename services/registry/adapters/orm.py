"""The registry's database: its own extension, the kernel's outbox and inbox, and its tables.

A worker row is a person: the keyed hash of the ID number is unique, so someone who leaves and
is hired again keeps their worker id (and with it their skill levels); ``worker_employment``
keeps every employment, ``id_number_audit`` every time someone was shown a full ID number.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.clock import utc_now
from shared.db import make_db
from shared.tables import kernel_tables
from shared.versions import data_version_table

db = make_db()
kernel = kernel_tables(db.metadata)
data_version = data_version_table(db.metadata)

Serial = BigInteger().with_variant(Integer(), "sqlite")


def new_id() -> str:
    return uuid.uuid4().hex


class Region(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))


class Enterprise(db.Model):  # type: ignore[name-defined,misc]
    """The columns the union counts follow keep their previous value when set
    (``active_history``), so that a flush knows what it moves (``adapters/union_counts.py``)."""

    __tablename__ = "enterprises"
    __table_args__ = (
        CheckConstraint("ownership IN ('public', 'non_public')", name="ownership"),
        CheckConstraint("employee_count >= 0", name="employee_count"),
        Index("ix_enterprises_registered_at_id", "registered_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(
        ForeignKey("regions.code"), index=True, active_history=True
    )
    has_union: Mapped[bool] = mapped_column(active_history=True)
    union_founded_on: Mapped[date | None]
    above_designated_size: Mapped[bool]
    ownership: Mapped[str] = mapped_column(String(16))
    employee_count: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True, active_history=True)
    deregistered_on: Mapped[date | None]
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Worker(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "workers"
    __table_args__ = (
        Index("ix_workers_enterprise_id_active", "enterprise_id", "active"),
        # every worker's list, in order, filtered on active within the index
        Index("ix_workers_registered_at_id_active", "registered_at", "id", "active"),
        Index("ix_workers_enterprise_id_registered_at_id", "enterprise_id", "registered_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id"), active_history=True)
    name: Mapped[str] = mapped_column(String(64))
    id_number_encrypted: Mapped[str] = mapped_column(String(128))
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(String(18))
    gender: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date]
    occupation_code: Mapped[str] = mapped_column(String(20))
    is_migrant: Mapped[bool] = mapped_column(active_history=True)
    is_union_member: Mapped[bool] = mapped_column(active_history=True)
    union_joined_on: Mapped[date | None]
    hired_on: Mapped[date]
    active: Mapped[bool] = mapped_column(default=True, active_history=True)
    left_on: Mapped[date | None]
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class WorkerEmployment(db.Model):  # type: ignore[name-defined,misc]
    """One employment of a worker: opened on hiring or transfer, closed on leaving or transfer."""

    __tablename__ = "worker_employment"

    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id"), index=True)
    hired_on: Mapped[date]
    left_on: Mapped[date | None]
    ended_by: Mapped[str | None] = mapped_column(String(16))


class IdNumberAudit(db.Model):  # type: ignore[name-defined,misc]
    """Append-only: who was shown a worker's full ID number, when and why. The database
    refuses an UPDATE or DELETE of its rows (triggers of migration 0004)."""

    __tablename__ = "id_number_audit"
    __table_args__ = (Index("ix_id_number_audit_viewed_at", "viewed_at", "id"),)

    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), index=True)
    viewer: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    viewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ImportJob(db.Model):  # type: ignore[name-defined,misc]
    """A large import run in the background, chunk by chunk: its progress and its outcome.

    ``kind``: what it imports, an enterprise's ``workers`` or ``enterprises`` (then it has no
    ``enterprise_id``). ``state``: queued, running, done, or failed (``error`` says why and
    what was not read)."""

    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
        CheckConstraint("kind IN ('workers', 'enterprises')", name="kind"),
        Index("ix_import_jobs_state_updated_at", "state", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16), default="workers", server_default="workers")
    enterprise_id: Mapped[str | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    atomic: Mapped[bool] = mapped_column(default=False)
    rows: Mapped[int] = mapped_column(default=0)
    checked: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(String(500))
    last_row: Mapped[int | None] = mapped_column(
        comment="the spreadsheet number of the last row imported so far"
    )
    requested_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportJobRejection(db.Model):  # type: ignore[name-defined,misc]
    """A row a background import rejected: its spreadsheet number and the errors by column."""

    __tablename__ = "import_job_rejections"

    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("import_jobs.id"), index=True)
    row: Mapped[int]
    errors: Mapped[dict[str, list[str]]] = mapped_column(JSON)


class WorkerSkill(db.Model):  # type: ignore[name-defined,misc]
    """Read model fed by ``skill.promoted``: a worker's highest level per occupation."""

    __tablename__ = "worker_skill"

    worker_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    occupation_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    level: Mapped[int]


class UnionCount(db.Model):  # type: ignore[name-defined,misc]
    """The union counts of one county, moved in the transaction of each fact that moves them
    (``adapters/union_counts.py``) and checked against a recount by the reconciliation job.
    Workers are counted in the county of the enterprise that employs (or last employed) them."""

    __tablename__ = "union_counts"

    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    enterprises: Mapped[int] = mapped_column(BigInteger, default=0)
    enterprises_with_union: Mapped[int] = mapped_column(BigInteger, default=0)
    workers: Mapped[int] = mapped_column(BigInteger, default=0)
    union_members: Mapped[int] = mapped_column(BigInteger, default=0)
    migrant_workers: Mapped[int] = mapped_column(BigInteger, default=0)
    former_workers: Mapped[int] = mapped_column(BigInteger, default=0)


class WorkerNameCharacter(db.Model):  # type: ignore[name-defined,misc]
    """Each character of a worker's name (lower-cased, once), in the order workers are listed:
    a name fragment is looked up by one of its characters instead of a scan of every name
    (``adapters/name_characters.py`` keeps it as names are written)."""

    __tablename__ = "worker_name_characters"

    character: Mapped[str] = mapped_column(String(1), primary_key=True)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), primary_key=True, index=True)
