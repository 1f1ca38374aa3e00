"""Promotions, municipal studios, skill leaders and trainings, from certification's events.

Each is a fact that never changes, kept once under the key of what it made true: a promotion
under (worker, occupation, level reached), which the skill ledger holds once; a studio, a
designation and a training under their ids. Its date is the fact's own (``promoted_on``,
``approved_on``, ``designated_on``, ``completed_on``), so it counts in the year it happened,
whenever it was processed: the year of ``promoted_on``, not the event's ``year`` field, as
certification's own counts read it.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from services.dashboard.adapters.facts import record_once
from services.dashboard.adapters.orm import (
    PromotionFact,
    SkillLeaderFact,
    StudioFact,
    TrainingFact,
)
from shared.handling import Context
from shared.inbox import Handler, Received, Subscription
from shared.regions import county_of

SKILL_PROMOTED = "jiangong.skill.promoted.v1"
STUDIO_APPROVED = "jiangong.studio.approved.v1"
SKILL_LEADER_DESIGNATED = "jiangong.skill_leader.designated.v1"
TRAINING_COMPLETED = "jiangong.training.completed.v1"


class PromotionFacts(Schema):
    worker_id = fields.String(required=True)
    occupation_code = fields.String(required=True)
    to_level = fields.Integer(required=True)
    route = fields.String(load_default="assessment")
    region_code = fields.String(required=True)
    promoted_on = fields.Date(required=True)


class StudioFacts(Schema):
    id = fields.String(required=True)
    level = fields.String(required=True)
    region_code = fields.String(required=True)
    approved_on = fields.Date(required=True)


class SkillLeaderFacts(Schema):
    id = fields.String(required=True)
    worker_id = fields.String(required=True)
    region_code = fields.String(required=True)
    designated_on = fields.Date(required=True)


class TrainingFacts(Schema):
    id = fields.String(required=True)
    worker_id = fields.String(required=True)
    is_migrant = fields.Boolean(required=True)
    region_code = fields.String(required=True)
    completed_on = fields.Date(required=True)


def on_promoted(ctx: Context, event: Received) -> None:
    data = event.data
    facts = {
        "worker_id": data["worker_id"],
        "occupation_code": data["occupation_code"],
        "to_level": data["to_level"],
        "route": data["route"],
        "county_code": county_of(data["region_code"]),
        "year": data["promoted_on"].year,  # the fact's own date, as certification counts it
        "promoted_on": data["promoted_on"],
    }
    record_once(ctx.session, PromotionFact, facts)


def _fact(model: type, *names: str) -> Handler:
    def handle(ctx: Context, event: Received) -> None:
        data = event.data
        facts = {name: data[name] for name in names}
        record_once(ctx.session, model, {**facts, "county_code": county_of(data["region_code"])})

    return handle


def certification_subscriptions() -> dict[str, Subscription]:
    return {
        SKILL_PROMOTED: Subscription(PromotionFacts, on_promoted),
        STUDIO_APPROVED: Subscription(StudioFacts, _fact(StudioFact, "id", "level", "approved_on")),
        SKILL_LEADER_DESIGNATED: Subscription(
            SkillLeaderFacts, _fact(SkillLeaderFact, "id", "worker_id", "designated_on")
        ),
        TRAINING_COMPLETED: Subscription(
            TrainingFacts,
            _fact(TrainingFact, "id", "worker_id", "is_migrant", "completed_on"),
        ),
    }
