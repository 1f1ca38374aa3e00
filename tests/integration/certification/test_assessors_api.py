"""Assessors and their authorisations, through the API: admins add, list, read and end them."""

from __future__ import annotations

from typing import Any

import pytest

AUTHORISATION = {
    "occupation_code": "6-18-01-01",
    "levels": [5, 4, 3],
    "valid_from": "2024-01-01",
    "valid_until": "2026-12-31",
}


def add(world, **overrides: Any) -> Any:
    body = {"name": "李评价", "authorisations": [AUTHORISATION]} | overrides
    return world.client.post("/api/v1/assessors", json=body, headers=world.auth())


def test_an_admin_adds_an_assessor_with_authorisations_each_with_its_id(any_world) -> None:
    answer = add(any_world)
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["id"] and body["name"] == "李评价"
    [authorisation] = body["authorisations"]
    assert authorisation["id"]
    assert authorisation["levels"] == [5, 4, 3]
    assert authorisation["valid_until"] == "2026-12-31"
    assert authorisation["ended_on"] is None and authorisation["in_force"] is True


def test_an_assessor_may_start_without_authorisations(world) -> None:
    answer = add(world, authorisations=[])
    assert answer.status_code == 201
    assert answer.json["authorisations"] == []


def test_assessors_are_listed_by_page_with_the_total(any_world) -> None:
    for name in ("甲评价", "乙评价", "丙评价"):
        assert add(any_world, name=name).status_code == 201
    first = any_world.client.get("/api/v1/assessors?per_page=2", headers=any_world.auth())
    assert first.status_code == 200
    assert first.json["total"] == 3 and len(first.json["items"]) == 2
    second = any_world.client.get("/api/v1/assessors?per_page=2&page=2", headers=any_world.auth())
    names = {item["name"] for item in first.json["items"] + second.json["items"]}
    assert names == {"甲评价", "乙评价", "丙评价"}
    assert all(item["authorisations"] for item in first.json["items"])


def test_per_page_above_one_hundred_is_refused(world) -> None:
    answer = world.client.get("/api/v1/assessors?per_page=101", headers=world.auth())
    assert answer.status_code == 422
    assert "per_page" in answer.json["errors"]


def test_one_assessor_is_read_by_id_and_an_unknown_one_is_a_404(world) -> None:
    assessor_id = add(world).json["id"]
    answer = world.client.get(f"/api/v1/assessors/{assessor_id}", headers=world.auth())
    assert answer.status_code == 200 and answer.json["id"] == assessor_id
    missing = world.client.get("/api/v1/assessors/nobody", headers=world.auth())
    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"


def test_an_assessor_reads_their_own_record_but_not_another_ones(world) -> None:
    mine, theirs = add(world).json["id"], add(world, name="王评价").json["id"]
    own = world.client.get(f"/api/v1/assessors/{mine}", headers=world.auth("assessor", mine))
    assert own.status_code == 200
    other = world.client.get(f"/api/v1/assessors/{theirs}", headers=world.auth("assessor", mine))
    assert other.status_code == 404


@pytest.mark.parametrize("role", ["enterprise", "assessor", "reader"])
def test_only_admins_add_or_list_assessors(world, role: str) -> None:
    scope = None if role == "reader" else "someone"
    headers = world.auth(role, scope)
    body = {"name": "李评价", "authorisations": []}
    assert world.client.post("/api/v1/assessors", json=body, headers=headers).status_code == 403
    assert world.client.get("/api/v1/assessors", headers=headers).status_code == 403


def test_no_token_is_a_401(world) -> None:
    answer = world.client.post("/api/v1/assessors", json={"name": "x", "authorisations": []})
    assert answer.status_code == 401
    assert "Bearer" in answer.headers["WWW-Authenticate"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"levels": [6]}, "authorisations.0.levels.0"),
        ({"levels": []}, "authorisations.0.levels"),
        ({"levels": [4, 4]}, "authorisations.0.levels"),
        ({"levels": ["4"]}, "authorisations.0.levels.0"),
        ({"valid_until": "2023-12-31"}, "authorisations.0.valid_until"),
        ({"valid_from": "yesterday"}, "authorisations.0.valid_from"),
        ({"occupation_code": ""}, "authorisations.0.occupation_code"),
        ({"id": "chosen"}, "authorisations.0.id"),
        ({"colour": "red"}, "authorisations.0.colour"),
    ],
)
def test_a_bad_authorisation_is_a_422_naming_the_field(world, change, field) -> None:
    answer = add(world, authorisations=[AUTHORISATION | change])
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"], answer.json["errors"]


@pytest.mark.parametrize(("extra", "field"), [({"id": "mine"}, "id"), ({"rank": 1}, "rank")])
def test_server_set_and_unknown_fields_of_an_assessor_are_refused(world, extra, field) -> None:
    answer = add(world, **extra)
    assert answer.status_code == 422
    assert field in answer.json["errors"]


def test_a_blank_name_is_refused(world) -> None:
    answer = add(world, name="   ")
    assert answer.status_code == 422
    assert "name" in answer.json["errors"]


def test_an_authorisation_is_added_to_an_assessor(any_world) -> None:
    assessor_id = add(any_world).json["id"]
    new = {"occupation_code": "4-04-05-03", "levels": [2, 1], "valid_from": "2025-01-01"}
    answer = any_world.client.post(
        f"/api/v1/assessors/{assessor_id}/authorisations", json=new, headers=any_world.auth()
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["levels"] == [2, 1] and answer.json["valid_until"] is None
    record = any_world.client.get(f"/api/v1/assessors/{assessor_id}", headers=any_world.auth())
    assert len(record.json["authorisations"]) == 2


def test_adding_an_authorisation_to_an_unknown_assessor_is_a_404(world) -> None:
    answer = world.client.post(
        "/api/v1/assessors/nobody/authorisations", json=AUTHORISATION, headers=world.auth()
    )
    assert answer.status_code == 404


def end_url(assessor: dict[str, Any]) -> str:
    authorisation_id = assessor["authorisations"][0]["id"]
    return f"/api/v1/assessors/{assessor['id']}/authorisations/{authorisation_id}/end"


def test_ending_an_authorisation_defaults_to_today_and_takes_it_out_of_force(any_world) -> None:
    assessor = add(any_world).json
    answer = any_world.client.post(end_url(assessor), json={}, headers=any_world.auth())
    assert answer.status_code == 200, answer.json
    assert answer.json["ended_on"] == "2025-06-02"  # the world's today, in Jiaxing
    assert answer.json["in_force"] is False


def test_an_authorisation_may_be_ended_without_a_body(world) -> None:
    assessor = add(world).json
    answer = world.client.post(end_url(assessor), headers=world.auth())
    assert answer.status_code == 200, answer.json
    assert answer.json["ended_on"] == "2025-06-02"


def test_an_authorisation_ended_on_a_later_day_is_in_force_until_then(world) -> None:
    assessor = add(world).json
    answer = world.client.post(
        end_url(assessor), json={"ended_on": "2025-07-01"}, headers=world.auth()
    )
    assert answer.json["ended_on"] == "2025-07-01" and answer.json["in_force"] is True


def test_ending_an_authorisation_twice_is_a_409(world) -> None:
    assessor = add(world).json
    assert world.client.post(end_url(assessor), json={}, headers=world.auth()).status_code == 200
    again = world.client.post(end_url(assessor), json={}, headers=world.auth())
    assert again.status_code == 409
    assert again.json["rule"] == "conflict"


def test_ending_before_it_is_valid_from_is_a_422(world) -> None:
    assessor = add(world).json
    answer = world.client.post(
        end_url(assessor), json={"ended_on": "2023-01-01"}, headers=world.auth()
    )
    assert answer.status_code == 422
    assert "ended_on" in answer.json["errors"]


def test_ending_another_assessors_authorisation_is_a_404(world) -> None:
    first, second = add(world).json, add(world, name="王评价").json
    authorisation_id = first["authorisations"][0]["id"]
    url = f"/api/v1/assessors/{second['id']}/authorisations/{authorisation_id}/end"
    assert world.client.post(url, json={}, headers=world.auth()).status_code == 404
    unknown = f"/api/v1/assessors/{first['id']}/authorisations/nothing/end"
    assert world.client.post(unknown, json={}, headers=world.auth()).status_code == 404
