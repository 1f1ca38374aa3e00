"""Enterprises over HTTP: register, list, read, correct, deregister, and every refusal."""

from __future__ import annotations

import pytest


def test_an_admin_registers_an_enterprise_and_reads_it_back(any_db) -> None:
    body = any_db.enterprise_body(region_code="330481", has_union=True)
    answer = any_db.client.post("/api/v1/enterprises", json=body, headers=any_db.admin)
    assert answer.status_code == 201
    created = answer.json
    assert isinstance(created["id"], str) and created["id"]
    assert created["uscc"] == body["uscc"] and created["county_code"] == "330481"
    assert created["active"] is True and created["registered_at"].endswith("+00:00")
    read = any_db.client.get(f"/api/v1/enterprises/{created['id']}", headers=any_db.admin)
    assert read.status_code == 200 and read.json == created


def test_a_known_credit_code_is_a_409_naming_the_existing_enterprise(any_db) -> None:
    first = any_db.enterprise()
    again = any_db.enterprise_body(uscc=first["uscc"].lower())
    answer = any_db.client.post("/api/v1/enterprises", json=again, headers=any_db.admin)
    assert answer.status_code == 409
    assert first["id"] in answer.json["detail"]
    assert "uscc" in answer.json["errors"]


def test_a_credit_code_with_a_wrong_check_character_is_refused(registry) -> None:
    good = registry.uscc()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    answer = registry.client.post(
        "/api/v1/enterprises", json=registry.enterprise_body(uscc=wrong), headers=registry.admin
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {"uscc": ["check character does not match"]}


@pytest.mark.parametrize(
    ("uscc", "reason"),
    [("91330402MA2B3C4D5", "must be 18 characters"), ("91330402MA2B3C4DIO", "not allowed")],
)
def test_a_malformed_credit_code_names_the_reason(registry, uscc: str, reason: str) -> None:
    answer = registry.client.post(
        "/api/v1/enterprises", json=registry.enterprise_body(uscc=uscc), headers=registry.admin
    )
    assert answer.status_code == 422 and reason in answer.json["errors"]["uscc"][0]


@pytest.mark.parametrize("region_code", ["330499", "110101", "330402999"])
def test_an_unknown_region_is_a_422_naming_region_code(registry, region_code: str) -> None:
    body = registry.enterprise_body(region_code=region_code)
    answer = registry.client.post("/api/v1/enterprises", json=body, headers=registry.admin)
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["region_code"]


def test_an_enterprise_is_registered_in_a_county_not_in_the_city_itself(registry) -> None:
    body = registry.enterprise_body(region_code="330400")
    answer = registry.client.post("/api/v1/enterprises", json=body, headers=registry.admin)
    assert answer.status_code == 422 and "region_code" in answer.json["errors"]


@pytest.mark.parametrize("field", ["id", "status", "active", "enterprise_id"])
def test_server_set_fields_in_the_body_are_refused_by_name(registry, field: str) -> None:
    body = registry.enterprise_body(**{field: "x"})
    answer = registry.client.post("/api/v1/enterprises", json=body, headers=registry.admin)
    assert answer.status_code == 422
    assert field in answer.json["errors"] and field in answer.json["detail"]


def test_unknown_fields_and_bad_values_are_each_named(registry) -> None:
    body = registry.enterprise_body(
        colour="red", ownership="private", employee_count=-1, has_union="perhaps"
    )
    del body["name"]
    answer = registry.client.post("/api/v1/enterprises", json=body, headers=registry.admin)
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {
        "colour",
        "ownership",
        "employee_count",
        "has_union",
        "name",
    }


def test_a_union_founding_date_needs_a_union_and_a_past_date(registry) -> None:
    no_union = registry.enterprise_body(has_union=False, union_founded_on="2020-01-01")
    answer = registry.client.post("/api/v1/enterprises", json=no_union, headers=registry.admin)
    assert answer.status_code == 422 and "union_founded_on" in answer.json["errors"]
    future = registry.enterprise_body(union_founded_on="2999-01-01")
    answer = registry.client.post("/api/v1/enterprises", json=future, headers=registry.admin)
    assert answer.status_code == 422 and "union_founded_on" in answer.json["errors"]


def test_only_an_admin_registers_and_a_missing_token_is_401(registry) -> None:
    body = registry.enterprise_body()
    assert registry.client.post("/api/v1/enterprises", json=body).status_code == 401
    for role, scope in (("reader", None), ("enterprise", "e1")):
        headers = registry.headers(role, scope)
        answer = registry.client.post("/api/v1/enterprises", json=body, headers=headers)
        assert answer.status_code == 403


def test_the_list_filters_by_county_town_union_size_and_ownership(registry) -> None:
    registry.client.post(
        "/api/v1/regions",
        json={"code": "330402001", "name": "解放街道", "parent_code": "330402"},
        headers=registry.admin,
    )
    in_town = registry.enterprise(region_code="330402001", ownership="public")
    in_county = registry.enterprise(region_code="330402", has_union=False, union_founded_on=None)
    elsewhere = registry.enterprise(region_code="330483", above_designated_size=False)

    def ids(query: str) -> set[str]:
        answer = registry.client.get(f"/api/v1/enterprises?{query}", headers=registry.admin)
        assert answer.status_code == 200, answer.json
        return {item["id"] for item in answer.json["items"]}

    assert ids("region_code=330402") == {in_town["id"], in_county["id"]}
    assert ids("region_code=330402001") == {in_town["id"]}
    assert ids("region_code=330400") == {in_town["id"], in_county["id"], elsewhere["id"]}
    assert ids("has_union=false") == {in_county["id"]}
    assert ids("above_designated_size=false") == {elsewhere["id"]}
    assert ids("ownership=public") == {in_town["id"]}
    unknown = registry.client.get("/api/v1/enterprises?region_code=999999", headers=registry.admin)
    assert unknown.status_code == 422 and "region_code" in unknown.json["errors"]


def test_the_list_is_paged_with_the_total(registry) -> None:
    for _ in range(5):
        registry.enterprise()
    page = registry.client.get("/api/v1/enterprises?page=2&per_page=2", headers=registry.admin)
    assert (page.json["total"], page.json["page"], len(page.json["items"])) == (5, 2, 2)
    too_many = registry.client.get("/api/v1/enterprises?per_page=101", headers=registry.admin)
    assert too_many.status_code == 422


def test_an_enterprise_token_sees_only_its_own_enterprise(registry) -> None:
    own, other = registry.enterprise(), registry.enterprise()
    headers = registry.headers("enterprise", own["id"])
    listed = registry.client.get("/api/v1/enterprises", headers=headers).json
    assert [item["id"] for item in listed["items"]] == [own["id"]] and listed["total"] == 1
    assert (
        registry.client.get(f"/api/v1/enterprises/{own['id']}", headers=headers).status_code == 200
    )
    hidden = registry.client.get(f"/api/v1/enterprises/{other['id']}", headers=headers)
    assert hidden.status_code == 404
    assert (
        registry.client.get("/api/v1/enterprises", headers=registry.headers("reader")).status_code
        == 403
    )


def test_an_unknown_enterprise_is_404(registry) -> None:
    answer = registry.client.get("/api/v1/enterprises/nope", headers=registry.admin)
    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"


def test_an_admin_corrects_details_but_not_the_credit_code(registry) -> None:
    enterprise = registry.enterprise()
    url = f"/api/v1/enterprises/{enterprise['id']}"
    changed = registry.client.patch(
        url, json={"name": "嘉兴新名有限公司", "has_union": False}, headers=registry.admin
    )
    assert changed.status_code == 200
    assert changed.json["name"] == "嘉兴新名有限公司" and changed.json["has_union"] is False
    assert changed.json["union_founded_on"] is None
    refused = registry.client.patch(url, json={"uscc": registry.uscc()}, headers=registry.admin)
    assert refused.status_code == 422 and "uscc" in refused.json["errors"]
    own = registry.headers("enterprise", enterprise["id"])
    assert registry.client.patch(url, json={"name": "x"}, headers=own).status_code == 403


def test_deregistering_is_refused_while_workers_are_active_and_says_how_many(registry) -> None:
    enterprise = registry.enterprise()
    first = registry.worker(enterprise["id"])
    registry.worker(enterprise["id"])
    url = f"/api/v1/enterprises/{enterprise['id']}/deregister"
    refused = registry.client.post(url, headers=registry.admin)
    assert refused.status_code == 409 and "2 active workers" in refused.json["detail"]
    registry.client.post(f"/api/v1/workers/{first['id']}/leave", headers=registry.admin)
    refused = registry.client.post(url, headers=registry.admin)
    assert "1 active worker;" in refused.json["detail"]


def test_a_deregistered_enterprise_is_closed(registry) -> None:
    enterprise = registry.enterprise()
    url = f"/api/v1/enterprises/{enterprise['id']}"
    done = registry.client.post(url + "/deregister", json={}, headers=registry.admin)
    assert done.status_code == 200 and done.json["active"] is False
    assert done.json["deregistered_on"]
    again = registry.client.post(url + "/deregister", headers=registry.admin)
    assert again.status_code == 409
    hire = registry.client.post(
        url + "/workers", json=registry.worker_body(), headers=registry.admin
    )
    assert hire.status_code == 409
    assert registry.client.patch(url, json={"name": "x"}, headers=registry.admin).status_code == 409
    inactive = registry.client.get("/api/v1/enterprises?active=false", headers=registry.admin)
    assert [item["id"] for item in inactive.json["items"]] == [enterprise["id"]]
