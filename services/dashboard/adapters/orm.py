"""The dashboard's database: the kernel's outbox and inbox, the facts it reads the targets from,
and the read side's version.

The dashboard owns no facts. Every table but ``read_side_version`` is a read model fed by the
other services' events (the counts' facts, and the competitions' live boards) and emptied and
rebuilt by replay (``READ_MODELS``); each is keyed by the aggregate's own id, so an event
delivered twice, or again by replay, writes the same row.

``read_side_version`` is one row whose ``version`` rises in every transaction that changed a
count. It is the ``id`` of the stream's messages, and is deliberately not a read model: replay
must not set it back, or a client's ``Last-Event-ID`` could match a different state.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import make_db
from shared.tables import kernel_tables

db = make_db()
kernel = kernel_tables(db.metadata)
Model: Any = db.Model


class Replicated:
    """A record as its newest event (by CloudEvents ``time``, then id) describes it."""

    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    as_of_event: Mapped[str] = mapped_column(String(64))


# -- from the registry ---------------------------------------------------------------------


class EnterpriseFact(Replicated, Model):
    __tablename__ = "enterprise_facts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    has_union: Mapped[bool] = mapped_column(Boolean)
    union_founded_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean)


class WorkerFact(Replicated, Model):
    __tablename__ = "worker_facts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String(64), index=True)
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    is_union_member: Mapped[bool] = mapped_column(Boolean)
    union_joined_on: Mapped[date | None] = mapped_column(Date)
    is_migrant: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)


# -- from competitions ------------------------------------------------------------------------


class EntryFact(Replicated, Model):
    """An entry in a competition of ``year`` (the competition's year), registered or withdrawn."""

    __tablename__ = "entry_facts"
    __table_args__ = (Index("ix_entry_facts_year", "year", "registered"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    competition_id: Mapped[str] = mapped_column(String(64))
    enterprise_id: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int] = mapped_column(Integer)
    registered: Mapped[bool] = mapped_column(Boolean)
    registered_on: Mapped[date] = mapped_column(Date)


class EntryWorkerFact(Model):
    """A worker named in an entry, as the entry's newest event names them."""

    __tablename__ = "entry_worker_facts"

    entry_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class CompetitionFact(Replicated, Model):
    """A competition as its newest ``competition.opened/closed/published`` describes it: what
    a board is shown under."""

    __tablename__ = "competition_facts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(32))
    level: Mapped[str | None] = mapped_column(String(16))
    year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    published_on: Mapped[date | None] = mapped_column(Date)


class BoardFact(Model):
    """A competition's public board as its newest ``leaderboard.updated`` (by the board's own
    ``version``) gives it: the top rows, with the names the event carries."""

    __tablename__ = "board_facts"
    __table_args__ = (Index("ix_board_facts_status", "status"),)

    competition_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    final: Mapped[bool] = mapped_column(Boolean)
    frozen: Mapped[bool] = mapped_column(Boolean)
    total: Mapped[int] = mapped_column(Integer)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """The CloudEvents time of the event the board reflects."""


# -- from certification -----------------------------------------------------------------------


class PromotionFact(Model):
    """A promotion, keyed by what it made true: a worker at a level in an occupation."""

    __tablename__ = "promotion_facts"
    __table_args__ = (Index("ix_promotion_facts_year", "year"),)

    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    occupation_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    to_level: Mapped[int] = mapped_column(Integer, primary_key=True)
    route: Mapped[str] = mapped_column(String(16))
    county_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    promoted_on: Mapped[date] = mapped_column(Date)


class StudioFact(Model):
    __tablename__ = "studio_facts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[str] = mapped_column(String(12))
    county_code: Mapped[str] = mapped_column(String(6))
    approved_on: Mapped[date] = mapped_column(Date)


class SkillLeaderFact(Model):
    __tablename__ = "skill_leader_facts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64), index=True)
    county_code: Mapped[str] = mapped_column(String(6))
    designated_on: Mapped[date] = mapped_column(Date)


class TrainingFact(Model):
    __tablename__ = "training_facts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64), index=True)
    is_migrant: Mapped[bool] = mapped_column(Boolean)
    county_code: Mapped[str] = mapped_column(String(6))
    completed_on: Mapped[date] = mapped_column(Date)


# -- the read side's version --------------------------------------------------------------------


class ReadSideVersion(Model):
    __tablename__ = "read_side_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


READ_MODELS = (
    EnterpriseFact.__table__,
    WorkerFact.__table__,
    EntryFact.__table__,
    EntryWorkerFact.__table__,
    CompetitionFact.__table__,
    BoardFact.__table__,
    PromotionFact.__table__,
    StudioFact.__table__,
    SkillLeaderFact.__table__,
    TrainingFact.__table__,
)
