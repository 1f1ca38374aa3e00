"""One occupation code wherever one is taken: the national classification's ``N-NN-NN-NN``.

Every request body and query parameter named ``occupation_code`` in every service's document
states the same pattern, and each service refuses a code of another form with a 422 naming
the field (the registry, a spreadsheet row too)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from jiangong.platform import definition
from jiangong.services import available
from shared.app import create_app
from shared.identifiers import OCCUPATION_CODE_PATTERN
from shared.runtime import migrate
from shared.settings import Settings

GOOD = ("6-18-01-01", "1-01-00-00", "8-99-99-99")
BAD = ("6-18-01", "9-18-01-01", "0-18-01-01", "6-18-01-01-01", "6-1-01-01", "X1.2", "6 18 01 01")


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    data = tmp_path_factory.mktemp("documents")
    found = {}
    for name in available():
        settings = Settings.from_env({"JIANGONG_DATA_DIR": str(data)})
        app = create_app(definition(name), settings)
        migrate(app)
        found[name] = app.test_client().get("/api/openapi.json").json
    return found


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _taken(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each ``occupation_code`` a request carries: body properties and query parameters."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "occupation_code":
                    yield f"{where} ?occupation_code", parameter["schema"]
            for media in operation.get("requestBody", {}).get("content", {}).values():
                yield from _properties(document, media["schema"], where)


def _properties(document: dict[str, Any], schema: dict[str, Any], where: str) -> Iterator[Any]:
    schema = _resolve(document, schema)
    for key, value in schema.get("properties", {}).items():
        value = _resolve(document, value)
        if key == "occupation_code":
            yield f"{where} {key}", value
        elif value.get("type") == "object":
            yield from _properties(document, value, f"{where} {key}")
        elif value.get("type") == "array" and "items" in value:
            yield from _properties(document, value["items"], f"{where} {key}[]")


def test_every_document_states_the_national_form_wherever_a_code_is_taken(
    documents: dict[str, dict[str, Any]],
) -> None:
    taken = {
        f"{service} {where}": schema
        for service, document in documents.items()
        for where, schema in _taken(document)
    }
    services = {where.split()[0] for where in taken}
    assert {"registry", "competitions", "certification"} <= services, sorted(taken)
    for where, schema in taken.items():
        assert schema.get("pattern") == OCCUPATION_CODE_PATTERN, where
    pattern = re.compile(OCCUPATION_CODE_PATTERN)
    assert all(pattern.fullmatch(code) for code in GOOD)
    assert not any(pattern.fullmatch(code) for code in BAD)


def test_the_pattern_reads_the_same_in_python_and_in_the_document() -> None:
    # anchored, and with no construct ECMA-262 reads differently (no \d, \s, or $ before \n)
    assert OCCUPATION_CODE_PATTERN.startswith("^") and OCCUPATION_CODE_PATTERN.endswith("$")
    assert "\\" not in OCCUPATION_CODE_PATTERN
    assert not re.fullmatch(OCCUPATION_CODE_PATTERN, "6-18-01-01\n")
