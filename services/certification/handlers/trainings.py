"""Trainings (职工培训): a worker completed a course of some hours on a date.

Recorded by an admin or by the worker's own enterprise (another enterprise's worker is a 404,
as if unknown), for an active worker of the replica; the completion date is not in the future.
``training.completed`` carries the worker's county and migrant flag as the replica has them,
so that the counts (workers trained, migrant workers trained) need nothing else.
"""

from __future__ import annotations

from services.certification import events
from services.certification.adapters.orm import Training, new_id
from services.certification.adapters.repository import Repository
from services.certification.commands import RecordTraining
from services.certification.domain.counting import year_of_fact
from services.certification.domain.trainings import check_completed_by
from services.certification.domain.workers import active_worker
from shared.handling import Context


def record_training(ctx: Context, command: RecordTraining, repository: Repository) -> Training:
    worker = active_worker(repository.worker(command.worker_id), command.acting_enterprise_id)
    check_completed_by(command.completed_on, ctx.today)
    training = Training(
        id=new_id(),
        worker_id=worker.id,
        enterprise_id=worker.enterprise_id,
        course=command.course,
        hours=command.hours,
        completed_on=command.completed_on,
        region_code=worker.region_code,
        is_migrant=worker.is_migrant,
    )
    repository.add(training)
    ctx.outbox.add(
        ctx.session,
        events.TRAINING_COMPLETED,
        worker.id,
        {
            "id": training.id,
            "worker_id": worker.id,
            "enterprise_id": training.enterprise_id,
            "region_code": training.region_code,
            "is_migrant": training.is_migrant,
            "course": training.course,
            "hours": training.hours,
            "completed_on": training.completed_on.isoformat(),
            "year": year_of_fact(training.completed_on),
        },
    )
    return training
