"""In-memory stand-ins for certification's ports: its repository and the kernel's outbox.

The handlers run unchanged, wired to these by ``with_repository`` and called through the kernel's
``handle`` as the service calls them; nothing here applies a rule. The repository keeps each
table in a dict by its key (a second row under a unique key is refused, as the database
would); the recording outbox (``tests.support.outbox``) checks each event against the schema
the service publishes it with, as the real one does, and keeps it for the test to read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.orm import Session

from services.certification import events
from services.certification.adapters.orm import (
    Assessment,
    Assessor,
    AssessorAuthorisation,
    Certificate,
    ContestDecision,
    ContestPromotionYear,
    LedgerEntry,
    RulesTable,
    SkillLeader,
    Studio,
    Training,
    WorkerReplica,
)
from services.certification.adapters.repository import Repository, as_domain
from services.certification.adapters.rules_store import PROMOTION, promotion_rules_body
from services.certification.config import CertificationConfig
from services.certification.domain.assessment import Authorisation, PromotionRules
from services.certification.domain.levels import SkillHolding
from services.certification.handlers import BY_COMMAND
from shared.errors import ConcurrentChange
from shared.handling import Context, handle, with_repository
from shared.outbox import Outbox
from shared.settings import Settings
from tests.support.outbox import RecordingOutbox

NOW = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)  # 10:00 on 2 June in Jiaxing


class FakeRepository:
    """Certification's :class:`Repository` port in dicts."""

    def __init__(self) -> None:
        self.workers: dict[str, WorkerReplica] = {}
        self.assessors: dict[str, Assessor] = {}
        self.authorisation_rows: dict[str, AssessorAuthorisation] = {}
        self.assessments: dict[str, Assessment] = {}
        self.ledger: dict[tuple[str, str, int], LedgerEntry] = {}
        self.certificates: dict[str, Certificate] = {}
        self.serials: dict[str, int] = {}
        self.rules: dict[tuple[str, int], RulesTable] = {}
        self.decisions: dict[tuple[str, str], ContestDecision] = {}
        self.contest_years: dict[tuple[str, int], ContestPromotionYear] = {}
        self.studios: dict[str, Studio] = {}
        self.skill_leaders: dict[tuple[str, str], SkillLeader] = {}
        self.trainings: dict[str, Training] = {}
        self.added: list[object] = []
        """Every row the handlers stored, in order."""

    # -- writing ---------------------------------------------------------------------------

    def add(self, *rows: object) -> None:
        for row in rows:
            table, key = self._place(row)
            if key in table:
                raise ConcurrentChange()  # the primary or unique key, as the database has it
            table[key] = row
            self.added.append(row)

    def _place(self, row: object) -> tuple[dict[Any, Any], Any]:
        match row:
            case WorkerReplica():
                return self.workers, row.id
            case Assessor():
                return self.assessors, row.id
            case AssessorAuthorisation():
                return self.authorisation_rows, row.id
            case Assessment():
                return self.assessments, row.id
            case LedgerEntry():
                return self.ledger, (row.worker_id, row.occupation_code, row.level)
            case Certificate():
                return self.certificates, row.number
            case RulesTable():
                return self.rules, (row.kind, row.version)
            case ContestDecision():
                return self.decisions, (row.competition_id, row.worker_id)
            case ContestPromotionYear():
                return self.contest_years, (row.worker_id, row.year)
            case Studio():
                return self.studios, row.id
            case SkillLeader():
                return self.skill_leaders, (row.worker_id, row.occupation_code)
            case Training():
                return self.trainings, row.id
        raise TypeError(f"the fake does not store {type(row).__name__}")

    # -- reading ---------------------------------------------------------------------------

    def worker(self, worker_id: str, lock: bool = False) -> WorkerReplica | None:
        return self.workers.get(worker_id)

    def assessor(self, assessor_id: str) -> Assessor | None:
        return self.assessors.get(assessor_id)

    def authorisation(
        self, assessor_id: str, authorisation_id: str
    ) -> AssessorAuthorisation | None:
        row = self.authorisation_rows.get(authorisation_id)
        return row if row is not None and row.assessor_id == assessor_id else None

    def authorisations(self, assessor_id: str) -> list[Authorisation]:
        rows = self.authorisation_rows.values()
        return [as_domain(row) for row in rows if row.assessor_id == assessor_id]

    def holding(self, worker_id: str, occupation_code: str) -> SkillHolding | None:
        held = [e for (w, o, _), e in self.ledger.items() if (w, o) == (worker_id, occupation_code)]
        entry = min(held, key=lambda e: e.level, default=None)
        return None if entry is None else SkillHolding(occupation_code, entry.level, entry.since)

    def highest_level(self, worker_id: str) -> int | None:
        return min((level for w, _, level in self.ledger if w == worker_id), default=None)

    def next_serial(self, stem: str) -> int:
        self.serials[stem] = self.serials.get(stem, 0) + 1
        return self.serials[stem]

    def certificate(self, number: str) -> Certificate | None:
        return self.certificates.get(number)

    def rules_table(self, kind: str) -> RulesTable | None:
        versions = [version for k, version in self.rules if k == kind]
        return self.rules[(kind, max(versions))] if versions else None

    def contest_decision(self, competition_id: str, worker_id: str) -> ContestDecision | None:
        return self.decisions.get((competition_id, worker_id))

    def contest_promotion_year(self, worker_id: str, year: int) -> ContestPromotionYear | None:
        return self.contest_years.get((worker_id, year))

    def studio(self, studio_id: str) -> Studio | None:
        return self.studios.get(studio_id)

    def skill_leader(self, worker_id: str, occupation_code: str) -> SkillLeader | None:
        return self.skill_leaders.get((worker_id, occupation_code))

    # -- arranging a test ----------------------------------------------------------------------

    def use_promotion_rules(self, version: int, rules: PromotionRules) -> None:
        """A promotion rules table stored as ``version`` (what an admin's replacement stores)."""
        body = promotion_rules_body(rules)
        self.rules[(PROMOTION, version)] = RulesTable(kind=PROMOTION, version=version, body=body)


class Certification:
    """The handlers wired to the fakes; ``service(command)`` runs one at ``service.now``."""

    def __init__(self, now: datetime = NOW) -> None:
        self.repository = FakeRepository()
        self.outbox = RecordingOutbox(events.PRODUCES)
        self.now = now
        self.settings = Settings()
        repository: Repository = self.repository
        self.handlers = with_repository(BY_COMMAND, lambda _session: repository)

    def __call__(self, command: object) -> Any:
        config = CertificationConfig.from_settings(self.settings.extra)
        ctx = Context(
            cast(Session, None), cast(Outbox, self.outbox), self.now, self.settings, config=config
        )
        return handle(self.handlers, ctx, command)
