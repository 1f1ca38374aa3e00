"""Recording an assessment, and the promotion a pass gives.

In this order, each refusal leaving nothing behind (no row, no event):

1. the scores (0–100 each) and the level (1–5), then the date (not after today): 422;
2. the assessor's authorisation, looked up now (the token carries none): 403;
3. the worker, from the registry's replica: unknown 404, no longer active 422;
4. for a pass, the promotion: one level above the current one in the occupation, after the
   years the promotion rules table in force requires (a first level is 5, or what the table's
   years in the occupation allow, counted from the worker's ``hired_on`` when the registry
   names this occupation as theirs). A skipped level or one too early is refused (409) with the
   rule, and the date it becomes possible.

Then the assessment is recorded (a fail too: counted, no promotion), a pass promotes through
:func:`~.promotions.promote` (the ledger's line, the certificate, ``skill.promoted`` and
``certificate.issued``), and ``assessment.recorded`` is staged with the worker's enterprise and
region and the year of the assessment date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.certification import commands, events
from services.certification.adapters.orm import Assessment, WorkerReplica, new_id
from services.certification.adapters.repository import Repository
from services.certification.adapters.rules_store import PROMOTION, promotion_rules_of
from services.certification.domain.assessment import (
    AssessmentInput,
    check_assessed_on,
    check_authorised,
    decide,
    passed,
)
from services.certification.domain.counting import completed_years, year_of_fact
from services.certification.domain.workers import active_worker
from services.certification.handlers.promotions import promote
from shared.handling import Context


@dataclass(frozen=True)
class RecordedAssessment:
    """The assessment as recorded, with the promotion it gave: the answer, readable after the
    commit without loading the row again."""

    id: str
    worker_id: str
    assessor_id: str
    occupation_code: str
    level: int
    theory_score: float
    practical_score: float
    review_passed: bool | None
    passed: bool
    assessed_on: date
    recorded_at: datetime
    from_level: int | None
    to_level: int | None
    certificate_number: str | None

    @classmethod
    def of(cls, row: Assessment) -> RecordedAssessment:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


def record_assessment(
    ctx: Context, command: commands.RecordAssessment, repository: Repository
) -> RecordedAssessment:
    assessment = command.assessment
    check_assessed_on(assessment.assessed_on, ctx.today)
    check_authorised(
        repository.authorisations(command.assessor_id),
        assessment.occupation_code,
        assessment.level,
        assessment.assessed_on,
        ctx.today,
    )
    worker = _active_worker(repository, command.worker_id)
    version, rules = promotion_rules_of(repository.rules_table(PROMOTION))
    current = repository.holding(worker.id, assessment.occupation_code)
    promotion = decide(assessment, current, rules, ctx.today, _years_in(worker, assessment))
    row = Assessment(
        id=new_id(),
        worker_id=worker.id,
        assessor_id=command.assessor_id,
        occupation_code=assessment.occupation_code,
        level=assessment.level,
        theory_score=assessment.theory_score,
        practical_score=assessment.practical_score,
        review_passed=assessment.review_passed,
        passed=passed(assessment),
        assessed_on=assessment.assessed_on,
        recorded_at=ctx.now,
    )
    repository.add(row)
    if promotion is not None:
        certificate = promote(ctx, repository, worker, promotion, row.id, version)
        row.from_level, row.to_level = promotion.from_level, promotion.to_level
        row.certificate_number = certificate.number
    ctx.outbox.add(ctx.session, events.ASSESSMENT_RECORDED, worker.id, recorded_data(row, worker))
    return RecordedAssessment.of(row)


def recorded_data(row: Assessment, worker: WorkerReplica) -> dict[str, object]:
    return {
        "id": row.id,
        "worker_id": worker.id,
        "enterprise_id": worker.enterprise_id,
        "region_code": worker.region_code,
        "occupation_code": row.occupation_code,
        "level": row.level,
        "passed": row.passed,
        "assessed_on": row.assessed_on.isoformat(),
        "year": year_of_fact(row.assessed_on),
    }


def _active_worker(repository: Repository, worker_id: str) -> WorkerReplica:
    """The worker, held to the end of the transaction (PostgreSQL): two assessments of one
    worker are decided one after the other."""
    return active_worker(repository.worker(worker_id, lock=True))


def _years_in(worker: WorkerReplica, assessment: AssessmentInput) -> float | None:
    """Whole years the worker has been in the occupation, as far as the registry says: since
    they were hired, if the registry names this occupation as theirs; else unknown."""
    if worker.hired_on is None or worker.occupation_code != assessment.occupation_code:
        return None
    return completed_years(worker.hired_on, assessment.assessed_on)
