"""The competitions database: its own extension, the kernel's outbox and inbox, and its tables.

The source of truth is here: ``competitions``, ``judges``, ``entries`` (with ``entry_workers``,
which holds a worker once per competition), ``scoresheets`` (each judge's current marks),
``score_history`` (every marking ever recorded) and ``results``. The read models are in
``read_tables``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import make_db
from shared.tables import Position, kernel_tables

db = make_db()
kernel = kernel_tables(db.metadata)
Model: Any = db.Model

Id = String(64)
Moment = DateTime(timezone=True)


class CompetitionRow(Model):
    __tablename__ = "competitions"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))
    contest_class: Mapped[int | None] = mapped_column(Integer)
    region_code: Mapped[str] = mapped_column(String(12))
    occupation_code: Mapped[str | None] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    registration_closes_at: Mapped[datetime | None] = mapped_column(Moment)
    freeze_at: Mapped[datetime | None] = mapped_column(Moment)
    max_entries_per_enterprise: Mapped[int | None] = mapped_column(Integer)
    team_size_min: Mapped[int] = mapped_column(Integer)
    team_size_max: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    aggregation: Mapped[str] = mapped_column(String(16))
    awards: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    tie_breaks: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(Moment)
    opened_at: Mapped[datetime | None] = mapped_column(Moment)
    closed_at: Mapped[datetime | None] = mapped_column(Moment)
    published_at: Mapped[datetime | None] = mapped_column(Moment)
    __table_args__ = (
        Index("ix_competitions_year_status", "year", "status"),
        Index("ix_competitions_status_deadline", "status", "registration_closes_at"),
    )


class JudgeRow(Model):
    __tablename__ = "judges"
    competition_id: Mapped[str] = mapped_column(ForeignKey("competitions.id"), primary_key=True)
    judge_id: Mapped[str] = mapped_column(Id, primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(Id)
    assigned_at: Mapped[datetime] = mapped_column(Moment)


class EntryRow(Model):
    __tablename__ = "entries"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    competition_id: Mapped[str] = mapped_column(ForeignKey("competitions.id"))
    enterprise_id: Mapped[str] = mapped_column(Id)
    team_name: Mapped[str | None] = mapped_column(String(200))
    worker_ids: Mapped[list[str]] = mapped_column(JSON)
    region_code: Mapped[str | None] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16))
    registered_at: Mapped[datetime] = mapped_column(Moment)
    withdrawn_at: Mapped[datetime | None] = mapped_column(Moment)
    __table_args__ = (
        Index("ix_entries_competition_enterprise", "competition_id", "enterprise_id", "status"),
    )


class EntryWorkerRow(Model):
    """A worker in a registered entry: the primary key keeps them in a competition once."""

    __tablename__ = "entry_workers"
    competition_id: Mapped[str] = mapped_column(ForeignKey("competitions.id"), primary_key=True)
    worker_id: Mapped[str] = mapped_column(Id, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(Id)


class ScoresheetRow(Model):
    __tablename__ = "scoresheets"
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id"), primary_key=True)
    judge_id: Mapped[str] = mapped_column(Id, primary_key=True)
    competition_id: Mapped[str] = mapped_column(ForeignKey("competitions.id"), index=True)
    marks: Mapped[dict[str, float]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(Moment)


class ScoreHistoryRow(Model):
    __tablename__ = "score_history"
    id: Mapped[int] = mapped_column(Position, primary_key=True, autoincrement=True)
    competition_id: Mapped[str] = mapped_column(Id)
    entry_id: Mapped[str] = mapped_column(Id)
    judge_id: Mapped[str] = mapped_column(Id)
    marks: Mapped[dict[str, float]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(Moment)
    __table_args__ = (Index("ix_score_history_entry_judge", "entry_id", "judge_id"),)


class ResultRow(Model):
    __tablename__ = "results"
    competition_id: Mapped[str] = mapped_column(ForeignKey("competitions.id"), primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    enterprise_id: Mapped[str] = mapped_column(Id)
    score: Mapped[float] = mapped_column(Float)
    scaled_score: Mapped[float | None] = mapped_column(Float)
    award: Mapped[str | None] = mapped_column(String(100))
