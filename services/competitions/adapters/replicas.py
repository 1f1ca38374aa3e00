"""Local replicas of the registry's enterprises and workers, fed by its events.

Tolerant readers: each schema takes the fields of the registry's events (``enterprise_data`` and
``worker_data`` in ``services/registry/events.py``) this service uses and ignores the rest.

Order tolerance: each replica row remembers the time and id of the event it reflects; an
event not newer than that (by time, then id, under the row's lock:
:func:`shared.replica.apply_newer`) is ignored, so events delivered twice or out of order leave
the row as the registry's latest event describes it. Each event is taken to carry the record
as it stands (the registry's events do); fields it leaves out keep their value, and a record
first heard of is active. Whether it is active is the event's ``active``;
``worker.left`` and ``enterprise.deregistered`` make it inactive whatever it says.
``worker.transferred`` carries the worker's new ``enterprise_id`` (and the one they left,
``from_enterprise_id``, which a replica does not need). A worker's ``region_code`` is their
county.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields

from services.competitions.adapters.read_tables import EnterpriseReplica, WorkerReplica
from shared.handling import Context
from shared.inbox import Handler, Received, Subscription
from shared.replica import apply_newer

ENTERPRISE_FIELDS = ("name", "region_code", "active")
WORKER_FIELDS = ("enterprise_id", "name", "id_number_masked", "region_code", "is_migrant", "active")


class EnterpriseFacts(Schema):
    """The fields of the registry's enterprise events this service reads."""

    id = fields.String(required=True)
    name = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    active = fields.Boolean(allow_none=True)


class WorkerFacts(Schema):
    """The fields of the registry's worker events this service reads."""

    id = fields.String(required=True)
    enterprise_id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    id_number_masked = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    is_migrant = fields.Boolean(allow_none=True)
    active = fields.Boolean(allow_none=True)


def _given(names: tuple[str, ...]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The values an event carries (one left out, or null, keeps the row's)."""
    return lambda data: {name: data[name] for name in names if data.get(name) is not None}


def _inactive(names: tuple[str, ...]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """An event that ends the record: its values, and inactive."""
    given = _given(names)
    return lambda data: {**given(data), "active": False}


def _replica(model: type, translate: Callable[[dict[str, Any]], dict[str, Any]]) -> Handler:
    def handle(ctx: Context, event: Received) -> None:
        apply_newer(ctx.session, model, event.data["id"], translate(event.data), event)

    return handle


def registry_subscriptions() -> dict[str, Subscription]:
    enterprise = _replica(EnterpriseReplica, _given(ENTERPRISE_FIELDS))
    worker = _replica(WorkerReplica, _given(WORKER_FIELDS))
    return {
        "jiangong.enterprise.registered.v1": Subscription(EnterpriseFacts, enterprise),
        "jiangong.enterprise.updated.v1": Subscription(EnterpriseFacts, enterprise),
        "jiangong.enterprise.deregistered.v1": Subscription(
            EnterpriseFacts, _replica(EnterpriseReplica, _inactive(ENTERPRISE_FIELDS))
        ),
        "jiangong.worker.registered.v1": Subscription(WorkerFacts, worker),
        "jiangong.worker.updated.v1": Subscription(WorkerFacts, worker),
        "jiangong.worker.transferred.v1": Subscription(WorkerFacts, worker),
        "jiangong.worker.left.v1": Subscription(
            WorkerFacts, _replica(WorkerReplica, _inactive(WORKER_FIELDS))
        ),
    }
