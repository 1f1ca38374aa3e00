"""The worker replica, fed by the registry's worker events.

Assessments, trainings, studios and leaders are checked against it, locally: the service never
asks the registry over HTTP. Each event carries the whole worker, so a handler writes the whole
row; an event older than the row (by its CloudEvents ``time``) changes nothing, so redelivery
and late arrival leave the replica as the newest event made it.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from services.certification.adapters.orm import WorkerReplica
from shared.clock import as_utc
from shared.handling import Context
from shared.inbox import Received, Subscription

WORKER_EVENTS = (
    "jiangong.worker.registered.v1",
    "jiangong.worker.updated.v1",
    "jiangong.worker.transferred.v1",
    "jiangong.worker.left.v1",
)


class WorkerFacts(Schema):
    """The fields of the registry's worker events this service reads; the rest are ignored."""

    id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    name = fields.String(required=True)
    id_number_masked = fields.String(required=True)
    region_code = fields.String(required=True)
    occupation_code = fields.String(load_default=None)
    is_migrant = fields.Boolean(load_default=False)
    hired_on = fields.Date(load_default=None)
    active = fields.Boolean(load_default=True)


def on_worker_event(ctx: Context, event: Received) -> None:
    data = event.data
    at = as_utc(event.time)
    worker = ctx.session.get(WorkerReplica, data["id"])
    if worker is None:
        worker = WorkerReplica(id=data["id"])
        ctx.session.add(worker)
    elif as_utc(worker.updated_at) > at:
        return  # a newer event already wrote the row
    worker.enterprise_id = data["enterprise_id"]
    worker.name = data["name"]
    worker.id_number_masked = data["id_number_masked"]
    worker.region_code = data["region_code"]
    worker.occupation_code = data["occupation_code"]
    worker.is_migrant = data["is_migrant"]
    worker.hired_on = data["hired_on"]
    worker.active = data["active"] and event.type != "jiangong.worker.left.v1"
    worker.updated_at = at


def replica_subscriptions() -> dict[str, Subscription]:
    return {event_type: Subscription(WorkerFacts, on_worker_event) for event_type in WORKER_EVENTS}
