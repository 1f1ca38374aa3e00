"""The rules tables through the API: read the one in force, replace it with a checked new
version, and the contest decisions record which version made them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.certification.adapters.orm import ContestDecision
from tests.integration.certification.conftest import World, new_id

BANDS = [
    {"level": "city", "contest_class": 1, "max_rank": 3, "to_level": 2},
    {"level": "county", "max_rank": 10, "to_level": 3},
    {"level": "enterprise", "top_percent": 50, "to_level": 4},
]


def put(world: World, kind: str, body: Any, **extra: Any) -> Any:
    return world.client.put(
        f"/api/v1/rules/{kind}", json={"body": body, **extra}, headers=world.auth()
    )


def test_the_built_in_tables_rule_until_one_is_stored(any_world: World) -> None:
    world = any_world
    promotion = world.client.get("/api/v1/rules/promotion", headers=world.auth())
    assert promotion.status_code == 200
    assert promotion.json["version"] == 0
    assert promotion.json["built_in"] is True
    assert promotion.json["body"]["years_before"] == {"4": 2, "3": 4, "2": 4, "1": 4}

    contest = world.client.get("/api/v1/rules/contest", headers=world.auth()).json
    assert contest["built_in"] is True
    assert "version" not in contest["body"]
    assert {
        "level": "city",
        "contest_class": 1,
        "max_rank": 10,
        "top_percent": None,
        "to_level": 2,
    } in contest["body"]["bands"]


def test_a_new_contest_table_is_the_next_version_and_rules_at_once(any_world: World) -> None:
    world = any_world
    before = world.client.get("/api/v1/rules/contest", headers=world.auth()).json["version"]
    answer = put(world, "contest", {"bands": BANDS})
    assert answer.status_code == 200, answer.json
    assert (answer.json["kind"], answer.json["built_in"]) == ("contest", False)
    assert answer.json["version"] == before + 1
    again = put(world, "contest", {"bands": BANDS[:1]})
    assert again.json["version"] == before + 2
    current = world.client.get("/api/v1/rules/contest", headers=world.auth()).json
    assert current["version"] == before + 2
    assert [band["max_rank"] for band in current["body"]["bands"]] == [3]

    worker = world.worker()
    award = {
        "competition_id": new_id("cmp"),
        "entry_id": new_id("ent"),
        "kind": "skill_contest",
        "level": "city",
        "contest_class": 1,
        "occupation_code": "6-18-01-01",
        "year": 2025,
        "published_on": "2025-05-10",
        "award": "二等奖",
        "rank": 4,
        "ranked_entries": 30,
        "worker_ids": [worker],
        "enterprise_id": "ent-1",
    }
    world.event("competitions", "award.granted", award["competition_id"], award)
    with world.engine.connect() as connection:
        decision = connection.execute(select(ContestDecision)).one()
    assert (decision.granted, decision.rules_version) == (False, before + 2)  # rank 4 > 3
    assert decision.rule == "not_eligible_for_contest_promotion"


def test_a_new_promotion_table(any_world: World) -> None:
    world = any_world
    body = {
        "years_before": {"4": 1, "3": 3, "2": 4, "1": 4},
        "by_occupation": {"6-18-01-01": {"4": 0}},
    }
    answer = put(world, "promotion", body)
    assert answer.status_code == 200, answer.json
    assert answer.json["version"] == 1
    assert answer.json["body"]["years_before"]["4"] == 1
    assert answer.json["body"]["by_occupation"] == {"6-18-01-01": {"4": 0}}


def test_a_bad_table_is_refused_naming_every_field_and_nothing_is_stored(world: World) -> None:
    bad = {
        "bands": [
            {"level": "galaxy", "to_level": 7, "max_rank": 3},
            {"level": "city", "to_level": 2},
        ]
    }
    answer = put(world, "contest", bad)
    assert answer.status_code == 422
    assert answer.json["rule"] == "invalid_rules_table"
    assert {"bands[0].level", "bands[0].to_level", "bands[1].max_rank"} <= set(
        answer.json["errors"]
    )

    answer = put(world, "promotion", {"years_before": {"4": -1, "9": 2, "3": 4, "2": 4, "1": 4}})
    assert answer.status_code == 422
    assert {"years_before.4", "years_before.9"} <= set(answer.json["errors"])
    answer = put(world, "promotion", {"speed": 1})
    assert (answer.status_code, list(answer.json["errors"])) == (422, ["speed"])
    assert world.client.get("/api/v1/rules/promotion", headers=world.auth()).json["built_in"]


def test_the_envelope_refuses_unknown_and_server_set_fields(world: World) -> None:
    for extra, field in (({"version": 9}, "version"), ({"note": "x"}, "note")):
        answer = put(world, "contest", {"bands": BANDS}, **extra)
        assert answer.status_code == 422
        assert field in answer.json["errors"]
    missing = world.client.put("/api/v1/rules/contest", json={}, headers=world.auth())
    assert missing.status_code == 422
    assert "body" in missing.json["errors"]


def test_an_unknown_kind_is_a_404(world: World) -> None:
    assert world.client.get("/api/v1/rules/bonus", headers=world.auth()).status_code == 404
    answer = put(world, "bonus", {"bands": BANDS})
    assert (answer.status_code, answer.json["rule"]) == (404, "unknown_rules_table")


def test_only_admins_read_and_replace_rules(world: World) -> None:
    assert world.client.get("/api/v1/rules/contest").status_code == 401
    for role, scope in (("reader", None), ("enterprise", "ent-1"), ("assessor", "asr-1")):
        headers = world.auth(role, scope)
        assert world.client.get("/api/v1/rules/contest", headers=headers).status_code == 403
        answer = world.client.put(
            "/api/v1/rules/contest", json={"body": {"bands": BANDS}}, headers=headers
        )
        assert answer.status_code == 403
