"""Innovation studios through the API: application, the leader's qualification, approval once,
the list an enterprise sees, and ``studio.approved``."""

from __future__ import annotations

from typing import Any

from tests.integration.certification.conftest import World, new_id

APPROVED = "jiangong.studio.approved.v1"


def studio(enterprise_id: str, leader_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "数控技术创新工作室",
        "enterprise_id": enterprise_id,
        "leader_worker_id": leader_id,
        "level": "municipal",
        "leader_is_model_worker": False,
        **overrides,
    }


def technician(world: World, enterprise_id: str) -> str:
    """A worker who reached level 2 by a city class-1 contest (破格)."""
    worker_id = world.worker(enterprise_id, region_code="330481")
    world.event(
        "competitions",
        "award.granted",
        "cmp-1",
        {
            "competition_id": new_id("cmp"),
            "entry_id": new_id("ent"),
            "kind": "skill_contest",
            "level": "city",
            "contest_class": 1,
            "occupation_code": "6-18-01-01",
            "year": 2025,
            "published_on": "2025-05-10",
            "award": "一等奖",
            "rank": 1,
            "ranked_entries": 30,
            "worker_ids": [worker_id],
            "enterprise_id": enterprise_id,
        },
    )
    return worker_id


def test_an_enterprise_applies_with_a_level_two_leader_and_an_admin_approves(
    any_world: World,
) -> None:
    world = any_world
    enterprise = new_id("ent")
    leader = technician(world, enterprise)

    applied = world.client.post(
        "/api/v1/studios",
        json=studio(enterprise, leader),
        headers=world.auth("enterprise", enterprise),
    )
    assert applied.status_code == 201, applied.json
    assert applied.json["status"] == "applied"
    assert applied.json["region_code"] == "330481"
    assert world.published(APPROVED) == []

    approved = world.client.post(
        f"/api/v1/studios/{applied.json['id']}/approve", headers=world.auth()
    )
    assert approved.status_code == 200, approved.json
    assert (approved.json["status"], approved.json["approved_on"]) == ("approved", "2025-06-02")
    [event] = world.published(APPROVED)
    assert event["id"] == applied.json["id"]
    assert (event["level"], event["region_code"], event["year"]) == ("municipal", "330481", 2025)


def test_a_model_worker_leads_without_a_level(world: World) -> None:
    enterprise = new_id("ent")
    leader = world.worker(enterprise)
    body = studio(enterprise, leader, level="county", leader_is_model_worker=True)
    answer = world.client.post("/api/v1/studios", json=body, headers=world.auth())
    assert answer.status_code == 201, answer.json
    assert answer.json["level"] == "county"


def test_a_leader_below_level_two_is_refused_with_the_rule(world: World) -> None:
    enterprise = new_id("ent")
    leader = world.worker(enterprise)
    answer = world.client.post(
        "/api/v1/studios", json=studio(enterprise, leader), headers=world.auth()
    )
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert answer.json["rule"] == "leader_not_qualified"
    assert "leader_worker_id" in answer.json["errors"]


def test_a_leader_of_another_enterprise_is_refused(world: World) -> None:
    enterprise = new_id("ent")
    leader = technician(world, new_id("ent"))
    answer = world.client.post(
        "/api/v1/studios", json=studio(enterprise, leader), headers=world.auth()
    )
    assert answer.status_code == 422
    assert answer.json["rule"] == "leader_not_in_enterprise"


def test_an_unknown_leader_is_refused(world: World) -> None:
    answer = world.client.post(
        "/api/v1/studios", json=studio(new_id("ent"), "wkr-nobody"), headers=world.auth()
    )
    assert answer.status_code == 422
    assert answer.json["rule"] == "leader_not_in_enterprise"


def test_approving_twice_is_a_conflict_and_emits_once(any_world: World) -> None:
    world = any_world
    enterprise = new_id("ent")
    leader = world.worker(enterprise)
    body = studio(enterprise, leader, leader_is_model_worker=True)
    studio_id = world.client.post("/api/v1/studios", json=body, headers=world.auth()).json["id"]
    first = world.client.post(f"/api/v1/studios/{studio_id}/approve", headers=world.auth())
    second = world.client.post(f"/api/v1/studios/{studio_id}/approve", headers=world.auth())
    assert (first.status_code, second.status_code) == (200, 409)
    assert second.json["rule"] == "studio_already_decided"
    assert len(world.published(APPROVED)) == 1


def test_approving_an_unknown_studio_is_a_404(world: World) -> None:
    answer = world.client.post("/api/v1/studios/nope/approve", headers=world.auth())
    assert answer.status_code == 404
    assert answer.json["rule"] == "studio_not_found"


def test_only_an_admin_approves(world: World) -> None:
    enterprise = new_id("ent")
    leader = world.worker(enterprise)
    body = studio(enterprise, leader, leader_is_model_worker=True)
    studio_id = world.client.post("/api/v1/studios", json=body, headers=world.auth()).json["id"]
    answer = world.client.post(
        f"/api/v1/studios/{studio_id}/approve", headers=world.auth("enterprise", enterprise)
    )
    assert answer.status_code == 403


def test_an_enterprise_applies_only_for_itself(world: World) -> None:
    enterprise = new_id("ent")
    leader = world.worker(enterprise)
    body = studio(enterprise, leader, leader_is_model_worker=True)
    answer = world.client.post(
        "/api/v1/studios", json=body, headers=world.auth("enterprise", new_id("ent"))
    )
    assert answer.status_code == 404


def test_unknown_and_server_set_fields_are_refused(world: World) -> None:
    enterprise = new_id("ent")
    leader = world.worker(enterprise)
    for extra, field in (({"status": "approved"}, "status"), ({"colour": "red"}, "colour")):
        body = studio(enterprise, leader, leader_is_model_worker=True, **extra)
        answer = world.client.post("/api/v1/studios", json=body, headers=world.auth())
        assert answer.status_code == 422
        assert field in answer.json["errors"]
    bad_level = studio(enterprise, leader, level="provincial")
    answer = world.client.post("/api/v1/studios", json=bad_level, headers=world.auth())
    assert answer.status_code == 422
    assert "level" in answer.json["errors"]


def test_no_token_is_a_401_and_a_reader_a_403(world: World) -> None:
    assert world.client.get("/api/v1/studios").status_code == 401
    assert world.client.get("/api/v1/studios", headers=world.auth("reader")).status_code == 403


def test_the_list_is_paged_and_an_enterprise_sees_its_own(any_world: World) -> None:
    world = any_world
    mine, theirs = new_id("ent"), new_id("ent")
    for enterprise, count in ((mine, 3), (theirs, 2)):
        leader = world.worker(enterprise)
        for n in range(count):
            body = studio(enterprise, leader, name=f"工作室{n}", leader_is_model_worker=True)
            assert (
                world.client.post("/api/v1/studios", json=body, headers=world.auth()).status_code
                == 201
            )

    everything = world.client.get("/api/v1/studios?per_page=2", headers=world.auth())
    assert everything.status_code == 200
    assert (everything.json["total"], len(everything.json["items"])) == (5, 2)

    own = world.client.get("/api/v1/studios", headers=world.auth("enterprise", mine)).json
    assert own["total"] == 3
    assert {item["enterprise_id"] for item in own["items"]} == {mine}

    theirs_id = world.client.get(
        f"/api/v1/studios?enterprise_id={theirs}", headers=world.auth()
    ).json["items"][0]["id"]
    assert world.client.get(f"/api/v1/studios/{theirs_id}", headers=world.auth()).status_code == 200
    hidden = world.client.get(
        f"/api/v1/studios/{theirs_id}", headers=world.auth("enterprise", mine)
    )
    assert hidden.status_code == 404

    assert world.client.get("/api/v1/studios?per_page=101", headers=world.auth()).status_code == 422
