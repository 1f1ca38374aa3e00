"""Where the handlers read and write the service's records: the :class:`Repository` port and
its SQL adapter over the transaction's session.

Handlers never touch the session themselves: everything they load or store goes through a
``Repository``, so that their unit tests hand them one in memory (no database). Nothing here
commits and nothing here applies a rule: a lookup that finds nothing returns ``None`` and the
handler says what that means. The one port is made of two ideas: the skills side here (the
worker replica, assessors, the ledger, certificates, rules tables, contest decisions) and
recognition (studios, skill leaders) in :mod:`.recognition_repository`. The views read with
:mod:`.history` and :mod:`.counts`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.certification.adapters.orm import (
    Assessor,
    AssessorAuthorisation,
    Certificate,
    CertificateSerial,
    ContestDecision,
    ContestPromotionYear,
    LedgerEntry,
    RulesTable,
    WorkerReplica,
)
from services.certification.adapters.recognition_repository import (
    RecognitionRecords,
    SqlRecognitionRecords,
)
from services.certification.adapters.rules_store import latest
from services.certification.domain.assessment import Authorisation
from services.certification.domain.levels import SkillHolding
from shared.db import upsert


class Repository(RecognitionRecords, Protocol):
    """What the command handlers load and store (the port; :class:`SqlRepository` is the
    adapter, the unit tests have an in-memory one)."""

    def add(self, *rows: object) -> None:
        """Rows to store, written now: a unique key refuses here (a 409), not at the commit."""
        ...

    def worker(self, worker_id: str, lock: bool = False) -> WorkerReplica | None:
        """The registry's worker as the replica has them; ``lock`` holds the row to the end of
        the transaction (PostgreSQL), so two decisions about one worker go one after the
        other."""
        ...

    def assessor(self, assessor_id: str) -> Assessor | None: ...

    def authorisation(
        self, assessor_id: str, authorisation_id: str
    ) -> AssessorAuthorisation | None:
        """The assessor's authorisation, held to the end of the transaction."""
        ...

    def authorisations(self, assessor_id: str) -> list[Authorisation]:
        """The assessor's authorisations as the domain checks them (see :func:`as_domain`)."""
        ...

    def holding(self, worker_id: str, occupation_code: str) -> SkillHolding | None:
        """The level the worker holds in the occupation (the ledger's highest), since when."""
        ...

    def highest_level(self, worker_id: str) -> int | None:
        """The worker's highest level in any occupation; ``None`` if they hold none."""
        ...

    def next_serial(self, stem: str) -> int:
        """The next serial of a certificate number's stem (prefix, body, site, year, level):
        never the same twice, also under concurrency."""
        ...

    def certificate(self, number: str) -> Certificate | None:
        """The certificate, held to the end of the transaction."""
        ...

    def rules_table(self, kind: str) -> RulesTable | None:
        """The stored rules table of ``kind`` in force (the highest version); ``None``: none
        was ever stored, the defaults rule."""
        ...

    def contest_decision(self, competition_id: str, worker_id: str) -> ContestDecision | None:
        """What a competition's award was decided to mean for the worker, if it was."""
        ...

    def contest_promotion_year(self, worker_id: str, year: int) -> ContestPromotionYear | None:
        """The worker's contest promotion of ``year``, if they had one."""
        ...


class SqlRepository(SqlRecognitionRecords):
    """:class:`Repository` over the transaction's session (the request's, the job's or the
    consumer batch's); the caller commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def worker(self, worker_id: str, lock: bool = False) -> WorkerReplica | None:
        return self.session.get(WorkerReplica, worker_id, with_for_update=lock)

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

    def holding(self, worker_id: str, occupation_code: str) -> SkillHolding | None:
        entry = self.session.scalar(
            select(LedgerEntry)
            .where(
                LedgerEntry.worker_id == worker_id, LedgerEntry.occupation_code == occupation_code
            )
            .order_by(LedgerEntry.level)
            .limit(1)
        )
        return None if entry is None else SkillHolding(occupation_code, entry.level, entry.since)

    def highest_level(self, worker_id: str) -> int | None:
        query = select(LedgerEntry.level).where(LedgerEntry.worker_id == worker_id)
        return min(self.session.scalars(query), default=None)

    def next_serial(self, stem: str) -> int:
        """The stem's counter row is created if missing (a concurrent creator wins quietly),
        then locked while it moves on; the certificate's primary key would refuse a duplicate
        anyway."""
        self.session.execute(
            upsert(self.session, CertificateSerial.__table__)
            .values(stem=stem, last=0)
            .on_conflict_do_nothing()
        )
        counter = self.session.execute(
            select(CertificateSerial)
            .where(CertificateSerial.stem == stem)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        counter.last += 1
        self.session.flush()
        return counter.last

    def certificate(self, number: str) -> Certificate | None:
        return self.session.get(Certificate, number, with_for_update=True)

    def rules_table(self, kind: str) -> RulesTable | None:
        return latest(self.session, kind)

    def contest_decision(self, competition_id: str, worker_id: str) -> ContestDecision | None:
        return self.session.scalar(
            select(ContestDecision).where(
                ContestDecision.competition_id == competition_id,
                ContestDecision.worker_id == worker_id,
            )
        )

    def contest_promotion_year(self, worker_id: str, year: int) -> ContestPromotionYear | None:
        return self.session.get(ContestPromotionYear, (worker_id, year))


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
