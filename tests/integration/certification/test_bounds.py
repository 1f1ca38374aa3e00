"""Bounds and formats of what the certification service takes, through the API: a value past
any bound is a 422 naming its field, never a 500, and the document states each bound and format
the server keeps (scores, levels, hours, dates, codes, the certificate number)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shared.http import DATE_PATTERN
from tests.integration.certification.conftest import World

AUTHORISATION = {
    "occupation_code": "6-18-01-01",
    "levels": [5, 4],
    "valid_from": "2024-01-01",
    "valid_until": None,
}


@pytest.fixture
def spec(world: World) -> dict[str, Any]:
    document: dict[str, Any] = world.client.get("/api/openapi.json").json
    return document


def _add_assessor(world: World, **authorisation: Any) -> Any:
    body = {"name": "李评价", "authorisations": [AUTHORISATION | authorisation]}
    return world.client.post("/api/v1/assessors", json=body, headers=world.auth())


def _assessment(world: World, assessor: str, **change: Any) -> Any:
    body = {
        "worker_id": world.worker(),
        "occupation_code": "6-18-01-01",
        "level": 5,
        "theory_score": 80,
        "practical_score": 80,
        "review_passed": None,
        "assessed_on": "2025-05-20",
    } | change
    return world.client.post(
        "/api/v1/assessments", json=body, headers=world.auth("assessor", assessor)
    )


# -- past every bound: a 422 naming the field, never a 500 ----------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"theory_score": 1.7976931348623157e308}, "theory_score"),
        ({"practical_score": -1e308}, "practical_score"),
        ({"level": 9223372036854775809}, "level"),
        ({"assessed_on": "0001-01-01"}, "assessed_on"),
        ({"assessed_on": "1949-12-31"}, "assessed_on"),
        ({"occupation_code": "6-18-01-01\n"}, "occupation_code"),
        ({"occupation_code": "6-18-01-01-01"}, "occupation_code"),  # not N-NN-NN-NN
        ({"worker_id": "w" * 65}, "worker_id"),
    ],
)
def test_an_assessment_past_a_bound_is_a_422_naming_it(world: World, change, field) -> None:
    assessor = world.assessor()
    answer = _assessment(world, assessor, **change)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"], answer.json["errors"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"valid_from": "0001-01-01"}, "authorisations.0.valid_from"),
        ({"valid_until": "9999-12-31"}, "authorisations.0.valid_until"),
        ({"levels": [5, 4, 3, 2, 1, 5]}, "authorisations.0.levels"),
        ({"levels": [10**20]}, "authorisations.0.levels.0"),
        ({"occupation_code": "6 18"}, "authorisations.0.occupation_code"),
        ({"occupation_code": "9-18-01-01"}, "authorisations.0.occupation_code"),
    ],
)
def test_an_authorisation_past_a_bound_is_a_422_naming_it(world: World, change, field) -> None:
    answer = _add_assessor(world, **change)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"], answer.json["errors"]


def test_an_authorisation_cannot_end_at_the_calendars_first_day(world: World) -> None:
    """Valid from and ended on 0001-01-01, an authorisation's last day would be the day before
    the calendar's first: reading it was a 500. Both dates are bounded (1950 to 2100)."""
    assert _add_assessor(world, valid_from="0001-01-01").status_code == 422
    assessor = _add_assessor(world, valid_from="1950-01-01").json
    url = (
        f"/api/v1/assessors/{assessor['id']}/authorisations/"
        f"{assessor['authorisations'][0]['id']}/end"
    )
    answer = world.client.post(url, json={"ended_on": "0001-01-01"}, headers=world.auth())
    assert answer.status_code == 422 and "ended_on" in answer.json["errors"]
    read = world.client.get(f"/api/v1/assessors/{assessor['id']}", headers=world.auth())
    assert read.status_code == 200 and read.json["authorisations"][0]["in_force"] is True


def test_an_authorisation_ends_today_without_a_body_as_the_document_says(
    world: World, spec: dict[str, Any]
) -> None:
    path = "/api/v1/assessors/{assessor_id}/authorisations/{authorisation_id}/end"
    assert spec["paths"][path]["post"]["requestBody"].get("required") is not True
    assessor = _add_assessor(world).json
    url = path.format(
        assessor_id=assessor["id"], authorisation_id=assessor["authorisations"][0]["id"]
    )
    answer = world.client.post(url, headers=world.auth())
    assert answer.status_code == 200, answer.json
    assert answer.json["ended_on"] == "2025-06-02"  # the world's today in Jiaxing


def test_a_name_longer_than_its_bound_as_sent_is_refused_even_if_spaces_would_shrink_it(
    world: World,
) -> None:
    body = {"name": "李" + " " * 70 + "评价", "authorisations": []}
    answer = world.client.post("/api/v1/assessors", json=body, headers=world.auth())
    assert answer.status_code == 422 and "name" in answer.json["errors"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hours": 1.7976931348623157e308}, "hours"),
        ({"hours": 0}, "hours"),
        ({"completed_on": "0001-01-01"}, "completed_on"),
        ({"course": " "}, "course"),
    ],
)
def test_a_training_past_a_bound_is_a_422_naming_it(world: World, change, field) -> None:
    enterprise = "ent-1"
    body = {
        "worker_id": world.worker(enterprise),
        "course": "数控车床操作",
        "hours": 16,
        "completed_on": "2025-05-01",
    } | change
    answer = world.client.post("/api/v1/trainings", json=body, headers=world.auth())
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"], answer.json["errors"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=9223372036854775809", "year"),
        ("region_code=3304021", "region_code"),
        ("region_code=330401", "region_code"),
        ("region_code=330402%0A", "region_code"),
    ],
)
def test_a_stats_query_past_a_bound_is_a_422_naming_it(world: World, query, field) -> None:
    answer = world.client.get(f"/api/v1/stats?{query}", headers=world.auth())
    assert answer.status_code == 422, answer.json
    assert list(answer.json["errors"]) == [field]


def test_a_page_past_any_integer_is_a_422(world: World) -> None:
    for path in ("/api/v1/assessors", "/api/v1/trainings", "/api/v1/studios"):
        answer = world.client.get(
            f"{path}?page=11733090178074125231613542400", headers=world.auth()
        )
        assert answer.status_code == 422 and list(answer.json["errors"]) == ["page"], path


# -- the document says so -------------------------------------------------------------------


REQUEST_SCHEMAS = ("AssessorIn", "AuthorisationIn", "AssessmentIn", "TrainingIn", "StudioIn")


def test_every_number_and_date_a_request_takes_is_bounded_in_the_document(
    spec: dict[str, Any],
) -> None:
    schemas = spec["components"]["schemas"]
    for name in REQUEST_SCHEMAS:
        for field, prop in schemas[name]["properties"].items():
            where = f"{name}.{field}"
            items = prop.get("items", {})
            for value in (prop, items):
                if value.get("type") in ("integer", "number"):
                    assert {"minimum", "maximum"} <= set(value), where
                if value.get("format") == "date":
                    assert value["pattern"] == DATE_PATTERN, where
                    assert "from 1950-01-01" in value["description"], where
            if prop.get("type") == "array":
                assert "maxItems" in prop, where
            if prop.get("type") == "string" and "format" not in prop and "enum" not in prop:
                assert "maxLength" in prop or prop.get("pattern", "").endswith("$"), where
    hours = schemas["TrainingIn"]["properties"]["hours"]
    assert (hours["minimum"], hours["exclusiveMinimum"], hours["maximum"]) == (0, True, 2000)
    levels = schemas["AuthorisationIn"]["properties"]["levels"]
    assert levels["uniqueItems"] is True and levels["maxItems"] == 5


def test_the_certificate_number_is_stated_as_the_domain_reads_it(
    world: World, spec: dict[str, Any]
) -> None:
    [parameter] = spec["paths"]["/api/v1/certificates/{number}"]["parameters"]
    assert parameter["in"] == "path" and parameter["name"] == "number"
    revoke = spec["paths"]["/api/v1/certificates/{number}/revoke"]["parameters"]
    assert revoke == [parameter]
    pattern = re.compile(parameter["schema"]["pattern"])
    assert pattern.search(parameter["schema"]["example"])
    for bad in ("S123434000101253000042", "S123433000101256000042", "S123433000101253000000"):
        assert not pattern.search(bad), bad
        answer = world.client.get(f"/api/v1/certificates/{bad}")
        assert answer.status_code == 422 and answer.json["rule"] == "invalid_certificate_number"
    unknown = world.client.get(f"/api/v1/certificates/{parameter['schema']['example']}")
    assert unknown.status_code == 404


def test_the_date_pattern_is_the_range_the_server_keeps() -> None:
    pattern = re.compile(DATE_PATTERN)
    for day in ("1950-01-01", "2024-02-29", "2025-04-30", "2025-12-31", "2100-12-31"):
        assert pattern.search(day), day
    for day in ("1949-12-31", "2101-01-01", "2025-04-31", "2025-02-30", "2025-13-01", "25-01-01"):
        assert not pattern.search(day), day


def test_the_stats_region_is_stated_as_jiaxing_and_what_lies_in_it(spec: dict[str, Any]) -> None:
    [parameter] = [
        p for p in spec["paths"]["/api/v1/stats"]["get"]["parameters"] if p["name"] == "region_code"
    ]
    pattern = re.compile(parameter["schema"]["pattern"])
    for code in ("330400", "330402", "330483101", "330483101001"):
        assert pattern.search(code), code
    for code in ("330401", "3304021", "110101", "330400101"):
        assert not pattern.search(code), code
