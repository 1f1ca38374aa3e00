"""What the views read of the records, in the request's session: assessors' authorisations, and
a worker's ledger, assessments and contest decisions (their skills and history). Read only;
the handlers go through :mod:`.repository`."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.certification.adapters.orm import (
    Assessment,
    AssessorAuthorisation,
    ContestDecision,
    LedgerEntry,
)


def authorisations_of(
    session: Session, assessor_ids: Iterable[str]
) -> dict[str, list[AssessorAuthorisation]]:
    """``{assessor_id: [authorisation rows, oldest first]}`` for a page of assessors."""
    ids = list(assessor_ids)
    found: dict[str, list[AssessorAuthorisation]] = {assessor_id: [] for assessor_id in ids}
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
