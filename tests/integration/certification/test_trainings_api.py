"""Trainings through the API: recorded by an admin or the worker's enterprise, never dated in
the future, with ``training.completed`` carrying the county and the migrant flag."""

from __future__ import annotations

from typing import Any

from tests.integration.certification.conftest import World, new_id

COMPLETED = "jiangong.training.completed.v1"


def training(worker_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "worker_id": worker_id,
        "course": "数控车床操作与编程",
        "hours": 40,
        "completed_on": "2025-05-30",
        **overrides,
    }


def test_the_enterprise_records_a_training_of_its_migrant_worker(any_world: World) -> None:
    world = any_world
    enterprise = new_id("ent")
    worker = world.worker(enterprise, region_code="330424", is_migrant=True)
    answer = world.client.post(
        "/api/v1/trainings", json=training(worker), headers=world.auth("enterprise", enterprise)
    )
    assert answer.status_code == 201, answer.json
    assert (answer.json["is_migrant"], answer.json["region_code"]) == (True, "330424")
    [event] = world.published(COMPLETED)
    assert event["id"] == answer.json["id"]
    assert (event["is_migrant"], event["region_code"], event["year"]) == (True, "330424", 2025)


def test_another_enterprises_worker_is_a_404_and_nothing_is_recorded(world: World) -> None:
    worker = world.worker(new_id("ent"))
    answer = world.client.post(
        "/api/v1/trainings", json=training(worker), headers=world.auth("enterprise", new_id("ent"))
    )
    assert answer.status_code == 404
    assert world.published(COMPLETED) == []
    unknown = world.client.post("/api/v1/trainings", json=training("wkr-x"), headers=world.auth())
    assert unknown.status_code == 404


def test_a_training_completed_tomorrow_is_refused(world: World) -> None:
    worker = world.worker()
    answer = world.client.post(
        "/api/v1/trainings", json=training(worker, completed_on="2025-06-03"), headers=world.auth()
    )
    assert answer.status_code == 422
    assert answer.json["rule"] == "training_in_future"
    assert "completed_on" in answer.json["errors"]
    today = world.client.post(
        "/api/v1/trainings", json=training(worker, completed_on="2025-06-02"), headers=world.auth()
    )
    assert today.status_code == 201


def test_a_departed_worker_is_refused(world: World) -> None:
    worker = world.worker(event_type="worker.left", active=False)
    answer = world.client.post("/api/v1/trainings", json=training(worker), headers=world.auth())
    assert (answer.status_code, answer.json["rule"]) == (422, "worker_not_active")


def test_bad_bodies_name_their_fields(world: World) -> None:
    worker = world.worker()
    for overrides, field in (
        ({"hours": 0}, "hours"),
        ({"hours": -3}, "hours"),
        ({"course": "  "}, "course"),
        ({"completed_on": "yesterday"}, "completed_on"),
        ({"is_migrant": True}, "is_migrant"),
        ({"teacher": "王"}, "teacher"),
    ):
        answer = world.client.post(
            "/api/v1/trainings", json=training(worker, **overrides), headers=world.auth()
        )
        assert answer.status_code == 422, overrides
        assert field in answer.json["errors"]


def test_roles(world: World) -> None:
    worker = world.worker()
    assert world.client.post("/api/v1/trainings", json=training(worker)).status_code == 401
    for role, scope in (("reader", None), ("assessor", "asr-1"), ("judge", "jdg-1")):
        answer = world.client.post(
            "/api/v1/trainings", json=training(worker), headers=world.auth(role, scope)
        )
        assert answer.status_code == 403


def test_the_list_is_paged_and_an_enterprise_sees_its_own(any_world: World) -> None:
    world = any_world
    mine, theirs = new_id("ent"), new_id("ent")
    worker, other = world.worker(mine), world.worker(theirs)
    for day in ("2024-12-31", "2025-01-01", "2025-02-01"):
        for who in (worker, other):
            body = training(who, completed_on=day)
            assert (
                world.client.post("/api/v1/trainings", json=body, headers=world.auth()).status_code
                == 201
            )
    everything = world.client.get("/api/v1/trainings?per_page=4", headers=world.auth()).json
    assert (everything["total"], len(everything["items"])) == (6, 4)
    own = world.client.get(
        "/api/v1/trainings?year=2025", headers=world.auth("enterprise", mine)
    ).json
    assert own["total"] == 2
    assert {item["worker_id"] for item in own["items"]} == {worker}
    assert [item["completed_on"] for item in own["items"]] == ["2025-02-01", "2025-01-01"]
