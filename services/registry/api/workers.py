"""Workers: register, list, read, correct, transfer, leave, and the audited full ID number."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry.adapters.orm import db
from services.registry.api.access import (
    cipher,
    is_admin,
    outbox,
    visible_enterprise,
    visible_worker,
    worker_view,
)
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
from services.registry.commands import commit
from services.registry.commands.workers import (
    register_worker,
    reveal_id_number,
    transfer_worker,
    update_worker,
    worker_leaves,
)
from services.registry.domain.rules import today_in_jiaxing
from services.registry.domain.workers import NewWorker
from services.registry.queries import skills_of, workers_query
from shared.auth import current_principal, requires
from shared.http import page_of, paginate

blp = Blueprint("workers", __name__, description="Workers and their union membership")
ANY_EMPLOYER = ("admin", "enterprise")


@blp.route("/enterprises/<enterprise_id>/workers")
class EnterpriseWorkers(MethodView):
    @requires(*ANY_EMPLOYER)
    @blp.arguments(WorkerQuery, location="query")
    @blp.response(200, page_of(WorkerOut))
    def get(self, query: dict[str, Any], enterprise_id: str) -> Any:
        """The enterprise's workers, paged; ``active`` filters current or former ones."""
        visible_enterprise(enterprise_id)
        select = workers_query(enterprise_id, query.get("active"))
        page = paginate(db.session, select, query["page"], query["per_page"])
        skills = skills_of(db.session, [worker.id for worker in page["items"]])
        page["items"] = [worker_view(worker, skills[worker.id]) for worker in page["items"]]
        return page

    @requires(*ANY_EMPLOYER)
    @blp.arguments(WorkerIn)
    @blp.response(201, WorkerOut)
    def post(self, new: NewWorker, enterprise_id: str) -> Any:
        """Register a worker (or hire again someone who left: they keep their worker id)."""
        visible_enterprise(enterprise_id)
        worker = register_worker(
            db.session, outbox(), cipher(), enterprise_id, new, reveal_employer=is_admin()
        )
        commit(db.session)
        return worker_view(worker)


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
        worker = visible_worker(worker_id)
        update_worker(db.session, outbox(), worker, changes, today_in_jiaxing())
        commit(db.session)
        return worker_view(worker)


@blp.route("/workers/<worker_id>/transfer", methods=["POST"])
@requires(*ANY_EMPLOYER)
@blp.arguments(TransferIn)
@blp.response(200, WorkerOut)
def transfer(body: dict[str, Any], worker_id: str) -> Any:
    """Move a worker to another enterprise: an admin or their current enterprise may."""
    worker = visible_worker(worker_id)
    transfer_worker(
        db.session,
        outbox(),
        worker,
        body["enterprise_id"],
        body.get("transferred_on"),
        today_in_jiaxing(),
    )
    commit(db.session)
    return worker_view(worker)


@blp.route("/workers/<worker_id>/leave", methods=["POST"])
@requires(*ANY_EMPLOYER)
@blp.arguments(LeaveIn)
@blp.response(200, WorkerOut)
def leave(body: dict[str, Any], worker_id: str) -> Any:
    """Record that a worker left (``left_on``, default today)."""
    worker = visible_worker(worker_id)
    worker_leaves(db.session, outbox(), worker, body.get("left_on"), today_in_jiaxing())
    commit(db.session)
    return worker_view(worker)


@blp.route("/workers/<worker_id>/id-number", methods=["GET"])
@requires("admin")
@blp.arguments(IdNumberQuery, location="query")
@blp.response(200, IdNumberOut)
def id_number(query: dict[str, Any], worker_id: str) -> Any:
    """The full ID number, for an admin who says why; every look is kept in the audit."""
    worker = visible_worker(worker_id)
    principal = current_principal()
    number = reveal_id_number(
        db.session, cipher(), worker, principal.subject, principal.role, query["reason"].strip()
    )
    commit(db.session)
    return {"worker_id": worker.id, "id_number": number}, {"Cache-Control": "no-store"}
