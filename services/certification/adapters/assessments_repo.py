"""What the assessor, assessment and certificate handlers load and store: the
:class:`Records` port and its SQL adapter over the transaction's session.

Handlers never touch the session themselves, so that their unit tests hand them an in-memory
``Records`` (no database). The views read with the query functions at the end of this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.certification.adapters import promotions
from services.certification.adapters.orm import (
    Assessment,
    Assessor,
    AssessorAuthorisation,
    Certificate,
    ContestDecision,
    LedgerEntry,
    WorkerReplica,
)
from services.certification.adapters.rules_store import current_promotion_rules
from services.certification.domain.assessment import Authorisation, PromotionRules
from services.certification.domain.levels import Promotion, SkillHolding
from shared.handling import Context


class Records(Protocol):
    """The port: the handlers' view of the service's records."""

    def add(self, row: Any) -> None:
        """Stage a new row (an assessor, an authorisation, an assessment)."""

    def assessor(self, assessor_id: str) -> Assessor | None: ...

    def authorisation(
        self, assessor_id: str, authorisation_id: str
    ) -> AssessorAuthorisation | None: ...

    def authorisations(self, assessor_id: str) -> list[Authorisation]:
        """The assessor's authorisations as the domain checks them (an ended one is valid
        until the day before it ended)."""
        ...

    def worker(self, worker_id: str) -> WorkerReplica | None:
        """The replica of the worker, held to the end of the transaction (PostgreSQL) so that
        two assessments of one worker are decided one after the other."""
        ...

    def holding(self, worker_id: str, occupation_code: str) -> SkillHolding | None: ...

    def promotion_rules(self) -> tuple[int | None, PromotionRules]: ...

    def promote(
        self,
        ctx: Context,
        worker: WorkerReplica,
        promotion: Promotion,
        source_id: str,
        rules_version: int | None,
    ) -> Certificate:
        """Append the ledger's line, issue the certificate, stage their events."""
        ...

    def certificate(self, number: str) -> Certificate | None:
        """The certificate, held to the end of the transaction (PostgreSQL)."""
        ...


class SqlRecords:
    """:class:`Records` over a SQLAlchemy session (the request's or the consumer's)."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, row: Any) -> None:
        self.session.add(row)
        self.session.flush()

    def assessor(self, assessor_id: str) -> Assessor | None:
        return self.session.get(Assessor, assessor_id)

    def authorisation(
        self, assessor_id: str, authorisation_id: str
    ) -> AssessorAuthorisation | None:
        row = self.session.get(AssessorAuthorisation, authorisation_id, with_for_update=True)
        return row if row is not None and row.assessor_id == assessor_id else None

    def authorisations(self, assessor_id: str) -> list[Authorisation]:
        rows = self.session.scalars(
            select(AssessorAuthorisation).where(AssessorAuthorisation.assessor_id == assessor_id)
        )
        return [as_domain(row) for row in rows]

    def worker(self, worker_id: str) -> WorkerReplica | None:
        return self.session.get(WorkerReplica, worker_id, with_for_update=True)

    def holding(self, worker_id: str, occupation_code: str) -> SkillHolding | None:
        return promotions.holding(self.session, worker_id, occupation_code)

    def promotion_rules(self) -> tuple[int | None, PromotionRules]:
        return current_promotion_rules(self.session)

    def promote(
        self,
        ctx: Context,
        worker: WorkerReplica,
        promotion: Promotion,
        source_id: str,
        rules_version: int | None,
    ) -> Certificate:
        return promotions.promote(ctx, worker, promotion, source_id, rules_version)

    def certificate(self, number: str) -> Certificate | None:
        return self.session.get(Certificate, number, with_for_update=True)


def as_domain(row: AssessorAuthorisation) -> Authorisation:
    """An authorisation row as the domain checks it: ended on a day means valid until the day
    before (ending one today stops it today)."""
    until = row.valid_until
    if row.ended_on is not None:
        last = row.ended_on - timedelta(days=1)
        until = last if until is None else min(until, last)
    return Authorisation(row.occupation_code, frozenset(row.levels), row.valid_from, until)


def in_force(row: AssessorAuthorisation, today: date) -> bool:
    """Whether the authorisation lets its assessor record today."""
    return as_domain(row).valid_on(today)


# -- queries for the views -----------------------------------------------------------------------


def authorisations_of(session: Session, assessor_ids: Iterable[str]) -> dict[str, list[Any]]:
    """``{assessor_id: [authorisation rows, oldest first]}`` for a page of assessors."""
    ids = list(assessor_ids)
    found: dict[str, list[Any]] = {assessor_id: [] for assessor_id in ids}
    if not ids:
        return found
    rows = session.scalars(
        select(AssessorAuthorisation)
        .where(AssessorAuthorisation.assessor_id.in_(ids))
        .order_by(AssessorAuthorisation.valid_from, AssessorAuthorisation.id)
    )
    for row in rows:
        found[row.assessor_id].append(row)
    return found


def ledger_of(session: Session, worker_id: str) -> list[LedgerEntry]:
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.worker_id == worker_id)
            .order_by(LedgerEntry.since, LedgerEntry.id)
        )
    )


def assessments_of(session: Session, worker_id: str) -> list[Assessment]:
    return list(
        session.scalars(
            select(Assessment)
            .where(Assessment.worker_id == worker_id)
            .order_by(Assessment.assessed_on, Assessment.recorded_at)
        )
    )


def contest_decisions_of(session: Session, worker_id: str) -> list[ContestDecision]:
    return list(
        session.scalars(
            select(ContestDecision)
            .where(ContestDecision.worker_id == worker_id)
            .order_by(ContestDecision.published_on, ContestDecision.id)
        )
    )
