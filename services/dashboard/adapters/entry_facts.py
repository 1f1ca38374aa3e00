"""Competition entries as the competitions service's newest events describe them.

``entry.registered`` and ``entry.withdrawn`` each carry the whole entry: its enterprise, its
workers, the competition's ``year`` and when it was registered. An entry counts for coverage
while registered; a withdrawal (or an event with ``withdrawn_at``) ends that.
"""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields
from sqlalchemy import delete, select

from services.dashboard.adapters.facts import replicate
from services.dashboard.adapters.orm import EntryFact, EntryWorkerFact
from services.dashboard.adapters.version import changed
from shared.clock import shanghai_date
from shared.handling import Context
from shared.inbox import Received, Subscription

ENTRY_REGISTERED = "jiangong.entry.registered.v1"
ENTRY_WITHDRAWN = "jiangong.entry.withdrawn.v1"


class EntryFacts(Schema):
    """The fields of ``entry.registered`` and ``entry.withdrawn`` coverage reads."""

    id = fields.String(required=True)
    competition_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    worker_ids = fields.List(fields.String(), required=True)
    year = fields.Integer(required=True)
    registered_at = fields.AwareDateTime(default_timezone=UTC, load_default=None)
    withdrawn_at = fields.AwareDateTime(default_timezone=UTC, allow_none=True, load_default=None)


def on_entry(ctx: Context, event: Received) -> None:
    data = event.data
    values = {
        "competition_id": data["competition_id"],
        "enterprise_id": data["enterprise_id"],
        "year": data["year"],
        "registered": event.type == ENTRY_REGISTERED and data["withdrawn_at"] is None,
        "registered_on": shanghai_date(data["registered_at"] or event.time),
    }
    if replicate(ctx.session, EntryFact, data["id"], values, event):
        _name_workers(ctx, data["id"], set(data["worker_ids"]))


def _name_workers(ctx: Context, entry_id: str, workers: set[str]) -> None:
    session = ctx.session
    named = set(
        session.scalars(
            select(EntryWorkerFact.worker_id).where(EntryWorkerFact.entry_id == entry_id)
        )
    )
    if named == workers:
        return
    session.execute(delete(EntryWorkerFact).where(EntryWorkerFact.entry_id == entry_id))
    session.add_all(EntryWorkerFact(entry_id=entry_id, worker_id=w) for w in sorted(workers))
    changed(session)


def entry_subscriptions() -> dict[str, Subscription]:
    return {
        ENTRY_REGISTERED: Subscription(EntryFacts, on_entry),
        ENTRY_WITHDRAWN: Subscription(EntryFacts, on_entry),
    }
