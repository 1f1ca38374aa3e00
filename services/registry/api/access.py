"""What the views share: today, who is asking, and the records the caller may see.

An enterprise token sees only its own enterprise and its workers: anything else is a 404,
so that the answer never confirms that it exists.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from flask import current_app, g

from services.registry.adapters.orm import Enterprise, Worker, db
from services.registry.domain.errors import EnterpriseNotFound, WorkerNotFound
from services.registry.queries import skills_of
from shared.auth import current_principal, ensure_enterprise
from shared.clock import shanghai_date
from shared.runtime import runtime_of

R = TypeVar("R")


def today() -> date:
    """Today in Asia/Shanghai by the app's clock: the date the handlers' ``ctx.today`` is."""
    return shanghai_date(runtime_of(current_app).now())


def is_admin() -> bool:
    return current_principal().role == "admin"


def visible_enterprise(enterprise_id: str) -> Enterprise:
    ensure_enterprise(enterprise_id)
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise EnterpriseNotFound()
    return _kept(enterprise)


def visible_worker(worker_id: str) -> Worker:
    worker = db.session.get(Worker, worker_id)
    if worker is None:
        raise WorkerNotFound()
    ensure_enterprise(worker.enterprise_id, "worker")
    return _kept(worker)


def _kept(record: R) -> R:
    """Hold ``record`` for the rest of the request: the session's identity map keeps it only
    while something refers to it, so the command that loads it next (a view that checked only
    that it may see it) finds it there instead of querying it again."""
    g.setdefault("jiangong_checked", []).append(record)
    return record


def worker_view(worker: Worker, skills: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A worker as answered: the record, the masked ID number and the highest skill levels."""
    if skills is None:
        skills = skills_of(db.session, [worker.id])[worker.id]
    return {
        **{column: getattr(worker, column) for column in _WORKER_FIELDS},
        "highest_level": min((skill["level"] for skill in skills), default=None),
        "skills": skills,
    }


_WORKER_FIELDS = (
    "id",
    "enterprise_id",
    "name",
    "id_number_masked",
    "gender",
    "birth_date",
    "occupation_code",
    "is_migrant",
    "is_union_member",
    "union_joined_on",
    "hired_on",
    "active",
    "left_on",
)
