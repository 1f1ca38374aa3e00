"""What the competitions service consumes: {event type: Subscription(tolerant schema, handler)}.

From the registry: enterprises and workers, kept as local replicas (entries are checked
against them), whose names then reach the boards' rows. From its own topic: the facts that
move the leaderboards, and the awards that feed the enterprise table
(``adapters/board_projection.py``). Every handler is called as ``handler(ctx, received)`` with
the service's context for the batch.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from services.competitions import events
from services.competitions.adapters.board_projection import (
    on_award_granted,
    on_competition_changed,
    on_entry_registered,
    on_entry_withdrawn,
    on_names_changed,
    on_score_recorded,
)
from services.competitions.adapters.replicas import registry_subscriptions
from shared.handling import Context
from shared.inbox import Handler, Received, Subscription


class CompetitionFacts(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True)


class EntryFacts(Schema):
    id = fields.String(required=True)
    competition_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    registered_at = fields.AwareDateTime(required=True)
    team_name = fields.String(allow_none=True, load_default=None)
    worker_ids = fields.List(fields.String(), load_default=list)


class ScoreFacts(Schema):
    competition_id = fields.String(required=True)
    entry_id = fields.String(required=True)
    judge_id = fields.String(required=True)
    enterprise_id = fields.String(load_default=None)
    marks = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    recorded_at = fields.AwareDateTime(required=True)


class AwardFacts(Schema):
    competition_id = fields.String(required=True)
    entry_id = fields.String(required=True)
    year = fields.Integer(required=True)
    enterprise_id = fields.String(required=True)
    award = fields.String(required=True)
    points = fields.Integer(required=True)


def _then(first: Handler, second: Handler) -> Handler:
    def both(ctx: Context, event: Received) -> None:
        first(ctx, event)
        second(ctx, event)

    return both


def subscriptions() -> dict[str, Subscription]:
    """The registry's events keep the replicas, then the names on the boards; the service's
    own events keep the boards."""
    registry = {
        event_type: Subscription(subscription.schema, _then(subscription.handle, on_names_changed))
        for event_type, subscription in registry_subscriptions().items()
    }
    return {
        **registry,
        events.COMPETITION_OPENED: Subscription(CompetitionFacts, on_competition_changed),
        events.COMPETITION_CLOSED: Subscription(CompetitionFacts, on_competition_changed),
        events.COMPETITION_PUBLISHED: Subscription(CompetitionFacts, on_competition_changed),
        events.ENTRY_REGISTERED: Subscription(EntryFacts, on_entry_registered),
        events.ENTRY_WITHDRAWN: Subscription(EntryFacts, on_entry_withdrawn),
        events.SCORE_RECORDED: Subscription(ScoreFacts, on_score_recorded),
        events.AWARD_GRANTED: Subscription(AwardFacts, on_award_granted),
    }
