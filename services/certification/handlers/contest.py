"""Exceptional promotion by contest (破格), on ``award.granted``.

Only skill contests count; any other award is ignored. Each worker of the award whom the replica
knows is decided once (``contest_decisions`` is unique per competition and worker) with the
contest rules in force and the worker's current level in the contest's occupation (the
ledger). Every decision is written, granted or refused with the rule and the detail, with the
rules' version, so the worker's history shows why. A grant goes through
:func:`~.promotions.promote` (route ``contest_award``): the
ledger's line (its source the competition: one decision per competition and worker), a
certificate, ``skill.promoted`` and ``certificate.issued``.

**At most one contest promotion per worker per calendar year** of ``published_on``: a grant
first inserts ``(worker_id, year)`` into ``contest_promotion_years``, whose primary key refuses
a second one also when two transactions race (the loser's flush fails, the consumer retries the
event, and the retry finds the year taken and records a refusal). The worker's replica row is
locked for the decision (PostgreSQL), so an assessment of the same worker waits for it.

**Which award wins a year** when a worker places in two skill contests: the first one
*decided* here. Competitions keys ``award.granted`` by competition, so two competitions'
awards reach this consumer in no order the service can rely on (different partitions); a later
award of the same year is recorded as refused (``contest_promotion_this_year``) and a grant is
never undone. Repeated deliveries change nothing: the decision of a (competition, worker) pair
is already there. :func:`~services.certification.domain.ledger.fold_contest_awards` is the
order-independent reference (publication order); the two agree whenever awards arrive in
publication order, which is the usual case as competitions publish one contest at a time.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from services.certification.adapters.orm import (
    ContestDecision,
    ContestPromotionYear,
    WorkerReplica,
)
from services.certification.adapters.repository import Repository
from services.certification.adapters.rules_store import CONTEST, contest_rules_of
from services.certification.commands import ApplyContestAward
from services.certification.domain.contest import (
    SKILL_CONTEST,
    Award,
    ContestRules,
    decide_contest_promotion,
)
from services.certification.domain.contest import ContestDecision as Decision
from services.certification.handlers.promotions import promote
from shared.handling import Context

log = logging.getLogger(__name__)


def apply_contest_award(
    ctx: Context, command: ApplyContestAward, repository: Repository
) -> list[ContestDecision]:
    """Decide the award for each of its known workers; returns the decisions made now."""
    if command.data.get("kind") != SKILL_CONTEST:
        return []
    award = award_of(command.data)
    rules = contest_rules_of(repository.rules_table(CONTEST))
    name = str(command.data.get("award", ""))
    decided = []
    for worker_id in sorted(set(award.worker_ids)):
        worker = repository.worker(worker_id, lock=True)
        if worker is None:
            log.warning("award %s names a worker the replica does not know", award.award_id)
            continue
        row = _decide(ctx, repository, award, name, worker, rules)
        if row is not None:
            decided.append(row)
    return decided


def award_of(data: Any) -> Award:
    """The domain's view of an ``award.granted`` event's data."""
    return Award(
        competition_id=data["competition_id"],
        entry_id=data["entry_id"],
        worker_ids=tuple(data["worker_ids"]),
        kind=data["kind"],
        level=data["level"],
        contest_class=data.get("contest_class"),
        rank=data["rank"],
        ranked_entries=data["ranked_entries"],
        published_on=_date(data["published_on"]),
        occupation_code=data.get("occupation_code"),
        year=data.get("year"),
    )


def _decide(
    ctx: Context,
    repository: Repository,
    award: Award,
    name: str,
    worker: WorkerReplica,
    rules: ContestRules,
) -> ContestDecision | None:
    if repository.contest_decision(award.competition_id, worker.id) is not None:
        return None  # this award was decided for this worker already
    current = repository.holding(worker.id, award.occupation_code or "")
    level = None if current is None else current.level
    year = award.published_on.year
    taken = repository.contest_promotion_year(worker.id, year) is not None
    decision = decide_contest_promotion(award, level, int(taken), rules)
    promotion = decision.promotion()
    if promotion is not None:
        claim = ContestPromotionYear(
            worker_id=worker.id, year=year, competition_id=award.competition_id
        )
        repository.add(claim)  # now: the primary key holds one a year, also under races
        promote(ctx, repository, worker, promotion, award.competition_id, rules.version)
    row = _row(ctx, award, name, worker.id, decision)
    repository.add(row)
    return row


def _row(
    ctx: Context, award: Award, name: str, worker_id: str, decision: Decision
) -> ContestDecision:
    return ContestDecision(
        competition_id=award.competition_id,
        worker_id=worker_id,
        occupation_code=award.occupation_code,
        award=name[:64],
        rank=award.rank,
        published_on=award.published_on,
        year=decision.year,
        granted=decision.granted,
        from_level=decision.from_level,
        to_level=decision.to_level,
        rule=decision.reason,
        detail=decision.detail,
        rules_version=decision.rules_version,
        decided_at=ctx.now,
    )


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
