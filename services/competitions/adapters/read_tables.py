"""The read models, rebuilt by replay: the registry replicas and the leaderboards
(``leaderboard_rows`` with the names shown on them, ``leaderboard_workers``,
``leaderboard_marks``, ``award_tally``). ``leaderboards`` holds each board's version counter,
status and final flag; replay keeps it, so versions only ever rise.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.competitions.adapters.orm import Id, Model, Moment


class EnterpriseReplica(Model):
    __tablename__ = "enterprise_replicas"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # a record first heard of
    as_of: Mapped[datetime] = mapped_column(Moment)
    as_of_event: Mapped[str] = mapped_column(Id)


class WorkerReplica(Model):
    __tablename__ = "worker_replicas"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(Id, index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    region_code: Mapped[str | None] = mapped_column(String(12))
    is_migrant: Mapped[bool | None] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # a record first heard of
    as_of: Mapped[datetime] = mapped_column(Moment)
    as_of_event: Mapped[str] = mapped_column(Id)


class LeaderboardRow(Model):
    """A board's version counter, status and final flag (kept across replays)."""

    __tablename__ = "leaderboards"
    competition_id: Mapped[str] = mapped_column(Id, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    final: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(Moment)


class StandingRow(Model):
    """One entry on a board: live columns, and ``frozen_*`` from the facts up to freeze_at."""

    __tablename__ = "leaderboard_rows"
    competition_id: Mapped[str] = mapped_column(Id, primary_key=True)
    entry_id: Mapped[str] = mapped_column(Id, primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(Id)
    registered_at: Mapped[datetime | None] = mapped_column(Moment)
    withdrawn: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float | None] = mapped_column(Float)
    first_criterion: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int | None] = mapped_column(Integer)
    award: Mapped[str | None] = mapped_column(String(100))
    frozen_score: Mapped[float | None] = mapped_column(Float)
    frozen_first_criterion: Mapped[float | None] = mapped_column(Float)
    frozen_rank: Mapped[int | None] = mapped_column(Integer)
    frozen_position: Mapped[int | None] = mapped_column(Integer)
    team_name: Mapped[str | None] = mapped_column(String(200))
    worker_ids: Mapped[list[str] | None] = mapped_column(JSON)
    enterprise_name: Mapped[str | None] = mapped_column(String(200))
    worker_names: Mapped[list[str] | None] = mapped_column(JSON)
    __table_args__ = (
        Index("ix_leaderboard_rows_position", "competition_id", "position"),
        Index("ix_leaderboard_rows_frozen_position", "competition_id", "frozen_position"),
        Index("ix_leaderboard_rows_enterprise", "enterprise_id"),
    )


class BoardWorkerRow(Model):
    """A worker of an entry on a board: which rows a worker's new name must reach."""

    __tablename__ = "leaderboard_workers"
    competition_id: Mapped[str] = mapped_column(Id, primary_key=True)
    entry_id: Mapped[str] = mapped_column(Id, primary_key=True)
    worker_id: Mapped[str] = mapped_column(Id, primary_key=True, index=True)


class MarksRow(Model):
    """A judge's latest marks for an entry as the board knows them, and those up to freeze_at."""

    __tablename__ = "leaderboard_marks"
    competition_id: Mapped[str] = mapped_column(Id, primary_key=True)
    entry_id: Mapped[str] = mapped_column(Id, primary_key=True)
    judge_id: Mapped[str] = mapped_column(Id, primary_key=True)
    marks: Mapped[dict[str, float]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(Moment)
    event_id: Mapped[str] = mapped_column(Id)
    frozen_marks: Mapped[dict[str, float] | None] = mapped_column(JSON)
    frozen_recorded_at: Mapped[datetime | None] = mapped_column(Moment)
    frozen_event_id: Mapped[str | None] = mapped_column(Id)


class AwardTallyRow(Model):
    """An award won, for the enterprise and county tables of a year."""

    __tablename__ = "award_tally"
    competition_id: Mapped[str] = mapped_column(Id, primary_key=True)
    entry_id: Mapped[str] = mapped_column(Id, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    enterprise_id: Mapped[str] = mapped_column(Id)
    award: Mapped[str] = mapped_column(String(100))
    points: Mapped[int] = mapped_column(Integer)


READ_MODELS = tuple(
    model.__table__
    for model in (
        EnterpriseReplica,
        WorkerReplica,
        StandingRow,
        BoardWorkerRow,
        MarksRow,
        AwardTallyRow,
    )
)
