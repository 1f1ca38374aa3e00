"""Enterprises and workers as the registry's newest events describe them.

Read from ``enterprise.*`` and ``worker.*``: what the coverage and union targets count
(county, union, active, and the dates a union was founded and joined). A record first heard of
by any event is created; ``enterprise.deregistered`` and ``worker.left`` make it inactive
whatever their ``active`` says.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from services.dashboard.adapters.facts import replicate
from services.dashboard.adapters.orm import EnterpriseFact, WorkerFact
from shared.handling import Context
from shared.inbox import Received, Subscription
from shared.regions import county_of

ENTERPRISE_DEREGISTERED = "jiangong.enterprise.deregistered.v1"
WORKER_LEFT = "jiangong.worker.left.v1"
ENTERPRISE_EVENTS = (
    "jiangong.enterprise.registered.v1",
    "jiangong.enterprise.updated.v1",
    ENTERPRISE_DEREGISTERED,
)
WORKER_EVENTS = (
    "jiangong.worker.registered.v1",
    "jiangong.worker.updated.v1",
    "jiangong.worker.transferred.v1",
    WORKER_LEFT,
)


class EnterpriseFacts(Schema):
    """The fields of the registry's enterprise events the targets read."""

    id = fields.String(required=True)
    region_code = fields.String(required=True)
    has_union = fields.Boolean(required=True)
    union_founded_on = fields.Date(allow_none=True, load_default=None)
    active = fields.Boolean(load_default=True)


class WorkerFacts(Schema):
    """The fields of the registry's worker events the targets read."""

    id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    region_code = fields.String(required=True)
    is_union_member = fields.Boolean(required=True)
    union_joined_on = fields.Date(allow_none=True, load_default=None)
    is_migrant = fields.Boolean(load_default=False)
    active = fields.Boolean(load_default=True)


def on_enterprise(ctx: Context, event: Received) -> None:
    data = event.data
    values = {
        "county_code": county_of(data["region_code"]),
        "has_union": data["has_union"],
        "union_founded_on": data["union_founded_on"] if data["has_union"] else None,
        "active": data["active"] and event.type != ENTERPRISE_DEREGISTERED,
    }
    replicate(ctx.session, EnterpriseFact, data["id"], values, event)


def on_worker(ctx: Context, event: Received) -> None:
    data = event.data
    values = {
        "enterprise_id": data["enterprise_id"],
        "county_code": county_of(data["region_code"]),
        "is_union_member": data["is_union_member"],
        "union_joined_on": data["union_joined_on"] if data["is_union_member"] else None,
        "is_migrant": data["is_migrant"],
        "active": data["active"] and event.type != WORKER_LEFT,
    }
    replicate(ctx.session, WorkerFact, data["id"], values, event)


def registry_subscriptions() -> dict[str, Subscription]:
    return {
        **{name: Subscription(EnterpriseFacts, on_enterprise) for name in ENTERPRISE_EVENTS},
        **{name: Subscription(WorkerFacts, on_worker) for name in WORKER_EVENTS},
    }
