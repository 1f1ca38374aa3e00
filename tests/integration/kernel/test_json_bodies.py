"""JSON bodies a service will not read are problems, never a 500: too large (413), too deep,
with a number written longer than any field takes, a key twice, too many values (400, saying
which), a number that is not finite (422 naming its field).
A body as large as the limit, of the shape that costs most to read (tiny objects), costs a
bounded amount of memory; spreadsheets keep their own, larger, limit."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from services.competitions.service import SERVICE as COMPETITIONS
from services.registry.service import SERVICE as REGISTRY
from shared.app import settings_of
from shared.auth import issue_token
from shared.json_body import MAX_JSON_BYTES, NOT_FINITE
from shared.runtime import ServiceDefinition
from tests.support.worlds import service_app

PATH = "/api/v1/competitions"
MEMORY_BOUND = 50 * 1024 * 1024
"""What reading the largest body may cost at most (about 27 MiB measured; 30 MB of ``{},``
cost about 700 MiB before the limit)."""


def _app(service: ServiceDefinition, tmp_path: Path, **environ: str) -> Iterator[Flask]:
    app = service_app(service, tmp_path, **environ)
    yield app
    with app.app_context():
        service.db.engine.dispose()


@pytest.fixture
def competitions(tmp_path: Path) -> Iterator[Flask]:
    yield from _app(COMPETITIONS, tmp_path)


def _post(app: Flask, body: bytes, path: str = PATH, **headers: str) -> Any:
    token = issue_token(settings_of(app).secret, "admin")
    return app.test_client().post(
        path,
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers},
    )


def _with_peak_memory(app: Flask, body: bytes) -> tuple[Any, int]:
    """The answer to ``body``, and the most memory Python held at once while answering it."""
    tracemalloc.start()
    try:
        answer = _post(app, body)
        return answer, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _tiny_objects(size: int) -> bytes:
    """A list of ``{}`` of exactly ``size`` bytes (padded with spaces)."""
    body = "[" + ",".join(["{}"] * ((size - 2) // 3)) + "]"
    return body.ljust(size).encode()


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("[" * 1_000 + "]" * 1_000, "is nested deeper than 64 levels"),
        ('{"year": ' + "9" * 4_301 + "}", "has a number longer than 100 characters"),
        ('{"title": "a", "title": "b"}', 'has the key "title" twice in one object'),
        ("[" + ",".join(["0"] * 10_000) + "]", "has more than 10000 values"),
    ],
    ids=["deep", "digits", "key twice", "values"],
)
def test_an_unacceptable_body_is_a_400_problem_saying_why(
    competitions: Flask, body: str, why: str
) -> None:
    answer = _post(competitions, body.encode())
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
    assert answer.json["errors"] == {"body": [why]}


@pytest.mark.parametrize("number", ["NaN", "-Infinity", "1e400"])
def test_a_number_that_is_not_finite_is_a_422_naming_its_field(
    competitions: Flask, number: str
) -> None:
    answer = _post(competitions, f'{{"year": {number}}}'.encode())
    assert answer.status_code == 422
    assert answer.json["errors"]["year"] == [NOT_FINITE]


def test_the_reason_is_in_the_readers_language(competitions: Flask) -> None:
    answer = _post(competitions, b'{"title": 1, "title": 2}', **{"Accept-Language": "zh"})
    assert answer.json["errors"] == {"body": ['同一对象中键 "title" 出现了两次']}


def test_a_body_at_the_limit_is_read_within_a_bounded_memory_and_a_byte_more_is_a_413(
    competitions: Flask,
) -> None:
    at_limit = _tiny_objects(MAX_JSON_BYTES)
    answer, peak = _with_peak_memory(competitions, at_limit)
    assert answer.status_code == 400  # read, and refused for its 349,525 values
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.1f} MiB"
    answer = _post(competitions, at_limit + b" ")
    assert answer.status_code == 413
    assert answer.mimetype == "application/problem+json"
    assert answer.json["detail"] == f"A JSON body may have at most {MAX_JSON_BYTES} bytes."


def test_the_most_values_a_body_may_have_cost_a_bounded_memory_to_answer(
    competitions: Flask,
) -> None:
    """9,998 criteria of ``{}``: each one refused for its missing fields, in one answer."""
    body = ('{"criteria": [' + ",".join(["{}"] * 9_998) + "]}").encode()
    answer, peak = _with_peak_memory(competitions, body)
    assert answer.status_code == 422
    assert "criteria.9997.code" in answer.json["errors"]
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.1f} MiB"


def test_the_json_limit_is_a_setting(tmp_path: Path) -> None:
    for app in _app(COMPETITIONS, tmp_path, JIANGONG_MAX_JSON_BYTES="4096"):
        assert _post(app, _tiny_objects(4096)).status_code == 422
        answer = _post(app, _tiny_objects(4097))
        assert answer.status_code == 413
        assert answer.json["detail"] == "A JSON body may have at most 4096 bytes."


def test_a_spreadsheet_may_be_larger_than_a_json_body(tmp_path: Path) -> None:
    for app in _app(REGISTRY, tmp_path):
        csv = ("id_number,name\n" + "330402199005120011,张伟\n" * 100_000).encode()
        assert len(csv) > 2 * MAX_JSON_BYTES
        token = issue_token(settings_of(app).secret, "admin")
        answer = app.test_client().post(
            "/api/v1/enterprises/no-such-enterprise/workers/import",
            data=csv,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
        )
        assert answer.status_code == 404
