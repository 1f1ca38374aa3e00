"""Exceptional promotion by contest (破格), driven by ``award.granted`` through the consumer:
one decision per award and worker, at most one contest promotion a year, every decision on
the worker's history, redeliveries and interleaved assessments changing nothing twice."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from services.certification.adapters.orm import (
    Certificate,
    ContestDecision,
    ContestPromotionYear,
    LedgerEntry,
)
from shared.events import new_event, topic_of
from shared.inbox import Consumer, Delivery
from tests.integration.certification.conftest import World

PROMOTED = "jiangong.skill.promoted.v1"
ISSUED = "jiangong.certificate.issued.v1"
COMPETITIONS = topic_of("competitions")


def award(worker_ids: list[str], **overrides: Any) -> dict[str, Any]:
    """A city class-1 skill contest's first place (→ level 2 by the default bands), with ids
    as long as competitions makes them."""
    return {
        "competition_id": str(uuid.uuid4()),
        "entry_id": str(uuid.uuid4()),
        "kind": "skill_contest",
        "level": "city",
        "contest_class": 1,
        "occupation_code": "6-18-01-01",
        "year": 2025,
        "published_on": "2025-05-10",
        "award": "一等奖",
        "rank": 1,
        "ranked_entries": 30,
        "worker_ids": worker_ids,
        "enterprise_id": "ent-1",
        **overrides,
    }


def granted(data: dict[str, Any]) -> Any:
    return new_event("competitions", "jiangong.award.granted.v1", data["competition_id"], data)


def count(world: World, model: Any, *where: Any) -> int:
    with world.engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(model).where(*where)
        ).scalar_one()


def history(world: World, worker_id: str) -> list[dict[str, Any]]:
    answer = world.client.get(f"/api/v1/workers/{worker_id}/skills", headers=world.auth())
    assert answer.status_code == 200, answer.json
    return [item for item in answer.json["history"] if item["kind"] == "contest_decision"]


def test_an_award_delivered_three_times_among_assessments_promotes_once(any_world: World) -> None:
    world = any_world
    worker = world.worker()
    assessor = world.assessor()
    event = granted(award([worker], level="county", contest_class=None, rank=3))  # → level 3

    world.deliver(event, topic=COMPETITIONS)
    failed = world.assess(assessor, worker, level=5, theory=40)
    world.deliver(event, topic=COMPETITIONS)
    too_low = world.assess(assessor, worker, level=5)
    world.deliver(event, topic=COMPETITIONS)

    assert failed.status_code == 201 and failed.json["promotion"] is None
    assert too_low.status_code == 409  # already at level 3 by the contest
    promoted = world.published(PROMOTED)
    assert [(p["route"], p["from_level"], p["to_level"]) for p in promoted] == [
        ("contest_award", None, 3)
    ]
    assert len(world.published(ISSUED)) == 1
    assert count(world, Certificate) == 1
    assert count(world, LedgerEntry) == 1
    assert count(world, ContestDecision) == 1
    world.pump()
    stats = world.client.get("/api/v1/stats?year=2025", headers=world.auth("reader")).json
    assert stats["promotions"]["by_route"] == {"assessment": 0, "contest_award": 1}


def test_a_second_contest_award_in_the_year_is_refused_on_the_history(any_world: World) -> None:
    world = any_world
    worker = world.worker()
    first = award([worker], level="county", contest_class=None, rank=2, published_on="2025-03-01")
    second = award([worker], rank=5, published_on="2025-05-20")
    world.event("competitions", "award.granted", first["competition_id"], first)
    world.event("competitions", "award.granted", second["competition_id"], second)

    decisions = history(world, worker)
    by_competition = {d["competition_id"]: d for d in decisions}
    assert by_competition[first["competition_id"]]["granted"] is True
    refused = by_competition[second["competition_id"]]
    assert (refused["granted"], refused["rule"]) == (False, "contest_promotion_this_year")
    assert refused["from_level"] == 3 and refused.get("to_level") is None
    assert refused["detail"] and refused["rules_version"] >= 1
    assert len(world.published(PROMOTED)) == 1


def test_a_contest_in_the_next_year_promotes_again(world: World) -> None:
    worker = world.worker()
    first = award([worker], level="county", contest_class=None, published_on="2024-12-31")
    second = award([worker], published_on="2025-01-01")
    world.event("competitions", "award.granted", first["competition_id"], first)
    world.event("competitions", "award.granted", second["competition_id"], second)
    promoted = world.published(PROMOTED)
    assert [(p["to_level"], p["year"]) for p in promoted] == [(3, 2024), (2, 2025)]
    assert count(world, ContestPromotionYear) == 2


def test_a_worker_at_the_band_goes_one_up_and_one_above_gets_nothing(world: World) -> None:
    at_band, above = world.worker(), world.worker()
    county = {"level": "county", "contest_class": None, "rank": 1}
    world.event(
        "competitions", "award.granted", "c", award([at_band], **county, published_on="2024-05-01")
    )
    world.event("competitions", "award.granted", "c", award([above], published_on="2024-05-01"))
    both = award([at_band, above], **county)
    world.event("competitions", "award.granted", both["competition_id"], both)

    [at_band_decision] = [
        d for d in history(world, at_band) if d["competition_id"] == both["competition_id"]
    ]
    [above_decision] = [
        d for d in history(world, above) if d["competition_id"] == both["competition_id"]
    ]
    assert (at_band_decision["from_level"], at_band_decision["to_level"]) == (3, 2)
    assert (above_decision["granted"], above_decision["rule"]) == (False, "above_contest_band")


def test_a_placement_outside_every_band_is_a_refused_decision(world: World) -> None:
    worker = world.worker()
    data = award([worker], rank=11)
    world.event("competitions", "award.granted", data["competition_id"], data)
    [decision] = history(world, worker)
    assert (decision["granted"], decision["rule"]) == (False, "not_eligible_for_contest_promotion")
    assert world.published(PROMOTED) == []


def test_other_kinds_of_competition_and_unknown_workers_are_ignored(world: World) -> None:
    worker = world.worker()
    team = award([worker], kind="team")
    world.event("competitions", "award.granted", team["competition_id"], team)
    stranger = award(["wkr-unknown"])
    world.event("competitions", "award.granted", stranger["competition_id"], stranger)
    assert count(world, ContestDecision) == 0
    assert world.published(PROMOTED) == []


def test_every_worker_of_a_team_award_is_decided(world: World) -> None:
    workers = [world.worker(), world.worker()]
    data = award(workers)
    world.event("competitions", "award.granted", data["competition_id"], data)
    promoted = world.published(PROMOTED)
    assert sorted(p["worker_id"] for p in promoted) == sorted(workers)
    assert {p["route"] for p in promoted} == {"contest_award"}
    assert {p["source_id"] for p in promoted} == {data["competition_id"]}


@pytest.mark.postgres
def test_two_awards_of_one_year_racing_promote_once(pg_world: World) -> None:
    world = pg_world
    worker = world.worker()
    events = [granted(award([worker], rank=rank)) for rank in (1, 2)]
    start = threading.Barrier(2)
    failures: list[Any] = []

    def consume(offset: int, event: Any) -> None:
        consumer = Consumer(
            "certification",
            world.engine,
            world.consumer.inbox,
            world.consumer.subscriptions,
            context=world.consumer.context,
        )
        start.wait()
        failures.extend(consumer.handle([Delivery(COMPETITIONS, offset, 1, event=event)]))

    threads = [threading.Thread(target=consume, args=(n, e)) for n, e in enumerate(events)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert count(world, ContestDecision) == 2
    assert count(world, ContestDecision, ContestDecision.granted.is_(True)) == 1
    assert len(world.published(PROMOTED)) == 1
