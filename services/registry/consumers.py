"""What the registry consumes: a worker's promotions, to show their highest level per occupation.

The handler keeps the smaller (higher) level of what it had and what the event says, so a
redelivered or late event changes nothing: idempotent and order-tolerant, as replay needs.
"""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import Schema, fields, validate
from sqlalchemy import case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.registry.adapters.orm import WorkerSkill
from services.registry.domain.rules import SKILL_LEVELS
from shared.inbox import Received, Subscription

SKILL_PROMOTED = "jiangong.skill.promoted.v1"


class SkillPromoted(Schema):
    """The fields of ``skill.promoted.v1`` the registry reads; the rest are ignored."""

    worker_id = fields.String(required=True)
    occupation_code = fields.String(required=True, validate=validate.Length(min=1, max=20))
    to_level = fields.Integer(
        required=True, validate=validate.Range(min=SKILL_LEVELS[0], max=SKILL_LEVELS[-1])
    )


def record_promotion(session: Session, event: Received) -> None:
    table = WorkerSkill.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(
        worker_id=event.data["worker_id"],
        occupation_code=event.data["occupation_code"],
        level=event.data["to_level"],
    )
    higher = case(
        (statement.excluded.level < table.c.level, statement.excluded.level),
        else_=table.c.level,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.worker_id, table.c.occupation_code], set_={"level": higher}
        )
    )


def subscriptions() -> Mapping[str, Subscription]:
    return {SKILL_PROMOTED: Subscription(SkillPromoted, record_promotion)}
