"""Competitions over HTTP: creation and its validation, listing, the lifecycle, judges."""

from __future__ import annotations

from typing import Any

import pytest


def _body(**overrides: Any) -> dict[str, Any]:
    body = {
        "title": "嘉兴市重点工程立功竞赛",
        "kind": "key_project",
        "level": "city",
        "region_code": "330400",
        "year": 2025,
        "criteria": [{"code": "progress", "name": "进度", "weight": 1, "max_marks": 100}],
    }
    body.update(overrides)
    return body


def test_an_admin_creates_a_competition_in_draft_and_reads_it_back(world) -> None:
    answer = world.client.post(
        "/api/v1/competitions",
        json=_body(
            registration_closes_at="2025-06-30T18:00:00+08:00", team_size={"min": 2, "max": 5}
        ),
        headers=world.auth(),
    )
    assert answer.status_code == 201, answer.json
    created = answer.json
    assert created["status"] == "draft" and created["id"]
    assert created["team_size"] == {"min": 2, "max": 5}
    assert created["aggregation"] == "mean" and created["awards"] == []
    assert created["tie_breaks"] == ["first_criterion", "registered_at"]
    assert created["registration_closes_at"] == "2025-06-30T10:00:00+00:00"
    read = world.client.get(f"/api/v1/competitions/{created['id']}", headers=world.auth("reader"))
    assert read.status_code == 200 and read.json == created


SERVER_SET_MESSAGE = "is set by the server and cannot be written"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("id", SERVER_SET_MESSAGE),
        ("status", SERVER_SET_MESSAGE),
        ("score", SERVER_SET_MESSAGE),
        ("published_at", SERVER_SET_MESSAGE),
        ("colour", "Unknown field."),
    ],
)
def test_unknown_and_server_set_fields_are_refused_naming_them(
    world, field: str, message: str
) -> None:
    answer = world.client.post(
        "/api/v1/competitions", json=_body(**{field: "x"}), headers=world.auth()
    )
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert answer.json["errors"] == {field: [message]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "football"}, "kind"),
        ({"level": "province"}, "level"),
        ({"contest_class": 3}, "contest_class"),
        ({"region_code": "33A400"}, "region_code"),
        ({"year": 1999}, "year"),
        ({"registration_closes_at": "2025-06-30T18:00:00"}, "registration_closes_at"),
        ({"team_size": {"min": 3, "max": 2}}, "team_size.max"),
        ({"criteria": []}, "criteria"),
        (
            {"criteria": [{"code": "q", "name": "Q", "weight": 0, "max_marks": 10}]},
            "criteria.0.weight",
        ),
        ({"awards": [{"name": "一等奖", "places": 0}]}, "awards.0.places"),
        ({"aggregation": "median"}, "aggregation"),
        ({"tie_breaks": ["coin_toss"]}, "tie_breaks.0"),
        ({"max_entries_per_enterprise": 0}, "max_entries_per_enterprise"),
    ],
)
def test_an_invalid_specification_is_refused_naming_the_field(world, change, field) -> None:
    answer = world.client.post("/api/v1/competitions", json=_body(**change), headers=world.auth())
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]


def test_a_specification_the_domain_refuses_is_a_422_naming_the_rule(world) -> None:
    criteria = [{"code": "q", "name": "Q", "weight": 1, "max_marks": 10}] * 2
    answer = world.client.post(
        "/api/v1/competitions", json=_body(criteria=criteria), headers=world.auth()
    )
    assert answer.status_code == 422
    assert answer.json["rule"] == "invalid_competition_spec"
    assert "Duplicate criterion" in answer.json["detail"]


def test_only_admins_create_competitions(world) -> None:
    assert world.client.post("/api/v1/competitions", json=_body()).status_code == 401
    for role, scope in (("enterprise", "e1"), ("judge", "j1"), ("reader", None)):
        answer = world.client.post(
            "/api/v1/competitions", json=_body(), headers=world.auth(role, scope)
        )
        assert answer.status_code == 403


def test_competitions_are_listed_paged_and_filtered_for_any_token(world) -> None:
    ids = [
        world.competition(year=2025, kind="team", region_code="330402"),
        world.competition(year=2025, kind="skill_contest", region_code="330481"),
        world.competition(year=2024, kind="team", region_code="330402"),
    ]
    world.move(ids[0], "open")
    reader = world.auth("reader")

    def listed(**params: Any) -> set[str]:
        answer = world.client.get("/api/v1/competitions", query_string=params, headers=reader)
        assert answer.status_code == 200, answer.json
        return {item["id"] for item in answer.json["items"]}

    assert listed(year=2025) == set(ids[:2])
    assert listed(kind="team") == {ids[0], ids[2]}
    assert listed(status="open") == {ids[0]}
    assert listed(region_code="330481", year=2025) == {ids[1]}
    assert listed(level="county") == set()
    page = world.client.get("/api/v1/competitions?per_page=2&page=2", headers=reader).json
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 2, 2, 1)
    assert world.client.get("/api/v1/competitions?per_page=101", headers=reader).status_code == 422
    assert world.client.get("/api/v1/competitions").status_code == 401


def test_an_unknown_competition_is_404(world) -> None:
    assert world.client.get("/api/v1/competitions/nope", headers=world.auth()).status_code == 404
    unknown = world.move("nope", "open", expect=404)
    assert unknown["title"] == "Not Found" and unknown["type"] == "/problems/not-found"


def test_the_lifecycle_moves_draft_open_closed_published_and_refuses_any_other_move(world) -> None:
    competition = world.competition()
    refused = world.move(competition, "close", expect=409)
    assert refused["rule"] == "invalid_transition"
    assert refused["type"] == "/problems/invalid-transition"
    assert world.move(competition, "open")["status"] == "open"
    assert world.move(competition, "open", expect=409)["rule"] == "invalid_transition"
    assert world.move(competition, "publish", expect=409)["rule"] == "invalid_transition"
    closed = world.move(competition, "close")
    assert closed["status"] == "closed" and closed["closed_at"]
    assert world.move(competition, "publish")["status"] == "published"
    twice = world.move(competition, "publish", expect=409)
    assert "Cannot publish a competition that is published" in twice["detail"]
    assert twice["type"] == "/problems/invalid-transition"
    enterprise = world.client.post(
        f"/api/v1/competitions/{competition}/open", headers=world.auth("enterprise", "e1")
    )
    assert enterprise.status_code == 403


def test_each_move_is_announced_with_the_competition(world) -> None:
    competition = world.competition(year=2026)
    for action in ("open", "close", "publish"):
        world.move(competition, action)
    kinds = ("opened", "closed", "published")
    announced = [world.published(f"jiangong.competition.{kind}.v1") for kind in kinds]
    assert [len(events) for events in announced] == [1, 1, 1]
    opened, _, published = (events[0] for events in announced)
    assert opened["id"] == competition and opened["year"] == 2026 and opened["status"] == "open"
    assert opened["published_on"] is None and len(published["published_on"]) == 10


def test_judges_are_assigned_once_and_listed(world) -> None:
    competition = world.competition()
    world.enterprise(id="ent-1")  # the judge's enterprise, announced by the registry
    judge = world.judge(competition, enterprise_id="ent-1")
    again = world.client.post(
        f"/api/v1/competitions/{competition}/judges",
        json={"judge_id": judge},
        headers=world.auth(),
    )
    assert again.status_code == 409 and again.json["rule"] == "judge_already_assigned"
    outsider = world.judge(competition)
    listed = world.client.get(f"/api/v1/competitions/{competition}/judges", headers=world.auth())
    assert {(j["judge_id"], j["enterprise_id"]) for j in listed.json["items"]} == {
        (judge, "ent-1"),
        (outsider, None),
    }
    bad = world.client.post(
        f"/api/v1/competitions/{competition}/judges",
        json={"judge_id": "j9", "role": "chief"},
        headers=world.auth(),
    )
    assert bad.status_code == 422 and "role" in bad.json["errors"]


def test_judges_are_listed_paged_and_removed_while_they_have_no_marks(world) -> None:
    enterprise = world.enterprise("330402")
    competition = world.competition()
    world.move(competition, "open")
    entry = world.enter(competition, enterprise, world.worker(enterprise)).json["id"]
    world.move(competition, "close")
    busy, idle = world.judge(competition), world.judge(competition)
    assert world.score(competition, entry, busy, quality=80, safety=70).status_code == 200
    judges = f"/api/v1/competitions/{competition}/judges"
    page = world.client.get(f"{judges}?per_page=1&page=2", headers=world.auth())
    assert page.status_code == 200 and page.json["total"] == 2 and len(page.json["items"]) == 1
    refused = world.client.delete(f"{judges}/{busy}", headers=world.auth())
    assert refused.status_code == 409 and refused.json["rule"] == "judge_has_marks"
    for role, scope in (("enterprise", enterprise), ("judge", idle), ("reader", None)):
        denied = world.client.delete(f"{judges}/{idle}", headers=world.auth(role, scope))
        assert denied.status_code == 403, role
    removed = world.client.delete(f"{judges}/{idle}", headers=world.auth())
    assert removed.status_code == 204 and removed.data == b""
    again = world.client.delete(f"{judges}/{idle}", headers=world.auth())
    assert again.status_code == 404
    listed = world.client.get(judges, headers=world.auth())
    assert [j["judge_id"] for j in listed.json["items"]] == [busy]
    assert world.move(competition, "publish")["status"] == "published"  # no idle judge left


def test_no_judge_is_removed_once_results_are_published(world) -> None:
    competition = world.competition()
    judge = world.judge(competition)
    world.move(competition, "open")
    world.move(competition, "close")
    world.move(competition, "publish", query="?force=true")
    answer = world.client.delete(
        f"/api/v1/competitions/{competition}/judges/{judge}", headers=world.auth()
    )
    assert answer.status_code == 409 and answer.json["rule"] == "results_published"


def test_no_judge_is_assigned_once_results_are_published(world) -> None:
    competition = world.competition()
    for action in ("open", "close", "publish"):
        world.move(competition, action)
    late = world.client.post(
        f"/api/v1/competitions/{competition}/judges",
        json={"judge_id": "late"},
        headers=world.auth(),
    )
    assert late.status_code == 409 and late.json["rule"] == "results_published"


def test_the_service_documents_its_api_and_is_ready(world) -> None:
    paths = world.client.get("/api/openapi.json").json["paths"]
    for path in (
        "/api/v1/competitions",
        "/api/v1/competitions/{competition_id}/publish",
        "/api/v1/competitions/{competition_id}/entries/{entry_id}/scores",
        "/api/v1/competitions/{competition_id}/leaderboard",
        "/api/v1/leaderboards/enterprises",
        "/api/v1/coverage",
    ):
        assert path in paths
    assert world.client.get("/readyz").json["status"] == "ready"


def test_a_draft_is_edited_with_patch(world) -> None:
    competition = world.competition()
    url = f"/api/v1/competitions/{competition}"
    answer = world.client.patch(
        url, json={"title": "改名的比武", "team_size": {"min": 2, "max": 2}}, headers=world.auth()
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["title"] == "改名的比武" and answer.json["team_size"] == {"min": 2, "max": 2}
    assert answer.json["kind"] == "skill_contest" and answer.json["status"] == "draft"
    assert world.client.get(url, headers=world.auth()).json["title"] == "改名的比武"


def test_a_patch_is_refused_when_empty_unknown_invalid_or_not_admin(world) -> None:
    competition = world.competition()
    url = f"/api/v1/competitions/{competition}"
    empty = world.client.patch(url, json={}, headers=world.auth())
    assert empty.status_code == 422 and "body" in empty.json["errors"]
    odd = world.client.patch(
        url,
        json={"title": "x", "colour": "red", "status": "open", "id": "c9"},
        headers=world.auth(),
    )
    assert odd.status_code == 422 and {"colour", "status", "id"} <= set(odd.json["errors"])
    bad = world.client.patch(url, json={"year": 1800}, headers=world.auth())
    assert bad.status_code == 422 and "year" in bad.json["errors"]
    nulled = world.client.patch(url, json={"title": None}, headers=world.auth())
    assert nulled.status_code == 422 and "title" in nulled.json["errors"]
    region = world.client.patch(url, json={"region_code": "123456"}, headers=world.auth())
    assert region.status_code == 422 and region.json["rule"] == "unknown_region"
    reader = world.client.patch(url, json={"title": "y"}, headers=world.auth("reader"))
    assert reader.status_code == 403
    assert world.client.get(url, headers=world.auth()).json["title"] == "嘉兴市数控车工技能比武"
    missing = world.client.patch(
        "/api/v1/competitions/nope", json={"title": "y"}, headers=world.auth()
    )
    assert missing.status_code == 404


def test_only_a_draft_is_patched(world) -> None:
    competition = world.competition()
    world.move(competition, "open")
    answer = world.client.patch(
        f"/api/v1/competitions/{competition}", json={"title": "late"}, headers=world.auth()
    )
    assert answer.status_code == 409 and answer.json["rule"] == "not_a_draft"
