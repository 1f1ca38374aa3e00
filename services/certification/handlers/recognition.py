"""Innovation studios (创新工作室) and skill leaders (技能带头人).

- An enterprise (or an admin for it) applies for a studio at a level; its leader must be an
  active worker of that enterprise in the worker replica, and a model worker or someone holding
  level 2 or higher in any occupation (the skill ledger, at the time of the application).
- An admin approves an application once; ``studio.approved`` follows, dated the approval day.
- A skill leader is designated once per worker and occupation (the table's unique key holds it
  under concurrency too); ``skill_leader.designated`` follows.

Counts are not kept here: they come from these events (:mod:`..adapters.counts`).
"""

from __future__ import annotations

from services.certification import events
from services.certification.adapters.orm import SkillLeader, Studio, new_id
from services.certification.adapters.repository import Repository
from services.certification.commands import ApplyForStudio, ApproveStudio, DesignateSkillLeader
from services.certification.domain.counting import year_of_fact
from services.certification.domain.studios import (
    StudioStatus,
    check_leader_qualified,
    check_skill_leader_not_designated,
    decide_application,
    known_studio,
    studio_level,
)
from services.certification.domain.workers import active_worker, studio_leader
from shared.handling import Context


def apply_for_studio(ctx: Context, command: ApplyForStudio, repository: Repository) -> Studio:
    level = studio_level(command.level)
    leader = studio_leader(repository.worker(command.leader_worker_id), command.enterprise_id)
    held = repository.highest_level(leader.id)
    check_leader_qualified(command.leader_is_model_worker, [] if held is None else [held])
    studio = Studio(
        id=new_id(),
        name=command.name,
        enterprise_id=command.enterprise_id,
        leader_worker_id=leader.id,
        leader_is_model_worker=command.leader_is_model_worker,
        level=str(level),
        region_code=leader.region_code,
        status=str(StudioStatus.APPLIED),
        applied_at=ctx.now,
    )
    repository.add(studio)
    return studio


def approve_studio(ctx: Context, command: ApproveStudio, repository: Repository) -> Studio:
    studio = known_studio(repository.studio(command.studio_id))  # held: one admin decides
    studio.status = str(decide_application(studio.status, approve=True))
    studio.approved_on = command.approved_on or ctx.today
    ctx.outbox.add(
        ctx.session,
        events.STUDIO_APPROVED,
        studio.id,
        {
            "id": studio.id,
            "enterprise_id": studio.enterprise_id,
            "region_code": studio.region_code,
            "level": studio.level,
            "leader_worker_id": studio.leader_worker_id,
            "approved_on": studio.approved_on.isoformat(),
            "year": year_of_fact(studio.approved_on),
        },
    )
    return studio


def designate_skill_leader(
    ctx: Context, command: DesignateSkillLeader, repository: Repository
) -> SkillLeader:
    worker = active_worker(repository.worker(command.worker_id))
    check_skill_leader_not_designated(repository.skill_leader(worker.id, command.occupation_code))
    leader = SkillLeader(
        id=new_id(),
        worker_id=worker.id,
        enterprise_id=worker.enterprise_id,
        occupation_code=command.occupation_code,
        region_code=worker.region_code,
        designated_on=command.designated_on or ctx.today,
    )
    repository.add(leader)  # the unique key refuses a concurrent twin here (a 409)
    ctx.outbox.add(
        ctx.session,
        events.SKILL_LEADER_DESIGNATED,
        leader.worker_id,
        {
            "id": leader.id,
            "worker_id": leader.worker_id,
            "enterprise_id": leader.enterprise_id,
            "region_code": leader.region_code,
            "occupation_code": leader.occupation_code,
            "designated_on": leader.designated_on.isoformat(),
            "year": year_of_fact(leader.designated_on),
        },
    )
    return leader
