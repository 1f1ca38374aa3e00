"""What the registry consumes: a worker's promotions, to show their highest level per occupation.

Each event becomes a ``RecordPromotion`` command, run in the consumer batch's context. Its
handler keeps the smaller (higher) level of what it had and what the event says, so a
redelivered or late event changes nothing: idempotent and order-tolerant, as replay needs.
"""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import Schema, fields, validate

from services.registry.commands import RecordPromotion
from services.registry.domain.rules import SKILL_LEVELS
from services.registry.handlers import HANDLERS
from shared.handling import Context, handle
from shared.inbox import Received, Subscription

SKILL_PROMOTED = "jiangong.skill.promoted.v1"


class SkillPromoted(Schema):
    """The fields of ``skill.promoted.v1`` the registry reads; the rest are ignored."""

    worker_id = fields.String(required=True)
    occupation_code = fields.String(required=True, validate=validate.Length(min=1, max=20))
    to_level = fields.Integer(
        required=True, validate=validate.Range(min=SKILL_LEVELS[0], max=SKILL_LEVELS[-1])
    )


def record_promotion(ctx: Context, event: Received) -> None:
    data = event.data
    command = RecordPromotion(data["worker_id"], data["occupation_code"], data["to_level"])
    handle(HANDLERS, ctx, command)


def subscriptions() -> Mapping[str, Subscription]:
    return {SKILL_PROMOTED: Subscription(SkillPromoted, record_promotion)}
