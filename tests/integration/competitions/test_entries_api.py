"""Entries over HTTP: every registration rule, withdrawal, and one enterprise never reaching
another's entries. The registry replicas are fed by registry events through the consumer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.competitions.adapters.repository import SqlRepository


@pytest.fixture
def case(world) -> dict[str, Any]:
    a, b = world.enterprise("330402"), world.enterprise("330411")
    competition = world.competition(
        registration_closes_at=(world.now + timedelta(days=7)).isoformat(),
        max_entries_per_enterprise=2,
    )
    world.move(competition, "open")
    return {
        "competition": competition,
        "a": a,
        "b": b,
        "a_workers": [world.worker(a) for _ in range(4)],
        "b_worker": world.worker(b, "330411"),
    }


def _refused(answer: Any, status: int, rule: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.json
    assert answer.json["rule"] == rule
    assert answer.json["type"] == "/problems/" + rule.replace("_", "-")
    assert answer.mimetype == "application/problem+json"
    return dict(answer.json)


def test_an_enterprise_registers_an_entry_of_its_own_active_workers(world, case) -> None:
    worker = case["a_workers"][0]
    answer = world.enter(
        case["competition"], case["a"], worker, headers=world.auth("enterprise", case["a"])
    )
    assert answer.status_code == 201, answer.json
    entry = answer.json
    assert entry["enterprise_id"] == case["a"] and entry["worker_ids"] == [worker]
    assert entry["status"] == "registered" and entry["region_code"] == "330402"
    [event] = world.published("jiangong.entry.registered.v1")
    assert event["id"] == entry["id"] and event["competition_id"] == case["competition"]
    assert event["year"] == 2025 and event["worker_ids"] == [worker]
    assert event["region_code"] == "330402" and event["registered_at"]


def test_registration_after_the_deadline_is_refused(world, case) -> None:
    world.now += timedelta(days=8)
    answer = world.enter(case["competition"], case["a"], case["a_workers"][0])
    assert "Registration closed at" in _refused(answer, 409, "registration_closed")["detail"]


def test_registration_before_opening_and_after_closing_is_refused(world, case) -> None:
    draft = world.competition()
    _refused(world.enter(draft, case["a"], case["a_workers"][0]), 409, "registration_closed")
    world.move(case["competition"], "close")
    answer = world.enter(case["competition"], case["a"], case["a_workers"][0])
    _refused(answer, 409, "registration_closed")


def test_a_worker_of_another_enterprise_is_refused(world, case) -> None:
    answer = world.enter(case["competition"], case["a"], case["b_worker"])
    problem = _refused(answer, 422, "worker_not_in_enterprise")
    assert "worker_ids" in problem["errors"]


def test_a_worker_the_registry_never_announced_is_refused(world, case) -> None:
    _refused(world.enter(case["competition"], case["a"], "ghost"), 422, "worker_not_in_enterprise")


def test_an_inactive_worker_is_refused(world, case) -> None:
    leaver = case["a_workers"][0]
    world.registry_event("worker.left", {"id": leaver, "enterprise_id": case["a"]})
    _refused(world.enter(case["competition"], case["a"], leaver), 422, "worker_not_active")


def test_an_enterprise_the_registry_deregistered_cannot_enter(world, case) -> None:
    world.registry_event("enterprise.deregistered", {"id": case["a"]})
    answer = world.enter(case["competition"], case["a"], case["a_workers"][0])
    assert "enterprise_id" in _refused(answer, 422, "enterprise_not_active")["errors"]


def test_the_quota_of_entries_per_enterprise_is_kept(world, case) -> None:
    first, second, third = case["a_workers"][:3]
    assert world.enter(case["competition"], case["a"], first).status_code == 201
    assert world.enter(case["competition"], case["a"], second).status_code == 201
    _refused(world.enter(case["competition"], case["a"], third), 409, "quota_exceeded")


def test_a_worker_is_in_a_competition_once(world, case) -> None:
    worker, other = case["a_workers"][:2]
    assert world.enter(case["competition"], case["a"], worker).status_code == 201
    _refused(
        world.enter(case["competition"], case["a"], other, worker), 409, "worker_already_entered"
    )
    _refused(
        world.enter(case["competition"], case["a"], other, other), 409, "worker_already_entered"
    )


def test_a_team_outside_the_allowed_size_is_refused(world, case) -> None:
    answer = world.enter(case["competition"], case["a"], *case["a_workers"][:3])
    _refused(answer, 422, "team_size_out_of_range")
    empty = world.client.post(
        f"/api/v1/competitions/{case['competition']}/entries",
        json={"enterprise_id": case["a"], "worker_ids": []},
        headers=world.auth(),
    )
    assert empty.status_code == 422 and "worker_ids" in empty.json["errors"]


def test_an_entry_refuses_server_set_fields(world, case) -> None:
    answer = world.client.post(
        f"/api/v1/competitions/{case['competition']}/entries",
        json={
            "enterprise_id": case["a"],
            "worker_ids": case["a_workers"][:1],
            "status": "x",
            "id": "e",
        },
        headers=world.auth(),
    )
    assert answer.status_code == 422 and set(answer.json["errors"]) == {"status", "id"}


def test_an_enterprise_cannot_enter_for_another_enterprise(world, case) -> None:
    as_b = world.auth("enterprise", case["b"])
    answer = world.enter(case["competition"], case["a"], case["a_workers"][0], headers=as_b)
    assert answer.status_code == 404
    assert world.published("jiangong.entry.registered.v1") == []


def test_an_enterprise_sees_only_its_own_entries(world, case) -> None:
    competition = case["competition"]
    mine = world.enter(competition, case["b"], case["b_worker"]).json["id"]
    theirs = world.enter(competition, case["a"], case["a_workers"][0]).json["id"]
    as_b = world.auth("enterprise", case["b"])
    listed = world.client.get(f"/api/v1/competitions/{competition}/entries", headers=as_b).json
    assert [item["id"] for item in listed["items"]] == [mine] and listed["total"] == 1
    asked = world.client.get(
        f"/api/v1/competitions/{competition}/entries?enterprise_id={case['a']}", headers=as_b
    )
    assert asked.json["items"] == []
    path = f"/api/v1/competitions/{competition}/entries"
    assert world.client.get(f"{path}/{theirs}", headers=as_b).status_code == 404
    assert world.client.get(f"{path}/{mine}", headers=as_b).status_code == 200
    everything = world.client.get(path, headers=world.auth()).json
    assert {item["id"] for item in everything["items"]} == {mine, theirs}


def test_an_enterprise_cannot_withdraw_another_enterprises_entry(world, case) -> None:
    competition = case["competition"]
    theirs = world.enter(competition, case["a"], case["a_workers"][0]).json["id"]
    answer = world.client.delete(
        f"/api/v1/competitions/{competition}/entries/{theirs}",
        headers=world.auth("enterprise", case["b"]),
    )
    assert answer.status_code == 404
    entry = world.client.get(
        f"/api/v1/competitions/{competition}/entries/{theirs}", headers=world.auth()
    )
    assert entry.json["status"] == "registered"


def test_judges_see_entries_only_of_competitions_they_judge(world, case) -> None:
    competition = case["competition"]
    world.enter(competition, case["a"], case["a_workers"][0])
    judge = world.judge(competition)
    path = f"/api/v1/competitions/{competition}/entries"
    assert world.client.get(path, headers=world.auth("judge", judge)).json["total"] == 1
    other = world.client.get(path, headers=world.auth("judge", "someone-else"))
    assert other.status_code == 403 and other.json["rule"] == "judge_not_assigned"
    assert world.client.get(path, headers=world.auth("reader")).status_code == 403


def test_withdrawing_an_entry_while_open_frees_its_workers(world, case) -> None:
    competition, worker = case["competition"], case["a_workers"][0]
    entry = world.enter(competition, case["a"], worker).json["id"]
    answer = world.client.delete(
        f"/api/v1/competitions/{competition}/entries/{entry}",
        headers=world.auth("enterprise", case["a"]),
    )
    assert answer.status_code == 204 and answer.data == b""
    read = world.client.get(
        f"/api/v1/competitions/{competition}/entries/{entry}", headers=world.auth()
    )
    assert read.json["status"] == "withdrawn" and read.json["withdrawn_at"]
    [event] = world.published("jiangong.entry.withdrawn.v1")
    assert event["id"] == entry and event["worker_ids"] == [worker]
    assert world.enter(competition, case["a"], worker).status_code == 201
    again = world.client.delete(
        f"/api/v1/competitions/{competition}/entries/{entry}", headers=world.auth()
    )
    assert again.status_code == 404


def test_withdrawing_once_registration_closed_is_refused(world, case) -> None:
    competition = case["competition"]
    entry = world.enter(competition, case["a"], case["a_workers"][0]).json["id"]
    world.move(competition, "close")
    answer = world.client.delete(
        f"/api/v1/competitions/{competition}/entries/{entry}", headers=world.auth()
    )
    _refused(answer, 409, "registration_closed")


def test_a_worker_entered_by_a_concurrent_request_is_caught_by_the_database(
    world, case, monkeypatch
) -> None:
    worker = case["a_workers"][0]
    assert world.enter(case["competition"], case["a"], worker).status_code == 201
    monkeypatch.setattr(SqlRepository, "entered", lambda *_: set())  # the check saw nothing yet
    answer = world.enter(case["competition"], case["a"], worker)
    _refused(answer, 409, "worker_already_entered")
    listed = world.client.get(
        f"/api/v1/competitions/{case['competition']}/entries", headers=world.auth()
    )
    assert listed.json["total"] == 1
    assert len(world.published("jiangong.entry.registered.v1")) == 1
