"""``GET /api/v1/targets/{key}/history``: the twelve months behind a target."""

from __future__ import annotations

from tests.integration.dashboard.conftest import new_id


def _points(world, key: str, **query) -> list[dict]:
    answer = world.client.get(f"/api/v1/targets/{key}/history", query_string=query)
    assert answer.status_code == 200, answer.json
    return answer.json["points"]


def test_yearly_promotions_accumulate_month_by_month_beside_the_pace_line(any_world) -> None:
    any_world.promotion(new_id("wkr"), "2026-02-10")
    any_world.promotion(new_id("wkr"), "2026-02-28")
    any_world.promotion(new_id("wkr"), "2026-05-01")
    any_world.promotion(new_id("wkr"), "2025-12-31")  # last year's

    points = _points(any_world, "yearly_promotions", year=2026)

    assert [p["period"] for p in points][:2] == ["2026-01", "2026-02"]
    assert [p["value"] for p in points] == [0, 2, 2, 2, 3, 3, 3] + [None] * 5  # on 1 July
    assert points[0]["expected"] == round(3000 * 31 / 365, 2)
    assert points[11]["expected"] == 3000


def test_a_past_year_has_every_month(world) -> None:
    world.promotion(new_id("wkr"), "2025-12-31")

    points = _points(world, "yearly_promotions", year=2025)

    assert [p["value"] for p in points] == [0] * 11 + [1]


def test_cumulative_targets_carry_every_earlier_year(world) -> None:
    world.studio(approved_on="2024-05-01")  # before the plan: it counts to date all the same
    world.studio(approved_on="2026-03-01")
    world.studio(approved_on="2027-04-15")
    world.now = world.now.replace(year=2028)

    points = _points(world, "municipal_studios", year=2027)

    assert [p["value"] for p in points] == [2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3]
    assert points[11]["expected"] == 8  # two years of five: 40 % of 20


def test_a_distinct_count_of_a_county_starts_with_its_first_fact_there(world) -> None:
    worker = new_id("wkr")
    for county, day in (("330421", "2026-02-10"), ("330402", "2026-05-10")):
        data = {
            "id": new_id("trn"),
            "worker_id": worker,
            "enterprise_id": "ent",
            "region_code": county,
            "is_migrant": False,
            "course": "电工",
            "hours": 8,
            "completed_on": day,
            "year": 2026,
        }
        world.send("training.completed", worker, data)

    city = _points(world, "trained_workers", year=2026)
    county = _points(world, "trained_workers", year=2026, region_code="330402")

    assert [p["value"] for p in city][:7] == [0, 1, 1, 1, 1, 1, 1]
    assert [p["value"] for p in county][:7] == [0, 0, 0, 0, 1, 1, 1]


def test_a_rates_history_counts_from_the_dates_things_began(world) -> None:
    early = world.enterprise()
    late = world.enterprise("330421")
    world.enterprise("330421")
    world.entry(early, [world.worker(early)], registered_at="2026-01-20T02:00:00+00:00")
    world.entry(late, [world.worker(late)], registered_at="2026-03-10T02:00:00+00:00")

    points = _points(world, "enterprise_coverage", year=2026)
    county = _points(world, "enterprise_coverage", year=2026, region_code="330421")

    assert [p["value"] for p in points][:4] == [33.33, 33.33, 66.67, 66.67]
    assert [p["value"] for p in county][:4] == [0, 0, 50, 50]
    assert {p["expected"] for p in points} == {90}


def test_an_unknown_target_is_a_404_problem(world) -> None:
    answer = world.client.get("/api/v1/targets/happiness/history?year=2026")

    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert "happiness" in answer.json["detail"]


def test_history_refuses_unknown_parameters(world) -> None:
    answer = world.client.get("/api/v1/targets/skill_leaders/history?month=3")

    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["month"]
