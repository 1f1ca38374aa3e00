"""Local replicas of the registry's enterprises and workers, fed by its events.

Order tolerance: each replica row remembers the time (and id) of the event it reflects; an
event older than that is ignored (last writer wins by event time), so events delivered twice
or out of order leave the row as the registry's latest event describes it. Each event is taken
to carry the record as it stands (the registry's events do); fields it leaves out keep their
value. ``worker.left`` marks a worker inactive, ``enterprise.deregistered`` an enterprise;
``worker.transferred`` moves a worker to ``to_enterprise_id`` (or ``enterprise_id``). A worker's
``region_code`` is their county.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields
from sqlalchemy.orm import Session

from services.competitions.adapters.read_tables import EnterpriseReplica, WorkerReplica
from services.competitions.adapters.repository import aware
from shared.inbox import Received, Subscription

INACTIVE_STATUSES = {"left", "inactive", "deregistered"}


class EnterpriseFacts(Schema):
    """The fields of the registry's enterprise events this service reads."""

    id = fields.String(required=True)
    name = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    active = fields.Boolean(allow_none=True)
    status = fields.String(allow_none=True)


class WorkerFacts(Schema):
    """The fields of the registry's worker events this service reads."""

    id = fields.String(required=True)
    enterprise_id = fields.String(allow_none=True)
    to_enterprise_id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    id_number_masked = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    is_migrant = fields.Boolean(allow_none=True)
    active = fields.Boolean(allow_none=True)
    status = fields.String(allow_none=True)


def _state(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    values = {name: data[name] for name in names if data.get(name) is not None}
    if data.get("active") is not None:
        values["active"] = data["active"]
    elif data.get("status") is not None:
        values["active"] = data["status"] not in INACTIVE_STATUSES
    return values


def _enterprise(data: dict[str, Any]) -> dict[str, Any]:
    return _state(data, ("name", "region_code"))


def _worker(data: dict[str, Any]) -> dict[str, Any]:
    values = _state(data, ("enterprise_id", "name", "id_number_masked", "region_code"))
    if data.get("is_migrant") is not None:
        values["is_migrant"] = data["is_migrant"]
    return values


def _transferred(data: dict[str, Any]) -> dict[str, Any]:
    values = _worker(data)
    if data.get("to_enterprise_id"):
        values["enterprise_id"] = data["to_enterprise_id"]
    return values


def _inactive(translate: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., Any]:
    return lambda data: {**translate(data), "active": False}


def _replica(model: type, translate: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    def handle(session: Session, event: Received) -> None:
        row = session.get(model, event.data["id"], with_for_update=True)
        if row is not None and (aware(event.time), event.id) <= (aware(row.as_of), row.as_of_event):
            return  # the row already reflects this event or a later one
        if row is None:
            row = model(id=event.data["id"], active=True)
            session.add(row)
        for name, value in translate(event.data).items():
            setattr(row, name, value)
        row.as_of, row.as_of_event = event.time, event.id

    return handle


def registry_subscriptions() -> dict[str, Subscription]:
    enterprise, worker = EnterpriseFacts, WorkerFacts
    return {
        "jiangong.enterprise.registered.v1": Subscription(
            enterprise, _replica(EnterpriseReplica, _enterprise)
        ),
        "jiangong.enterprise.updated.v1": Subscription(
            enterprise, _replica(EnterpriseReplica, _enterprise)
        ),
        "jiangong.enterprise.deregistered.v1": Subscription(
            enterprise, _replica(EnterpriseReplica, _inactive(_enterprise))
        ),
        "jiangong.worker.registered.v1": Subscription(worker, _replica(WorkerReplica, _worker)),
        "jiangong.worker.updated.v1": Subscription(worker, _replica(WorkerReplica, _worker)),
        "jiangong.worker.transferred.v1": Subscription(
            worker, _replica(WorkerReplica, _transferred)
        ),
        "jiangong.worker.left.v1": Subscription(
            worker, _replica(WorkerReplica, _inactive(_worker))
        ),
    }
