"""Workers: register (or hire again), correct, transfer, record leaving, the audited ID number.

A worker row is a person: the lookup hash of the ID number is unique, so someone who leaves and
is hired again keeps their worker id; ``WorkerEmployment`` keeps every employment.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from services.registry.adapters.orm import IdNumberAudit, Worker, WorkerEmployment, new_id
from services.registry.adapters.repository import Repository
from services.registry.commands import (
    RecordPromotion,
    RecordWorkerLeft,
    RegisterWorker,
    RevealIdNumber,
    TransferWorker,
    UpdateWorker,
)
from services.registry.domain.employment import (
    check_may_be_hired,
    check_may_leave,
    check_record_open,
    known_worker,
    transfer_target,
)
from services.registry.domain.rules import check_union_joining
from services.registry.domain.workers import NewWorker
from services.registry.events import (
    WORKER_LEFT,
    WORKER_REGISTERED,
    WORKER_TRANSFERRED,
    WORKER_UPDATED,
    worker_data,
)
from services.registry.handlers.enterprises import active_enterprise, apply_changes
from shared.handling import Context
from shared.identifiers import mask_id_number
from shared.pii import PiiCipher

log = logging.getLogger(__name__)


def register_worker(ctx: Context, command: RegisterWorker, repository: Repository) -> Worker:
    enterprise = active_enterprise(repository, command.enterprise_id)
    values = worker_values(command.new, cipher_of(ctx))
    worker = repository.worker_with_id_number(values["id_number_hash"])
    check_may_be_hired(worker, enterprise.id, command.reveal_employer)
    if worker is None:  # a new person; else someone who left is hired again and keeps their id
        worker = Worker(id=new_id())
        repository.add(worker)
    apply_changes(worker, {**values, "enterprise_id": enterprise.id})
    hired_on = command.new.hired_on
    repository.add(
        WorkerEmployment(worker_id=worker.id, enterprise_id=enterprise.id, hired_on=hired_on)
    )
    ctx.outbox.add(
        ctx.session, WORKER_REGISTERED, worker.id, worker_data(worker, enterprise.region_code)
    )
    return worker


def update_worker(ctx: Context, command: UpdateWorker, repository: Repository) -> Worker:
    worker = worker_of(repository, command.worker_id, lock=True)
    check_record_open(worker)
    changes = dict(command.changes)
    if changes.get("is_union_member") is False and "union_joined_on" not in changes:
        changes["union_joined_on"] = None  # no longer a member, no joining date
    check_union_joining(
        changes.get("is_union_member", worker.is_union_member),
        changes.get("union_joined_on", worker.union_joined_on),
        ctx.today,
    )
    if apply_changes(worker, changes):
        _stage(ctx, repository, WORKER_UPDATED, worker)
    return worker


def transfer_worker(ctx: Context, command: TransferWorker, repository: Repository) -> Worker:
    worker = worker_of(repository, command.worker_id, lock=True)
    on = command.transferred_on or ctx.today
    target = transfer_target(worker, repository.enterprise(command.enterprise_id), on, ctx.today)
    _end_employment(repository, worker, on, "transfer")
    from_enterprise_id = worker.enterprise_id
    worker.enterprise_id, worker.hired_on = target.id, on
    repository.add(WorkerEmployment(worker_id=worker.id, enterprise_id=target.id, hired_on=on))
    _stage(ctx, repository, WORKER_TRANSFERRED, worker, from_enterprise_id=from_enterprise_id)
    return worker


def record_worker_left(ctx: Context, command: RecordWorkerLeft, repository: Repository) -> Worker:
    worker = worker_of(repository, command.worker_id, lock=True)
    on = command.left_on or ctx.today
    check_may_leave(worker, on, ctx.today)
    _end_employment(repository, worker, on, "left")
    worker.active, worker.left_on = False, on
    _stage(ctx, repository, WORKER_LEFT, worker)
    return worker


def reveal_id_number(ctx: Context, command: RevealIdNumber, repository: Repository) -> str:
    """The full ID number, with its audit row in the same transaction: no look without a trace."""
    worker = worker_of(repository, command.worker_id)
    audit = IdNumberAudit(
        worker_id=worker.id,
        viewer=command.viewer[:128],
        role=command.role,
        reason=command.reason[:500],
    )
    repository.add(audit)
    log.info("full ID number of worker %s shown to %s", worker.id, command.viewer)
    return cipher_of(ctx).decrypt(worker.id_number_encrypted)


def record_promotion(ctx: Context, command: RecordPromotion, repository: Repository) -> None:
    repository.keep_highest_level(command.worker_id, command.occupation_code, command.level)


# -- shared by the handlers above and the import ------------------------------------------------


def worker_of(repository: Repository, worker_id: str, lock: bool = False) -> Worker:
    """The worker, or :class:`WorkerNotFound`; a change locks them first, so that the event it
    stages (its time taken after the lock) comes after the change before it."""
    return known_worker(repository.worker(worker_id, lock))


def cipher_of(ctx: Context) -> PiiCipher:
    if ctx.cipher is None:
        raise RuntimeError("the registry's context has no PII cipher (keeps_pii is off)")
    return ctx.cipher


def worker_values(new: NewWorker, cipher: PiiCipher) -> dict[str, Any]:
    """The stored columns of a new worker: the ID number encrypted, hashed and masked."""
    number = new.identity.value
    return {
        "name": new.name,
        "id_number_encrypted": cipher.encrypt(number),
        "id_number_hash": cipher.lookup_hash(number),
        "id_number_masked": mask_id_number(number),
        "gender": new.identity.gender,
        "birth_date": new.identity.birth_date,
        "occupation_code": new.occupation_code,
        "is_migrant": new.is_migrant,
        "is_union_member": new.is_union_member,
        "union_joined_on": new.union_joined_on,
        "hired_on": new.hired_on,
        "active": True,
        "left_on": None,
    }


def _end_employment(repository: Repository, worker: Worker, on: date, ended_by: str) -> None:
    employment = repository.open_employment(worker.id)
    if employment is not None:
        employment.left_on = on
        employment.ended_by = ended_by


def _stage(
    ctx: Context, repository: Repository, event_type: str, worker: Worker, **extra: Any
) -> None:
    """The worker's event, with the county of the enterprise that employs them."""
    enterprise = repository.enterprise(worker.enterprise_id)
    assert enterprise is not None, "a worker's enterprise is never deleted"
    data = {**worker_data(worker, enterprise.region_code), **extra}
    ctx.outbox.add(ctx.session, event_type, worker.id, data)
