"""The worker replica, fed by the registry's worker events.

Assessments, trainings, studios and leaders are checked against it, locally: the service never
asks the registry over HTTP. Each event carries the whole worker, so a handler writes the whole
row; an event not newer than the row (by its CloudEvents ``time``, then its id, compared under
the row's lock: :func:`shared.replica.apply_newer`) changes nothing, so redelivery, replay and
late arrival leave the replica as the newest event made it, whatever order they come in.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from services.certification.adapters.orm import WorkerReplica
from shared.handling import Context
from shared.inbox import Received, Subscription
from shared.replica import apply_newer

REPLICATED = (
    "enterprise_id",
    "name",
    "id_number_masked",
    "region_code",
    "occupation_code",
    "is_migrant",
    "hired_on",
)
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
    values = {name: data[name] for name in REPLICATED}
    values["active"] = data["active"] and event.type != "jiangong.worker.left.v1"
    apply_newer(ctx.session, WorkerReplica, data["id"], values, event)


def replica_subscriptions() -> dict[str, Subscription]:
    return {event_type: Subscription(WorkerFacts, on_worker_event) for event_type in WORKER_EVENTS}
