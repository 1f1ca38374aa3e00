"""What the certification service consumes: {event type: Subscription(tolerant schema, handler)}.

From the registry: workers, kept as a local replica (assessments, trainings, studios and leaders
are checked against it). From competitions: ``award.granted``, translated into the command
that applies the exceptional-promotion rules. From its own topic: the facts its counts are
read from (promotions, trainings, studios, skill leaders).
"""

from __future__ import annotations

from marshmallow import Schema, fields

from services.certification.adapters.counts import count_subscriptions
from services.certification.adapters.replica import replica_subscriptions
from services.certification.commands import ApplyContestAward
from services.certification.handlers import HANDLERS
from shared.handling import Context, handle
from shared.inbox import Received, Subscription

AWARD_GRANTED = "jiangong.award.granted.v1"


class AwardFacts(Schema):
    """The fields of ``award.granted`` the exceptional-promotion rules read."""

    competition_id = fields.String(required=True)
    entry_id = fields.String(required=True)
    kind = fields.String(required=True)
    level = fields.String(required=True)
    contest_class = fields.Integer(allow_none=True, load_default=None)
    occupation_code = fields.String(allow_none=True, load_default=None)
    year = fields.Integer(allow_none=True, load_default=None)
    published_on = fields.Date(required=True)
    award = fields.String(required=True)
    rank = fields.Integer(required=True)
    ranked_entries = fields.Integer(required=True)
    worker_ids = fields.List(fields.String(), required=True)
    enterprise_id = fields.String(required=True)


def on_award_granted(ctx: Context, event: Received) -> None:
    handle(HANDLERS, ctx, ApplyContestAward(event.id, event.data))


def subscriptions() -> dict[str, Subscription]:
    return {
        **replica_subscriptions(),
        AWARD_GRANTED: Subscription(AwardFacts, on_award_granted),
        **count_subscriptions(),
    }
