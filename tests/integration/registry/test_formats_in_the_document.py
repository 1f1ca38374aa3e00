"""The registry's OpenAPI document states the formats the server enforces, so that a client or
a form generated from it knows what will be accepted: identifiers' lengths and patterns, region
and occupation codes, dates' ranges, bounded integers, names' lengths. Where the document states
a rule, the server keeps it (and its messages), and a PATCH that changes nothing is refused."""

from __future__ import annotations

import re
import sys
from datetime import date
from typing import Any

import pytest

from services.registry.domain.workers import OCCUPATION_CODE
from shared.http import NOT_BLANK
from shared.identifiers import make_id_number, validate_uscc
from shared.text import readable_pattern

REQUEST_SCHEMAS = (
    "EnterpriseIn",
    "EnterprisePatch",
    "DeregisterIn",
    "RegionIn",
    "WorkerIn",
    "WorkerPatch",
    "TransferIn",
    "LeaveIn",
)


@pytest.fixture
def spec(registry) -> dict[str, Any]:
    document: dict[str, Any] = registry.client.get("/api/openapi.json").json
    return document


def _property(spec: dict[str, Any], schema: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][schema]["properties"][name]
    return found


def _query(spec: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    parameters = spec["paths"][path]["get"]["parameters"]
    found: dict[str, Any] = next(p["schema"] for p in parameters if p["name"] == name)
    return found


def _matches(prop: dict[str, Any], value: str) -> bool:
    """As a JSON Schema validator reads ``pattern`` (unanchored) and the lengths."""
    return re.search(prop.get("pattern", ""), value) is not None and prop.get(
        "minLength", 0
    ) <= len(value) <= prop.get("maxLength", sys.maxsize)


# -- every input is bounded ------------------------------------------------------------------


def _inputs(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [
        (f"{schema}.{name}", prop)
        for schema in REQUEST_SCHEMAS
        for name, prop in spec["components"]["schemas"][schema]["properties"].items()
    ]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []) if method != "parameters" else []:
                if parameter["in"] == "query":
                    found.append((f"{method} {path} ?{parameter['name']}", parameter["schema"]))
    return found


def test_every_request_schema_of_the_document_is_one_listed_here(spec) -> None:
    bodies = {
        operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method != "parameters"
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    }
    assert bodies == set(REQUEST_SCHEMAS)


def test_every_integer_and_string_the_registry_takes_is_bounded_in_the_document(spec) -> None:
    for where, prop in _inputs(spec):
        if prop["type"] == "integer":
            assert {"minimum", "maximum"} <= set(prop), where
        elif prop["type"] == "string":
            anchored = prop.get("pattern", "").endswith("$")
            bounded = "maxLength" in prop or "enum" in prop or prop.get("format") == "date"
            assert anchored or bounded, where
        else:
            assert prop["type"] == "boolean", where


# -- identifiers ----------------------------------------------------------------------------


def test_the_credit_code_is_stated_as_stored(registry, spec) -> None:
    uscc = _property(spec, "EnterpriseIn", "uscc")
    assert (uscc["minLength"], uscc["maxLength"], uscc["format"]) == (18, 18, "uscc")
    assert validate_uscc(uscc["example"]) == uscc["example"] and _matches(uscc, uscc["example"])
    for _ in range(50):
        assert _matches(uscc, registry.uscc())
    for bad in ("91330402MA2B3C4DIO", "91330402MA2B3C4D5", "91330402ma2b3c4d53"):
        assert not _matches(uscc, bad)
    answer = registry.client.post(
        "/api/v1/enterprises",
        json=registry.enterprise_body(uscc="91330402MA2B3C4DIO"),
        headers=registry.admin,
    )
    assert answer.status_code == 422  # and the server's own message, as before
    assert answer.json["errors"] == {"uscc": ["character 'I' at position 17 is not allowed"]}


def test_the_id_number_is_stated_with_its_length_and_alphabet(registry, spec) -> None:
    number = _property(spec, "WorkerIn", "id_number")
    assert (number["minLength"], number["maxLength"]) == (18, 18)
    assert number["pattern"] == "^[0-9]{17}[0-9X]$" and number["format"] == "cn-resident-id"
    for _ in range(50):
        assert _matches(number, registry.id_number())
    x_ended = next(
        n
        for n in (make_id_number("330402", date(1990, 1, 1), s, "male") for s in range(100))
        if n.endswith("X")
    )
    assert _matches(number, x_ended)
    assert not _matches(number, "33040219900101123") and not _matches(number, "3304021990010112A")


def test_region_codes_are_stated_as_6_9_or_12_digits(registry, spec) -> None:
    enterprise = _property(spec, "EnterpriseIn", "region_code")
    listed = _query(spec, "/api/v1/enterprises", "region_code")
    regions = registry.client.get("/api/v1/regions", headers=registry.admin).json["items"]
    for prop in (enterprise, listed, _property(spec, "EnterprisePatch", "region_code")):
        assert all(_matches(prop, region["code"]) for region in regions)
        assert _matches(prop, "330402001") and _matches(prop, "330402001201")
        for bad in ("33040", "3304020", "330402001201001", "33o402", "330402 "):
            assert not _matches(prop, bad), bad
    for bad in ("33o402", "3304020"):
        body = {**registry.enterprise_body(), "region_code": bad}
        answer = registry.client.post("/api/v1/enterprises", json=body, headers=registry.admin)
        assert answer.status_code == 422
        assert answer.json["errors"] == {
            "region_code": ["must be a region code of 6, 9 or 12 digits"]
        }
    unknown = registry.enterprise_body(region_code="330499")  # the format holds, the region not
    answer = registry.client.post("/api/v1/enterprises", json=unknown, headers=registry.admin)
    assert answer.status_code == 422 and answer.json["rule"] == "unknown_region"
    town = _property(spec, "RegionIn", "code")
    assert _matches(town, "330402001") and not _matches(town, "330402")


def test_the_occupation_code_is_stated_as_the_domain_reads_it(registry, spec) -> None:
    prop = _property(spec, "WorkerIn", "occupation_code")
    assert prop["pattern"] == OCCUPATION_CODE.pattern
    assert prop == _property(spec, "WorkerPatch", "occupation_code")
    enterprise = registry.enterprise()
    url = f"/api/v1/enterprises/{enterprise['id']}/workers"
    for code in ("6-18-01-01", "1-01-00-00"):
        assert _matches(prop, code)
        body = registry.worker_body(occupation_code=code)
        assert registry.client.post(url, json=body, headers=registry.admin).status_code == 201
    for code in ("-6-18", "X1.2", "6-18-01", "9-18-01-01", "6-18-01-01-01", "6 18", "6_18"):
        assert not _matches(prop, code)
        body = registry.worker_body(occupation_code=code)
        answer = registry.client.post(url, json=body, headers=registry.admin)
        assert answer.status_code == 422 and list(answer.json["errors"]) == ["occupation_code"]
        assert answer.json["errors"]["occupation_code"][0].startswith("must be an occupation code")


# -- dates, counts, names -------------------------------------------------------------------


def test_dates_state_their_format_and_range(spec) -> None:
    for schema, name in [
        ("EnterpriseIn", "union_founded_on"),
        ("DeregisterIn", "deregistered_on"),
        ("WorkerIn", "hired_on"),
        ("WorkerIn", "union_joined_on"),
        ("WorkerPatch", "union_joined_on"),
        ("TransferIn", "transferred_on"),
        ("LeaveIn", "left_on"),
    ]:
        prop = _property(spec, schema, name)
        assert prop["format"] == "date", (schema, name)
        assert "not after today (Asia/Shanghai)" in prop["description"], (schema, name)
    hired = _property(spec, "WorkerIn", "hired_on")
    assert hired["x-minimum"] == "1950-01-01" and "not before 1950-01-01" in hired["description"]


def test_a_hiring_date_before_1950_is_refused_and_1950_is_not(registry) -> None:
    enterprise = registry.enterprise()
    url = f"/api/v1/enterprises/{enterprise['id']}/workers"
    old = registry.id_number(born=date(1930, 6, 1))
    too_early = registry.worker_body(id_number=old, hired_on="1949-12-31", union_joined_on=None)
    answer = registry.client.post(url, json=too_early, headers=registry.admin)
    assert answer.status_code == 422
    assert answer.json["errors"] == {"hired_on": ["must not be before 1950-01-01"]}
    first_day = {**too_early, "hired_on": "1950-01-01"}
    assert registry.client.post(url, json=first_day, headers=registry.admin).status_code == 201


def test_the_employee_count_is_bounded_and_huge_numbers_are_a_422(registry, spec) -> None:
    for schema in ("EnterpriseIn", "EnterprisePatch"):
        prop = _property(spec, schema, "employee_count")
        assert (prop["minimum"], prop["maximum"]) == (0, 1_000_000)
    most = registry.enterprise_body(employee_count=1_000_000)
    assert (
        registry.client.post("/api/v1/enterprises", json=most, headers=registry.admin).json[
            "employee_count"
        ]
        == 1_000_000
    )
    for count in (1_000_001, 2**31, 9_223_372_036_854_775_809, 10**30, -1):
        body = registry.enterprise_body(employee_count=count)
        answer = registry.client.post("/api/v1/enterprises", json=body, headers=registry.admin)
        assert answer.status_code == 422, count
        assert list(answer.json["errors"]) == ["employee_count"]


def test_names_state_their_lengths_and_that_they_are_readable(registry, spec) -> None:
    for schema, name, most in [
        ("EnterpriseIn", "name", 200),
        ("WorkerIn", "name", 64),
        ("WorkerPatch", "name", 64),
        ("RegionIn", "name", 64),
    ]:
        prop = _property(spec, schema, name)
        assert (prop["minLength"], prop["maxLength"]) == (1, most)
        assert prop["pattern"] == readable_pattern()
        for unreadable in (" ", "\u3000", "\x1c", "\t\n", "\ufeff", "张\x00伟", "\u202e伟张"):
            assert not _matches(prop, unreadable)
        assert _matches(prop, "张伟") and _matches(prop, " 张\u200d伟 ")
    url = "/api/v1/enterprises"
    for name in ("\u3000 ", "a" + " " * 199 + "b"):  # blank; 201 as sent, 3 once trimmed
        body = registry.enterprise_body(name=name)
        answer = registry.client.post(url, json=body, headers=registry.admin)
        assert answer.status_code == 422 and list(answer.json["errors"]) == ["name"], name
    body = registry.enterprise_body(name=" 嘉兴  " + "a" * 194 + " ")  # 200 as sent
    assert registry.client.post(url, json=body, headers=registry.admin).status_code == 201


def test_not_blank_is_exactly_what_python_trims_in_the_basic_plane() -> None:
    """The pattern spells out Python's whitespace; outside the BMP there is none."""
    pattern = re.compile(NOT_BLANK)
    for code in range(0x10000):
        char = chr(code)
        assert (pattern.fullmatch(char) is None) is char.isspace(), hex(code)


# -- a PATCH that changes nothing -----------------------------------------------------------


@pytest.mark.parametrize("request_kwargs", [{"json": {}}, {}])
def test_an_empty_patch_of_an_enterprise_or_a_worker_is_a_422(registry, request_kwargs) -> None:
    enterprise = registry.enterprise()
    worker = registry.worker(enterprise["id"])
    events = len(registry.events())
    for url, before in [
        (f"/api/v1/enterprises/{enterprise['id']}", enterprise),
        (f"/api/v1/workers/{worker['id']}", worker),
    ]:
        answer = registry.client.patch(url, headers=registry.admin, **request_kwargs)
        assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
        assert answer.json["errors"] == {"body": ["nothing to change: send at least one field"]}
        assert registry.client.get(url, headers=registry.admin).json == before
    assert len(registry.events()) == events


def test_patch_bodies_are_declared_with_at_least_one_member(spec) -> None:
    for schema in ("EnterprisePatch", "WorkerPatch"):
        assert spec["components"]["schemas"][schema]["minProperties"] == 1
    for schema in ("EnterpriseIn", "WorkerIn", "DeregisterIn", "LeaveIn"):
        assert "minProperties" not in spec["components"]["schemas"][schema]
