"""Bounds and formats of what the competitions service takes, through the API: a value past
any bound is a 422 naming its field, never a 500 (the two server errors Schemathesis found), and
the document states each bound the server keeps."""

from __future__ import annotations

import re
from typing import Any

import pytest

from services.competitions.api.schemas import MAX_ENTRIES, MAX_MARKS, MAX_TEAM, MAX_WEIGHT
from tests.integration.competitions.conftest import World
from tests.support.bodies import competition_body


def _create(world: World, **overrides: Any) -> Any:
    return world.client.post(
        "/api/v1/competitions", json=competition_body(**overrides), headers=world.auth()
    )


@pytest.fixture
def spec(world: World) -> dict[str, Any]:
    document: dict[str, Any] = world.client.get("/api/openapi.json").json
    return document


def _schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][name]
    return found


# -- the two 500s ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["11733090178074125231613542400", "10000001", "0", "-1"])
def test_a_leaderboard_page_past_any_integer_is_a_422_naming_page(world: World, page) -> None:
    competition = world.competition()
    answer = world.board(competition, page=page)
    assert answer.status_code == 422, answer.json
    assert answer.mimetype == "application/problem+json"
    assert list(answer.json["errors"]) == ["page"]


def test_the_last_page_a_leaderboard_may_be_asked_for_is_empty_not_an_error(world: World) -> None:
    competition = world.competition()
    answer = world.board(competition, page=10_000_000, per_page=100)
    assert answer.status_code == 200, answer.json
    assert answer.json["rows"] == [] and answer.json["page"] == 10_000_000


def test_a_specification_of_huge_numbers_is_a_422_naming_each_field(world: World) -> None:
    """The body Schemathesis sent: a quota past 64 bits, weights and full marks near the
    largest float, a team in the tens of millions. Each is named; nothing is stored."""
    body = {
        "max_entries_per_enterprise": 9223372036854775809,
        "team_size": {"min": 12_345_678, "max": 98_765_432},
        "criteria": [
            {
                "code": "quality",
                "name": "质量",
                "weight": 1.7976931348623157e308,
                "max_marks": 1e308,
            },
            {"code": "safety", "name": "安全", "weight": 1.5e308, "max_marks": 1.79e308},
        ],
    }
    answer = _create(world, **body)
    assert answer.status_code == 422, answer.json
    assert answer.mimetype == "application/problem+json"
    assert set(answer.json["errors"]) == {
        "max_entries_per_enterprise",
        "team_size.min",
        "team_size.max",
        "criteria.0.weight",
        "criteria.0.max_marks",
        "criteria.1.weight",
        "criteria.1.max_marks",
    }
    listed = world.client.get("/api/v1/competitions", headers=world.auth()).json
    assert listed["total"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"max_entries_per_enterprise": MAX_ENTRIES + 1}, "max_entries_per_enterprise"),
        ({"max_entries_per_enterprise": "3"}, "max_entries_per_enterprise"),
        ({"team_size": {"min": 1, "max": MAX_TEAM + 1}}, "team_size.max"),
        ({"team_size": {"min": 0, "max": 2}}, "team_size.min"),
        ({"team_size": {"min": 1.5, "max": 2}}, "team_size.min"),
        ({"contest_class": 0}, "contest_class"),
        ({"year": 2101}, "year"),
        ({"year": "2025"}, "year"),
        ({"awards": [{"name": "一等奖", "places": 1_001}]}, "awards.0.places"),
        ({"awards": [{"name": f"奖{i}", "places": 1} for i in range(21)]}, "awards"),
        ({"tie_breaks": ["registered_at", "first_criterion", "registered_at"]}, "tie_breaks"),
        ({"occupation_code": "6 18 01 01"}, "occupation_code"),
        ({"occupation_code": "-6-18"}, "occupation_code"),
        ({"occupation_code": "6-18-01"}, "occupation_code"),  # not N-NN-NN-NN
        ({"occupation_code": "X1.2"}, "occupation_code"),
        ({"region_code": "330402\n"}, "region_code"),
        ({"region_code": "٣٣٠٤٠٢"}, "region_code"),  # digits, to Python's \d, not to a pattern's
        ({"registration_closes_at": "0001-01-01T00:00:00+08:00"}, "registration_closes_at"),
        ({"freeze_at": "9999-12-31T23:59:59-08:00"}, "freeze_at"),
    ],
)
def test_a_value_past_its_bound_is_a_422_naming_the_field(world: World, change, field) -> None:
    answer = _create(world, **change)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"], answer.json["errors"]


@pytest.mark.parametrize(
    "criterion",
    [
        {"code": "q", "name": "Q", "weight": MAX_WEIGHT + 1, "max_marks": 10},
        {"code": "q", "name": "Q", "weight": 1, "max_marks": MAX_MARKS * 2},
        {"code": "q", "name": "Q", "weight": 0.0, "max_marks": 10},
    ],
)
def test_a_criterion_out_of_bounds_is_refused(world: World, criterion) -> None:
    answer = _create(world, criteria=[criterion])
    assert answer.status_code == 422
    assert {key for key in answer.json["errors"] if key.startswith("criteria.0.")}


def test_the_widest_specification_the_document_allows_is_accepted(world: World) -> None:
    answer = _create(
        world,
        max_entries_per_enterprise=MAX_ENTRIES,
        team_size={"min": MAX_TEAM, "max": MAX_TEAM},
        criteria=[{"code": "q", "name": "Q", "weight": MAX_WEIGHT, "max_marks": MAX_MARKS}],
        registration_closes_at="2100-12-31T23:59:59-12:00",
        freeze_at="2000-01-01T00:00:00+14:00",
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["team_size"] == {"min": MAX_TEAM, "max": MAX_TEAM}


def test_a_mark_past_the_largest_float_is_refused_with_its_rule(world: World) -> None:
    competition = world.competition()
    enterprise = world.enterprise()
    worker = world.worker(enterprise)
    world.move(competition, "open")
    entry = world.enter(competition, enterprise, worker).json["id"]
    judge = world.judge(competition)
    world.move(competition, "close")
    answer = world.score(competition, entry, judge, quality=float("inf"), safety=1)
    assert answer.status_code == 422  # sent as Infinity, which Python's JSON reads
    assert [field for field in answer.json["errors"] if field.startswith("marks.quality")]
    answer = world.score(competition, entry, judge, quality=1.7e308, safety=1)
    assert answer.status_code == 422 and answer.json["rule"] == "marks_out_of_range"


# -- the document says so -------------------------------------------------------------------


def test_every_number_a_request_takes_is_bounded_in_the_document(spec: dict[str, Any]) -> None:
    def numbers(schema: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
        found = []
        for name, prop in schema.get("properties", {}).items():
            prop = {**prop, **(prop.get("allOf") or [{}])[0]}  # a $ref with a description
            if "$ref" in prop:
                ref = prop["$ref"].split("/")[-1]
                found += numbers(_schema(spec, ref), f"{where}.{name}")
            elif prop.get("type") == "array" and "$ref" in prop.get("items", {}):
                ref = prop["items"]["$ref"].split("/")[-1]
                found += numbers(_schema(spec, ref), f"{where}.{name}[]")
            elif prop.get("type") in ("integer", "number"):
                found.append((f"{where}.{name}", prop))
            elif isinstance(prop.get("additionalProperties"), dict):
                found.append((f"{where}.{name}{{}}", prop["additionalProperties"]))
        return found

    checked = []
    for name in ("CompetitionIn", "ScoresIn"):
        for where, prop in numbers(_schema(spec, name), name):
            assert {"minimum", "maximum"} <= set(prop), where
            checked.append(where)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []) if method != "parameters" else []:
                if parameter["schema"].get("type") == "integer":
                    assert {"minimum", "maximum"} <= set(parameter["schema"]), (path, parameter)
                    checked.append(f"{method} {path} {parameter['name']}")
    assert "CompetitionIn.criteria[].weight" in checked and "CompetitionIn.team_size.max" in checked
    weight = _schema(spec, "Criterion")["properties"]["weight"]
    assert weight["exclusiveMinimum"] is True and weight["maximum"] == MAX_WEIGHT


def test_codes_and_moments_are_stated_as_the_server_reads_them(spec: dict[str, Any]) -> None:
    created = _schema(spec, "CompetitionIn")["properties"]
    occupation = re.compile(created["occupation_code"]["pattern"])
    assert occupation.search("6-18-01-01") and not occupation.search("6 18")
    region = re.compile(created["region_code"]["pattern"])
    assert all(region.search(code) for code in ("330400", "330402001", "330402001201"))
    assert not any(region.search(code) for code in ("33040", "3304020", "330402001201001"))
    moment = re.compile(created["registration_closes_at"]["pattern"])
    assert moment.search("2025-06-30T18:00:00+08:00") and moment.search("2100-01-01T00:00:00Z")
    assert not moment.search("1999-12-31T23:59:59Z") and not moment.search("2101-01-01T00:00Z")
    assert "2000-01-01" in created["registration_closes_at"]["description"]
