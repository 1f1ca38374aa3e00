"""Workers: register (or hire again), correct, transfer, leave, and the audited ID number."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.adapters.orm import (
    Enterprise,
    IdNumberAudit,
    Worker,
    WorkerEmployment,
    new_id,
)
from services.registry.commands.enterprises import active_enterprise
from services.registry.domain.errors import (
    EnterpriseNotFound,
    InvalidValue,
    WorkerActiveElsewhere,
    WorkerHasLeft,
)
from services.registry.domain.rules import check_end_of_employment, check_union_joining
from services.registry.domain.workers import NewWorker
from services.registry.events import (
    WORKER_LEFT,
    WORKER_REGISTERED,
    WORKER_TRANSFERRED,
    WORKER_UPDATED,
    worker_data,
)
from shared.identifiers import mask_id_number
from shared.outbox import Outbox
from shared.pii import PiiCipher

log = logging.getLogger(__name__)


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


def already_active(existing_enterprise_id: str, enterprise_id: str, reveal: bool) -> str:
    """Why an active worker cannot be registered again; names the other employer if allowed."""
    if existing_enterprise_id == enterprise_id:
        return "is already registered as an active worker of this enterprise"
    where = f" ({existing_enterprise_id})" if reveal else ""
    return (
        f"is an active worker of another enterprise{where}; "
        "that enterprise or an admin must transfer the worker instead"
    )


def register_worker(
    session: Session,
    outbox: Outbox,
    cipher: PiiCipher,
    enterprise_id: str,
    new: NewWorker,
    reveal_employer: bool = False,
) -> Worker:
    enterprise = active_enterprise(session, enterprise_id)
    values = worker_values(new, cipher)
    worker = session.scalar(select(Worker).where(Worker.id_number_hash == values["id_number_hash"]))
    if worker is not None and worker.active:
        reason = already_active(worker.enterprise_id, enterprise_id, reveal_employer)
        raise WorkerActiveElsewhere("The person with this ID number " + reason + ".")
    if worker is None:  # a new person; else someone who left is hired again and keeps their id
        worker = Worker(id=new_id())
        session.add(worker)
    for key, value in {**values, "enterprise_id": enterprise_id}.items():
        setattr(worker, key, value)
    session.add(
        WorkerEmployment(worker_id=worker.id, enterprise_id=enterprise_id, hired_on=new.hired_on)
    )
    session.flush()
    outbox.add(session, WORKER_REGISTERED, worker.id, worker_data(worker, enterprise.region_code))
    return worker


def update_worker(
    session: Session, outbox: Outbox, worker: Worker, changes: Mapping[str, Any], today: date
) -> Worker:
    if not worker.active:
        raise WorkerHasLeft("The worker has left; a former worker's record is closed.")
    changes = dict(changes)
    if changes.get("is_union_member") is False and "union_joined_on" not in changes:
        changes["union_joined_on"] = None  # no longer a member, no joining date
    check_union_joining(
        changes.get("is_union_member", worker.is_union_member),
        changes.get("union_joined_on", worker.union_joined_on),
        today,
    )
    changed = {k: v for k, v in changes.items() if getattr(worker, k) != v}
    for key, value in changed.items():
        setattr(worker, key, value)
    if changed:
        session.flush()
        region = session.get_one(Enterprise, worker.enterprise_id).region_code
        outbox.add(session, WORKER_UPDATED, worker.id, worker_data(worker, region))
    return worker


def _current_employment(session: Session, worker: Worker) -> WorkerEmployment | None:
    return session.scalar(
        select(WorkerEmployment)
        .where(WorkerEmployment.worker_id == worker.id, WorkerEmployment.left_on.is_(None))
        .order_by(WorkerEmployment.id.desc())
        .limit(1)
    )


def _end_employment(session: Session, worker: Worker, on: date, ended_by: str) -> None:
    employment = _current_employment(session, worker)
    if employment is not None:
        employment.left_on = on
        employment.ended_by = ended_by


def transfer_worker(
    session: Session,
    outbox: Outbox,
    worker: Worker,
    to_enterprise_id: str,
    on: date | None,
    today: date,
) -> Worker:
    if not worker.active:
        raise WorkerHasLeft("The worker has left; register them again to hire them.")
    if to_enterprise_id == worker.enterprise_id:
        raise InvalidValue("The worker already works for this enterprise.", field="enterprise_id")
    try:
        target = active_enterprise(session, to_enterprise_id)
    except EnterpriseNotFound:
        raise InvalidValue("No enterprise with that id.", field="enterprise_id") from None
    on = on or today
    check_end_of_employment(worker.hired_on, on, today, "transferred_on")
    _end_employment(session, worker, on, "transfer")
    from_enterprise_id = worker.enterprise_id
    worker.enterprise_id, worker.hired_on = target.id, on
    session.add(WorkerEmployment(worker_id=worker.id, enterprise_id=target.id, hired_on=on))
    session.flush()
    data = {**worker_data(worker, target.region_code), "from_enterprise_id": from_enterprise_id}
    outbox.add(session, WORKER_TRANSFERRED, worker.id, data)
    return worker


def worker_leaves(
    session: Session, outbox: Outbox, worker: Worker, on: date | None, today: date
) -> Worker:
    if not worker.active:
        raise WorkerHasLeft(f"The worker left on {worker.left_on}.")
    on = on or today
    check_end_of_employment(worker.hired_on, on, today, "left_on")
    _end_employment(session, worker, on, "left")
    worker.active, worker.left_on = False, on
    session.flush()
    region = session.get_one(Enterprise, worker.enterprise_id).region_code
    outbox.add(session, WORKER_LEFT, worker.id, worker_data(worker, region))
    return worker


def reveal_id_number(
    session: Session, cipher: PiiCipher, worker: Worker, viewer: str, role: str, reason: str
) -> str:
    """The full ID number, written to the audit first: no one sees it without a trace."""
    session.add(
        IdNumberAudit(worker_id=worker.id, viewer=viewer[:128], role=role, reason=reason[:500])
    )
    session.flush()
    log.info("full ID number of worker %s shown to %s", worker.id, viewer)
    return cipher.decrypt(worker.id_number_encrypted)
