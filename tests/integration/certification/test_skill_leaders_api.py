"""Skill leaders through the API: designated once per worker and occupation, by an admin."""

from __future__ import annotations

from tests.integration.certification.conftest import World, new_id

DESIGNATED = "jiangong.skill_leader.designated.v1"


def test_an_admin_designates_a_skill_leader(any_world: World) -> None:
    world = any_world
    enterprise = new_id("ent")
    worker = world.worker(enterprise, region_code="330483")
    body = {"worker_id": worker, "occupation_code": "6-18-01-01"}
    answer = world.client.post("/api/v1/skill-leaders", json=body, headers=world.auth())
    assert answer.status_code == 201, answer.json
    assert answer.json["enterprise_id"] == enterprise
    assert answer.json["designated_on"] == "2025-06-02"
    [event] = world.published(DESIGNATED)
    assert (event["worker_id"], event["region_code"], event["year"]) == (worker, "330483", 2025)


def test_a_second_designation_in_the_occupation_is_a_conflict(any_world: World) -> None:
    world = any_world
    worker = world.worker()
    body = {"worker_id": worker, "occupation_code": "6-18-01-01"}
    assert (
        world.client.post("/api/v1/skill-leaders", json=body, headers=world.auth()).status_code
        == 201
    )
    again = world.client.post("/api/v1/skill-leaders", json=body, headers=world.auth())
    assert again.status_code == 409
    assert again.json["rule"] == "skill_leader_already_designated"
    other = {"worker_id": worker, "occupation_code": "6-18-02-01"}
    assert (
        world.client.post("/api/v1/skill-leaders", json=other, headers=world.auth()).status_code
        == 201
    )
    assert len(world.published(DESIGNATED)) == 2


def test_an_unknown_or_departed_worker_is_refused(world: World) -> None:
    unknown = {"worker_id": "wkr-nobody", "occupation_code": "6-18-01-01"}
    answer = world.client.post("/api/v1/skill-leaders", json=unknown, headers=world.auth())
    assert (answer.status_code, answer.json["rule"]) == (404, "worker_not_found")

    departed = world.worker(event_type="worker.left", active=False)
    body = {"worker_id": departed, "occupation_code": "6-18-01-01"}
    answer = world.client.post("/api/v1/skill-leaders", json=body, headers=world.auth())
    assert (answer.status_code, answer.json["rule"]) == (422, "worker_not_active")
    assert world.published(DESIGNATED) == []


def test_only_an_admin_designates_and_lists(world: World) -> None:
    enterprise = new_id("ent")
    body = {"worker_id": world.worker(enterprise), "occupation_code": "6-18-01-01"}
    as_enterprise = world.auth("enterprise", enterprise)
    assert (
        world.client.post("/api/v1/skill-leaders", json=body, headers=as_enterprise).status_code
        == 403
    )
    assert world.client.get("/api/v1/skill-leaders", headers=as_enterprise).status_code == 403
    assert world.client.get("/api/v1/skill-leaders").status_code == 401


def test_bad_bodies_name_their_fields(world: World) -> None:
    worker = world.worker()
    for body, field in (
        ({"worker_id": worker}, "occupation_code"),
        ({"worker_id": worker, "occupation_code": "6-18-01-01", "id": "x"}, "id"),
        (
            {"worker_id": worker, "occupation_code": "6-18-01-01", "designated_on": "2020-01-01"},
            "designated_on",
        ),
        ({"worker_id": worker, "occupation_code": "6 18"}, "occupation_code"),
        ({"worker_id": worker, "occupation_code": "6-18-1-01"}, "occupation_code"),
    ):
        answer = world.client.post("/api/v1/skill-leaders", json=body, headers=world.auth())
        assert answer.status_code == 422, body
        assert field in answer.json["errors"]


def test_the_list_is_paged_and_filtered(any_world: World) -> None:
    world = any_world
    workers = [world.worker() for _ in range(3)]
    for worker in workers:
        body = {"worker_id": worker, "occupation_code": "6-18-01-01"}
        world.client.post("/api/v1/skill-leaders", json=body, headers=world.auth())
    page = world.client.get("/api/v1/skill-leaders?per_page=2&page=2", headers=world.auth())
    assert page.status_code == 200
    assert (page.json["total"], len(page.json["items"]), page.json["page"]) == (3, 1, 2)
    one = world.client.get(f"/api/v1/skill-leaders?worker_id={workers[0]}", headers=world.auth())
    assert [item["worker_id"] for item in one.json["items"]] == [workers[0]]
