"""The counts: from read models fed by the service's own events, by the fact's own date in
Asia/Shanghai, each event counted once, equal to a recount from the service's tables after a
replay; studios and leaders to date and of the year, workers trained of the year and to date."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.certification.adapters.counts import recount
from services.certification.adapters.orm import PromotionFact
from services.certification.demo import load_demo
from services.certification.service import SERVICE
from shared.events import topic_of
from shared.service import ServiceWorker
from tests.integration.certification.conftest import World, new_id

OWN = topic_of("certification")
COUNTIES = {"330402", "330411", "330421", "330424", "330481", "330482", "330483"}


def read(world: World, query: str = "year=2025") -> dict[str, Any]:
    answer = world.client.get(f"/api/v1/stats?{query}", headers=world.auth("reader"))
    assert answer.status_code == 200, answer.json
    return dict(answer.json)


def on(world: World, moment: datetime) -> None:
    world.now = moment


def contest(world: World, worker_ids: list[str], published_on: str, **extra: Any) -> None:
    data = {
        "competition_id": new_id("cmp"),
        "entry_id": new_id("entry"),
        "kind": "skill_contest",
        "level": "county",
        "contest_class": None,
        "occupation_code": "6-18-01-01",
        "year": int(published_on[:4]),
        "published_on": published_on,
        "award": "一等奖",
        "rank": 1,
        "ranked_entries": 12,
        "worker_ids": worker_ids,
        "enterprise_id": "ent-1",
        **extra,
    }
    world.event("competitions", "award.granted", data["competition_id"], data)


def train(world: World, worker_id: str, completed_on: str) -> None:
    body = {"worker_id": worker_id, "course": "安全生产", "hours": 8, "completed_on": completed_on}
    answer = world.client.post("/api/v1/trainings", json=body, headers=world.auth())
    assert answer.status_code == 201, answer.json


def studio(world: World, enterprise_id: str, leader: str, level: str = "municipal") -> str:
    body = {
        "name": "创新工作室",
        "enterprise_id": enterprise_id,
        "leader_worker_id": leader,
        "level": level,
        "leader_is_model_worker": True,
    }
    answer = world.client.post("/api/v1/studios", json=body, headers=world.auth())
    assert answer.status_code == 201, answer.json
    approved = world.client.post(
        f"/api/v1/studios/{answer.json['id']}/approve", headers=world.auth()
    )
    assert approved.status_code == 200, approved.json
    return str(answer.json["id"])


def lead(world: World, worker_id: str, occupation_code: str = "6-18-01-01") -> None:
    body = {"worker_id": worker_id, "occupation_code": occupation_code}
    answer = world.client.post("/api/v1/skill-leaders", json=body, headers=world.auth())
    assert answer.status_code == 201, answer.json


def a_lived_in_world(world: World) -> dict[str, str]:
    """Two years of facts in three counties, recorded through the API and the consumer."""
    ent_nanhu, ent_haining = new_id("ent"), new_id("ent")
    workers = {
        "nanhu": world.worker(ent_nanhu, region_code="330402"),
        "nanhu_migrant": world.worker(ent_nanhu, region_code="330402", is_migrant=True),
        "haining": world.worker(ent_haining, region_code="330481"),
        "haining_migrant": world.worker(ent_haining, region_code="330481", is_migrant=True),
        "town": world.worker(region_code="330483101"),  # a town of Tongxiang
    }
    assessor = world.assessor()
    on(world, datetime(2024, 8, 1, 2, tzinfo=UTC))
    assert world.assess(assessor, workers["nanhu"], assessed_on="2024-07-30").status_code == 201
    train(world, workers["haining_migrant"], "2024-07-01")
    studio(world, ent_haining, workers["haining"])
    lead(world, workers["haining"])
    contest(world, [workers["haining"]], "2024-05-01")

    on(world, datetime(2025, 6, 2, 2, tzinfo=UTC))
    for key in ("nanhu_migrant", "town", "haining_migrant"):
        assert world.assess(assessor, workers[key]).status_code == 201
    assert world.assess(assessor, workers["haining"], level=5, theory=30).status_code == 201
    contest(world, [workers["nanhu"]], "2025-04-01")  # 5 → 3
    for key, day in (
        ("nanhu", "2025-01-10"),
        ("nanhu", "2025-03-10"),
        ("haining_migrant", "2025-02-02"),
    ):
        train(world, workers[key], day)
    train(world, workers["town"], "2025-05-05")
    studio(world, ent_nanhu, workers["nanhu"])
    studio(world, ent_nanhu, workers["nanhu"], level="county")
    lead(world, workers["nanhu"])
    lead(world, workers["nanhu"], "6-18-02-01")  # the same person: one leader
    lead(world, workers["town"])
    world.pump()
    return workers


def recounted(world: World, year: int, region_code: str | None = None) -> dict[str, Any]:
    with Session(world.engine) as session:
        return recount(session, year, region_code)


def test_the_counts_of_a_year_and_to_date(any_world: World) -> None:
    world = any_world
    a_lived_in_world(world)
    stats = read(world)
    assert stats["year"] == 2025
    assert stats["promotions"] == {
        "total": 4,
        "by_level": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 3},
        "by_region": {**dict.fromkeys(COUNTIES, 0), "330402": 2, "330481": 1, "330483": 1},
        "by_route": {"assessment": 3, "contest_award": 1},
    }
    assert (stats["municipal_studios"], stats["municipal_studios_in_year"]) == (2, 1)
    assert (stats["skill_leaders"], stats["skill_leaders_in_year"]) == (3, 2)
    assert (stats["trained_workers"], stats["trained_migrant_workers"]) == (3, 1)
    assert (stats["trained_workers_to_date"], stats["trained_migrant_workers_to_date"]) == (3, 1)
    nanhu = stats["by_region"]["330402"]
    assert (nanhu["promotions"], nanhu["trained_workers"], nanhu["skill_leaders"]) == (2, 1, 1)
    assert stats["by_region"]["330483"]["trained_workers"] == 1  # a town counts in its county
    assert set(stats["by_region"]) == COUNTIES

    last_year = read(world, "year=2024")
    assert (last_year["promotions"]["total"], last_year["municipal_studios"]) == (2, 1)
    assert (last_year["trained_workers"], last_year["trained_migrant_workers"]) == (1, 1)

    haining = read(world, "year=2025&region_code=330481")
    assert list(haining["by_region"]) == ["330481"]
    assert haining["promotions"]["total"] == 1
    assert (haining["municipal_studios"], haining["trained_workers_to_date"]) == (1, 1)


def test_counts_equal_a_recount_from_the_tables_after_a_replay(any_world: World) -> None:
    world = any_world
    a_lived_in_world(world)
    before = {year: read(world, f"year={year}") for year in (2024, 2025)}
    for year in (2024, 2025):
        assert before[year] == recounted(world, year)
    assert read(world, "year=2025&region_code=330402") == recounted(world, 2025, "330402")

    replayed = ServiceWorker(world.app, world.bus).replay()
    assert replayed > 0
    for year in (2024, 2025):
        assert read(world, f"year={year}") == before[year] == recounted(world, year)


def test_a_redelivered_skill_promoted_counts_once(any_world: World) -> None:
    world = any_world
    worker = world.worker()
    contest(world, [worker], "2025-03-03")
    world.pump()
    promoted = [e for _, e in world.bus.log(OWN) if e.get_type() == "jiangong.skill.promoted.v1"]
    assert len(promoted) == 1
    world.deliver(promoted[0], topic=OWN)  # the inbox knows it
    with world.engine.begin() as connection:  # even with the inbox forgotten, the key holds
        inbox = SERVICE.kernel.inbox
        connection.execute(delete(inbox).where(inbox.c.consumer == "certification"))
    world.deliver(promoted[0], topic=OWN)
    world.pump()
    assert read(world)["promotions"]["total"] == 1
    with world.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(PromotionFact)).scalar_one() == 1


def test_a_fact_of_31_december_recorded_on_1_january_counts_in_the_old_year(
    any_world: World,
) -> None:
    world = any_world
    worker, trainee = world.worker(region_code="330421"), world.worker(region_code="330421")
    assessor = world.assessor()
    on(world, datetime(2024, 12, 31, 16, 30, tzinfo=UTC))  # 00:30 on 1 January in Jiaxing
    assert world.assess(assessor, worker, assessed_on="2024-12-31").status_code == 201
    train(world, trainee, "2024-12-31")
    train(world, trainee, "2025-01-01")  # today in Jiaxing, though still 31 December in UTC
    world.pump()

    assert read(world, "")["year"] == 2025  # the default: the current year in Asia/Shanghai
    old, new = read(world, "year=2024"), read(world, "year=2025")
    assert (old["promotions"]["total"], new["promotions"]["total"]) == (1, 0)
    assert old["promotions"]["by_region"]["330421"] == 1
    assert (old["trained_workers"], new["trained_workers"]) == (1, 1)
    assert new["trained_workers_to_date"] == 1  # one person trained twice


def test_a_year_with_no_data_is_all_zeros(world: World) -> None:
    stats = read(world, "year=2019")
    assert stats["promotions"]["total"] == 0
    assert set(stats["promotions"]["by_level"].values()) == {0}
    assert all(value == 0 for county in stats["by_region"].values() for value in county.values())
    assert stats["municipal_studios"] == stats["skill_leaders"] == stats["trained_workers"] == 0


def test_the_query_is_checked_and_any_token_reads(world: World) -> None:
    assert world.client.get("/api/v1/stats").status_code == 401
    for role, scope in (("admin", None), ("enterprise", "ent-1"), ("judge", "j-1")):
        assert world.client.get("/api/v1/stats", headers=world.auth(role, scope)).status_code == 200
    for query, field in (
        ("year=1850", "year"),
        ("region_code=110000", "region_code"),
        ("region_code=33", "region_code"),
    ):
        answer = world.client.get(f"/api/v1/stats?{query}", headers=world.auth("reader"))
        assert answer.status_code == 422, query
        assert field in answer.json["errors"]


def test_the_demo_records_a_year_that_moves_the_counts_once(world: World) -> None:
    counties = sorted(COUNTIES)
    for n in range(120):
        world.worker(
            f"ent-{n % 12}",
            region_code=counties[n % 7],
            is_migrant=n % 5 == 0,
            hired_on="2005-03-01" if n % 3 else "2024-03-01",
            occupation_code=f"6-18-01-0{n % 3 + 1}",
        )
    load_demo(world.app, settle=0.1, poll=0.02)
    world.pump()
    stats = read(world)
    assert stats["promotions"]["total"] > 50
    assert stats["promotions"]["by_level"]["4"] > 0 and stats["promotions"]["by_level"]["2"] > 0
    assert sum(1 for n in stats["promotions"]["by_region"].values() if n) == 7
    assert stats["municipal_studios"] >= 1 and stats["skill_leaders"] >= 1
    assert stats["trained_workers"] > 0 and stats["trained_migrant_workers"] > 0
    assert read(world, "year=2024")["trained_workers"] > 0
    assert stats == recounted(world, 2025)

    outbox_before = len(world.published("jiangong.assessment.recorded.v1"))
    load_demo(world.app, settle=0.1, poll=0.02)
    assert len(world.published("jiangong.assessment.recorded.v1")) == outbox_before
