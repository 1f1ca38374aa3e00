"""Workers: register, list, read, correct, transfer, leave, and the audited full ID number."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from sqlalchemy import Select

from services.registry.adapters.orm import db
from services.registry.api.access import (
    is_admin,
    visible_enterprise,
    visible_worker,
    worker_view,
)
from services.registry.api.schemas import counted_page_of
from services.registry.api.worker_schemas import (
    IdNumberOut,
    IdNumberQuery,
    LeaveIn,
    TransferIn,
    WorkerIn,
    WorkerOut,
    WorkerPatch,
    WorkerQuery,
)
from services.registry.commands import (
    RecordWorkerLeft,
    RegisterWorker,
    RevealIdNumber,
    TransferWorker,
    UpdateWorker,
)
from services.registry.domain.workers import NewWorker
from services.registry.listing import page_of_rows
from services.registry.queries import kept_worker_total, skills_of, workers_query
from shared.auth import current_principal, requires
from shared.handling import command_from
from shared.http.parser import Blueprint
from shared.identifiers import IdNumber
from shared.runtime import execute, runtime_of

blp = Blueprint("workers", __name__, description="Workers and their union membership")
ANY_EMPLOYER = ("admin", "enterprise")
WorkerPage = counted_page_of(WorkerOut)


@blp.route("/enterprises/<enterprise_id>/workers")
class EnterpriseWorkers(MethodView):
    @requires(*ANY_EMPLOYER)
    @blp.arguments(WorkerQuery, location="query")
    @blp.response(200, WorkerPage)
    def get(self, query: dict[str, Any], enterprise_id: str) -> Any:
        """The enterprise's workers, paged; ``active`` filters current or former ones."""
        visible_enterprise(enterprise_id)
        return _page_of_workers(enterprise_id, query)

    @requires(*ANY_EMPLOYER)
    @blp.arguments(WorkerIn)
    @blp.response(201, WorkerOut)
    def post(self, new: NewWorker, enterprise_id: str) -> Any:
        """Register a worker (or hire again someone who left: they keep their worker id)."""
        visible_enterprise(enterprise_id)
        registered = execute(RegisterWorker(enterprise_id, new, is_admin()), reload=False)
        return worker_view(registered)


@blp.route("/workers", methods=["GET"])
@requires("admin")
@blp.arguments(WorkerQuery, location="query")
@blp.response(200, WorkerPage)
def all_workers(query: dict[str, Any]) -> Any:
    """Every enterprise's workers, paged: ``q`` finds them by a name fragment or a full ID
    number, ``active`` filters current or former ones."""
    return _page_of_workers(None, query)


def _page_of_workers(enterprise_id: str | None, query: dict[str, Any]) -> dict[str, Any]:
    select = _search(enterprise_id, query.get("active"), query.get("q"))
    total = kept_worker_total(db.session, enterprise_id, query.get("active"), query.get("q"))
    page = page_of_rows(db.session, select, query["page"], query["per_page"], total)
    skills = skills_of(db.session, [worker.id for worker in page["items"]])
    page["items"] = [worker_view(worker, skills[worker.id]) for worker in page["items"]]
    return page


def _search(
    enterprise_id: str | None, active: bool | None, q: str | IdNumber | None
) -> Select[Any]:
    """A name fragment as it is; a full ID number as its keyed hash, the only form it is kept in."""
    if isinstance(q, IdNumber):
        cipher = runtime_of(current_app).cipher
        assert cipher is not None, "the registry keeps PII: its runtime has a cipher"
        return workers_query(enterprise_id, active, id_number_hash=cipher.lookup_hash(q.value))
    return workers_query(enterprise_id, active, name=q)


@blp.route("/workers/<worker_id>")
class WorkerById(MethodView):
    @requires(*ANY_EMPLOYER)
    @blp.response(200, WorkerOut)
    def get(self, worker_id: str) -> Any:
        return worker_view(visible_worker(worker_id))

    @requires(*ANY_EMPLOYER)
    @blp.arguments(WorkerPatch)
    @blp.response(200, WorkerOut)
    def patch(self, changes: dict[str, Any], worker_id: str) -> Any:
        """Correct a current worker's details (not the ID number)."""
        visible_worker(worker_id)
        return worker_view(execute(UpdateWorker(worker_id, changes)))


@blp.route("/workers/<worker_id>/transfer", methods=["POST"])
@requires(*ANY_EMPLOYER)
@blp.arguments(TransferIn)
@blp.response(200, WorkerOut)
def transfer(body: dict[str, Any], worker_id: str) -> Any:
    """Move a worker to another enterprise: an admin or their current enterprise may."""
    visible_worker(worker_id)
    return worker_view(execute(command_from(body, TransferWorker, worker_id=worker_id)))


@blp.route("/workers/<worker_id>/leave", methods=["POST"])
@requires(*ANY_EMPLOYER)
@blp.arguments(LeaveIn, required=False)
@blp.response(200, WorkerOut)
def leave(body: dict[str, Any], worker_id: str) -> Any:
    """Record that a worker left (``left_on``, default today)."""
    visible_worker(worker_id)
    return worker_view(execute(command_from(body, RecordWorkerLeft, worker_id=worker_id)))


@blp.route("/workers/<worker_id>/id-number", methods=["GET"])
@requires("admin")
@blp.arguments(IdNumberQuery, location="query")
@blp.response(200, IdNumberOut)
def id_number(query: dict[str, Any], worker_id: str) -> Any:
    """The full ID number, for an admin who says why; every look is kept in the audit."""
    principal = current_principal()
    reason = query["reason"].strip()
    number = execute(RevealIdNumber(worker_id, principal.subject, principal.role, reason))
    return {"worker_id": worker_id, "id_number": number}, {"Cache-Control": "no-store"}
