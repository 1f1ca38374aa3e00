"""Coverage of a year's competitions over the registry's active enterprises and workers, by
county, and the counties ranked by participation."""

from __future__ import annotations

from typing import Any


def _enter(world, competition: str, enterprise: str, *workers: str) -> str:
    answer = world.enter(competition, enterprise, *workers)
    assert answer.status_code == 201, answer.json
    return str(answer.json["id"])


def _year(world) -> dict[str, Any]:
    a, b = world.enterprise("330402"), world.enterprise("330402")
    c, d = world.enterprise("330411001"), world.enterprise("330481")
    a1, a2, a3 = (world.worker(a, "330402") for _ in range(3))
    b1 = world.worker(b, "330402")
    c1, c2 = (world.worker(c, "330411") for _ in range(2))
    x, y, z = world.competition(), world.competition(kind="team"), world.competition(year=2024)
    for competition in (x, y, z):
        world.move(competition, "open")
    _enter(world, x, a, a1)
    _enter(world, x, a, a2)
    _enter(world, x, c, c1)
    withdrawn = _enter(world, x, b, b1)
    path = f"/api/v1/competitions/{x}/entries/{withdrawn}"
    assert world.client.delete(path, headers=world.auth()).status_code == 204
    _enter(world, y, a, a1, a3)  # a1 a second time: one more person-time, not one more worker
    _enter(world, y, c, c2)
    _enter(world, z, b, b1)  # another year
    world.registry_event("worker.left", {"id": a3, "enterprise_id": a})
    world.registry_event("enterprise.deregistered", {"id": d})
    return {"a": a, "c": c}


def test_coverage_counts_distinct_active_participants_with_person_times_beside(world) -> None:
    _year(world)
    answer = world.client.get("/api/v1/coverage?year=2025", headers=world.auth("reader"))
    assert answer.status_code == 200, answer.json
    coverage = answer.json
    assert {k: v for k, v in coverage.items() if k != "by_region"} == {
        "year": 2025,
        "enterprises_total": 3,
        "enterprises_participating": 2,
        "enterprise_coverage": 0.6667,
        "workers_total": 5,
        "workers_participating": 4,
        "worker_participation": 0.8,
        "person_times": 6,
    }
    regions = {region["region_code"]: region for region in coverage["by_region"]}
    assert len(regions) == 7 and regions["330402"]["name"] == "南湖区"
    assert (
        regions["330402"]["enterprises_total"],
        regions["330402"]["enterprises_participating"],
        regions["330402"]["workers_total"],
        regions["330402"]["workers_participating"],
        regions["330402"]["person_times"],
    ) == (2, 1, 3, 2, 4)
    assert regions["330411"]["enterprise_coverage"] == 1.0
    assert regions["330411"]["worker_participation"] == 1.0
    assert regions["330481"]["enterprises_total"] == 0


def test_coverage_of_a_year_without_competitions_is_zero_not_an_error(world) -> None:
    _year(world)
    coverage = world.client.get("/api/v1/coverage?year=2030", headers=world.auth()).json
    assert coverage["enterprises_participating"] == 0 and coverage["person_times"] == 0
    assert coverage["enterprise_coverage"] == 0.0 and coverage["enterprises_total"] == 3


def test_coverage_needs_a_token_and_a_year(world) -> None:
    assert world.client.get("/api/v1/coverage?year=2025").status_code == 401
    missing = world.client.get("/api/v1/coverage", headers=world.auth())
    assert missing.status_code == 422 and "year" in missing.json["errors"]


def test_counties_are_ranked_by_participation(world) -> None:
    _year(world)
    table = world.client.get("/api/v1/leaderboards/counties?year=2025").json
    ranks = [(item["region_code"], item["rank"]) for item in table["items"]]
    assert ranks[:2] == [("330411", 1), ("330402", 2)]
    assert {rank for _, rank in ranks[2:]} == {3} and len(ranks) == 7
