"""The certification service's database: the kernel's outbox and inbox, its own facts, the
worker replica it checks assessments against, and the read models its counts come from.

Facts (source of truth): assessors and their authorisations, assessments, the append-only skill
ledger, contest decisions, the versioned rules tables, certificates (and their serials),
innovation studios, skill leaders, trainings. Replica: workers, from the registry's events.
Read models (rebuilt by replay): ``promotion_facts``, ``training_facts``, ``studio_facts``,
``skill_leader_facts``, fed by the service's own events.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import make_db
from shared.tables import kernel_tables

db = make_db()
kernel = kernel_tables(db.metadata)
Model: Any = db.Model


def new_id() -> str:
    return uuid.uuid4().hex


# -- the replica ---------------------------------------------------------------------------


class WorkerReplica(Model):
    """A worker as the registry last announced them (no ID number: only the masked one)."""

    __tablename__ = "worker_replica"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(64))
    id_number_masked: Mapped[str] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(String(12))
    occupation_code: Mapped[str | None] = mapped_column(String(20))
    is_migrant: Mapped[bool] = mapped_column(Boolean, default=False)
    hired_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    as_of: Mapped[datetime] = mapped_column("updated_at", DateTime(timezone=True))  # first name
    as_of_event: Mapped[str] = mapped_column(String(64))


# -- assessors --------------------------------------------------------------------------------


class Assessor(Model):
    __tablename__ = "assessors"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AssessorAuthorisation(Model):
    """What an assessor may assess: one occupation, some levels, between two dates."""

    __tablename__ = "assessor_authorisations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    assessor_id: Mapped[str] = mapped_column(ForeignKey("assessors.id"), index=True)
    occupation_code: Mapped[str] = mapped_column(String(20))
    levels: Mapped[list[int]] = mapped_column(JSON)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)


# -- assessments and the ledger ---------------------------------------------------------------


class Assessment(Model):
    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    worker_id: Mapped[str] = mapped_column(String(64), index=True)
    assessor_id: Mapped[str] = mapped_column(String(64))
    occupation_code: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer)
    theory_score: Mapped[float] = mapped_column(Float)
    practical_score: Mapped[float] = mapped_column(Float)
    review_passed: Mapped[bool | None] = mapped_column(Boolean)
    passed: Mapped[bool] = mapped_column(Boolean)
    assessed_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    from_level: Mapped[int | None] = mapped_column(Integer)
    to_level: Mapped[int | None] = mapped_column(Integer)
    certificate_number: Mapped[str | None] = mapped_column(String(22))


class LedgerEntry(Model):
    """One level a worker reached in an occupation: append-only, never edited in place."""

    __tablename__ = "skill_ledger"
    __table_args__ = (UniqueConstraint("worker_id", "occupation_code", "level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    worker_id: Mapped[str] = mapped_column(String(64), index=True)
    occupation_code: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer)
    from_level: Mapped[int | None] = mapped_column(Integer)
    since: Mapped[date] = mapped_column(Date)
    route: Mapped[str] = mapped_column(String(16))  # assessment / contest_award
    source_id: Mapped[str] = mapped_column(String(64))  # the assessment or the award
    certificate_number: Mapped[str | None] = mapped_column(String(22))
    rules_version: Mapped[int | None] = mapped_column(Integer)
    enterprise_id: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(String(12))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ContestDecision(Model):
    """What an award meant for one worker: granted or refused with the reason; one per pair."""

    __tablename__ = "contest_decisions"
    __table_args__ = (UniqueConstraint("competition_id", "worker_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    competition_id: Mapped[str] = mapped_column(String(64))
    worker_id: Mapped[str] = mapped_column(String(64), index=True)
    occupation_code: Mapped[str | None] = mapped_column(String(20))
    award: Mapped[str] = mapped_column(String(64))
    rank: Mapped[int] = mapped_column(Integer)
    published_on: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    granted: Mapped[bool] = mapped_column(Boolean)
    from_level: Mapped[int | None] = mapped_column(Integer)
    to_level: Mapped[int | None] = mapped_column(Integer)
    rule: Mapped[str | None] = mapped_column(String(64))  # why it was refused
    detail: Mapped[str | None] = mapped_column(String(300))
    rules_version: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ContestPromotionYear(Model):
    """At most one contest promotion per worker per calendar year, held by the primary key."""

    __tablename__ = "contest_promotion_years"

    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[str] = mapped_column(String(64))


class RulesTable(Model):
    """A version of a rules table (``promotion`` or ``contest``); the highest version rules."""

    __tablename__ = "rules_tables"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(128))


# -- certificates -----------------------------------------------------------------------------


class Certificate(Model):
    __tablename__ = "certificates"

    number: Mapped[str] = mapped_column(String(22), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(64))
    occupation_code: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(16))
    issued_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="valid")  # valid / revoked
    revoked_reason: Mapped[str | None] = mapped_column(String(300))
    revoked_on: Mapped[date | None] = mapped_column(Date)


class CertificateSerial(Model):
    """The last serial used per number stem (prefix, body, site, year, level)."""

    __tablename__ = "certificate_serials"

    stem: Mapped[str] = mapped_column(String(16), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


# -- studios, skill leaders, trainings ------------------------------------------------------


class Studio(Model):
    """An innovation studio (创新工作室): applied for by an enterprise, approved by an admin."""

    __tablename__ = "studios"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(128))
    enterprise_id: Mapped[str] = mapped_column(String(64), index=True)
    leader_worker_id: Mapped[str] = mapped_column(String(64))
    leader_is_model_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    level: Mapped[str] = mapped_column(String(12))  # municipal / county / enterprise
    region_code: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12))  # applied / approved
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_on: Mapped[date | None] = mapped_column(Date)


class SkillLeader(Model):
    """A skill leader (技能带头人), designated once per worker and occupation."""

    __tablename__ = "skill_leaders"
    __table_args__ = (UniqueConstraint("worker_id", "occupation_code"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    worker_id: Mapped[str] = mapped_column(String(64))
    enterprise_id: Mapped[str] = mapped_column(String(64))
    occupation_code: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(12))
    designated_on: Mapped[date] = mapped_column(Date)


class Training(Model):
    __tablename__ = "trainings"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    worker_id: Mapped[str] = mapped_column(String(64), index=True)
    enterprise_id: Mapped[str] = mapped_column(String(64), index=True)
    course: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Float)
    completed_on: Mapped[date] = mapped_column(Date)
    region_code: Mapped[str] = mapped_column(String(12))
    is_migrant: Mapped[bool] = mapped_column(Boolean)


# -- read models, fed by the service's own events (rebuilt by replay) -------------------------


class PromotionFact(Model):
    """One ``skill.promoted`` event, by the year of its own date."""

    __tablename__ = "promotion_facts"
    __table_args__ = (Index("ix_promotion_facts_year", "year"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64))
    occupation_code: Mapped[str] = mapped_column(String(20))
    to_level: Mapped[int] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(16))
    county_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    promoted_on: Mapped[date] = mapped_column(Date)


class TrainingFact(Model):
    __tablename__ = "training_facts"
    __table_args__ = (Index("ix_training_facts_year", "year"),)

    training_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64))
    is_migrant: Mapped[bool] = mapped_column(Boolean)
    county_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    completed_on: Mapped[date] = mapped_column(Date)


class StudioFact(Model):
    __tablename__ = "studio_facts"

    studio_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[str] = mapped_column(String(12))
    county_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    approved_on: Mapped[date] = mapped_column(Date)


class SkillLeaderFact(Model):
    __tablename__ = "skill_leader_facts"

    leader_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64))
    county_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    designated_on: Mapped[date] = mapped_column(Date)


READ_MODELS = (
    WorkerReplica.__table__,
    PromotionFact.__table__,
    TrainingFact.__table__,
    StudioFact.__table__,
    SkillLeaderFact.__table__,
)
