"""A worker's skills: the level held per occupation and the history behind it.

For admins and the worker's own enterprise (as the registry's replica says); another
enterprise's worker is a 404, as if it did not exist. The history lists, newest first, the
ledger's lines (promotions), every assessment (passed or failed) and every contest decision
(granted, or refused with its rule and detail).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.certification.adapters.history import (
    assessments_of,
    contest_decisions_of,
    ledger_of,
)
from services.certification.adapters.orm import (
    Assessment,
    ContestDecision,
    LedgerEntry,
    WorkerReplica,
    db,
)
from services.certification.api.assessment_schemas import SkillsOut
from services.certification.domain import errors
from shared.auth import may_see_enterprise, requires
from shared.clock import as_utc
from shared.http.parser import Blueprint

blp = Blueprint("workers", __name__, description="Workers' skill levels and their history.")

Line = tuple[tuple[date, datetime, int], dict[str, Any]]
"""``((day, recorded at, rank), item)``, sorted newest first."""
PROMOTION, DECISION, ASSESSMENT = 2, 1, 0
"""Recorded at the same moment, a promotion is listed before (newer than) what gave it."""


@blp.route("/workers/<worker_id>/skills", methods=["GET"])
@requires("admin", "enterprise")
@blp.response(200, SkillsOut)
def skills(worker_id: str) -> dict[str, Any]:
    """The level held in each occupation (the highest ledger line), and the history."""
    worker = db.session.get(WorkerReplica, worker_id)
    if worker is None or not may_see_enterprise(worker.enterprise_id):
        raise errors.WorkerNotFound()
    ledger = ledger_of(db.session, worker.id)
    lines = [
        *(_promotion(entry) for entry in ledger),
        *(_assessment(row) for row in assessments_of(db.session, worker.id)),
        *(_decision(row) for row in contest_decisions_of(db.session, worker.id)),
    ]
    history = [item for _, item in sorted(lines, key=lambda line: line[0], reverse=True)]
    return {
        "worker_id": worker.id,
        "name": worker.name,
        "enterprise_id": worker.enterprise_id,
        "active": worker.active,
        "skills": _held(ledger),
        "history": history,
    }


def _held(ledger: list[LedgerEntry]) -> list[LedgerEntry]:
    """Per occupation, the highest level (the smallest number), reached first."""
    held: dict[str, LedgerEntry] = {}
    for entry in ledger:
        current = held.get(entry.occupation_code)
        if current is None or (entry.level, entry.since) < (current.level, current.since):
            held[entry.occupation_code] = entry
    return [held[code] for code in sorted(held)]


def _promotion(entry: LedgerEntry) -> Line:
    return (entry.since, as_utc(entry.recorded_at), PROMOTION), {
        "kind": "promotion",
        "on": entry.since,
        "occupation_code": entry.occupation_code,
        "level": entry.level,
        "from_level": entry.from_level,
        "to_level": entry.level,
        "route": entry.route,
        "certificate_number": entry.certificate_number,
        "rules_version": entry.rules_version,
    }


def _assessment(row: Assessment) -> Line:
    return (row.assessed_on, as_utc(row.recorded_at), ASSESSMENT), {
        "kind": "assessment",
        "on": row.assessed_on,
        "occupation_code": row.occupation_code,
        "level": row.level,
        "assessment_id": row.id,
        "passed": row.passed,
        "theory_score": row.theory_score,
        "practical_score": row.practical_score,
        "review_passed": row.review_passed,
        "from_level": row.from_level,
        "to_level": row.to_level,
        "certificate_number": row.certificate_number,
    }


def _decision(row: ContestDecision) -> Line:
    return (row.published_on, as_utc(row.decided_at), DECISION), {
        "kind": "contest_decision",
        "on": row.published_on,
        "occupation_code": row.occupation_code,
        "level": row.to_level,
        "competition_id": row.competition_id,
        "award": row.award,
        "rank": row.rank,
        "granted": row.granted,
        "from_level": row.from_level,
        "to_level": row.to_level,
        "rule": row.rule,
        "detail": row.detail,
        "rules_version": row.rules_version,
    }
