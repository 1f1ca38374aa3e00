"""The OpenAPI document says what the HTTP edge answers, on a kernel test service and on the
registry: every error response is ``application/problem+json`` with the problem schema, the
refusals of ``requires`` are declared, paging is bounded (a page past any database's integer
range is a 422 naming ``page``, not a 500), a 405 names the allowed methods in ``Allow``, and a
PATCH body that changes nothing is refused and declared ``minProperties: 1``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.views import MethodView
from marshmallow import Schema, fields
from sqlalchemy import select

from services.registry.adapters.orm import db as registry_db
from services.registry.service import SERVICE as REGISTRY
from shared.app import create_app
from shared.auth import issue_token, requires
from shared.db import make_db
from shared.http import (
    MAX_PAGE,
    MAX_PER_PAGE,
    PROBLEM,
    PageQuery,
    ProblemSchema,
    SomethingToChange,
    page_of,
    paginate,
)
from shared.http.parser import Blueprint
from shared.runtime import ServiceDefinition, migrate, runtime_of
from shared.settings import Settings
from shared.tables import kernel_tables

db = make_db()
kernel = kernel_tables(db.metadata)
blp = Blueprint("contract", __name__)


class ItemOut(Schema):
    position = fields.Integer()


class ItemPatch(SomethingToChange, Schema):
    label = fields.String()


@blp.route("/items")
class Items(MethodView):
    @requires()
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(ItemOut))
    def get(self, page: dict[str, Any]) -> dict[str, Any]:
        rows = paginate(db.session, select(kernel.outbox.c.position), **page)
        rows["items"] = [{"position": position} for position in rows["items"]]
        return rows


@blp.route("/items/<item_id>")
class ItemById(MethodView):
    @requires("admin")
    @blp.arguments(ItemPatch)
    @blp.response(200, ItemOut)
    @blp.alt_response(409, schema=ProblemSchema, description="declared inline")
    @blp.doc(
        responses={
            "418": {
                "description": "declared by hand, as application/json",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        }
    )
    def patch(self, changes: dict[str, Any], item_id: str) -> dict[str, Any]:
        return {"position": 1}


@blp.route("/clock", methods=["GET"])
@blp.response(200)
def clock() -> dict[str, str]:
    return {"now": "now"}


DEFINITION = ServiceDefinition(
    name="registry",
    db=db,
    kernel=kernel,
    migrations=Path(__file__).parent / "migrations",
    title="contract",
    description="a kernel test service",
    blueprints=(blp,),
    produces={"jiangong.worker.left.v1": ItemOut},
)


@pytest.fixture
def kernel_app(tmp_path: Path) -> Flask:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)})
    app = create_app(DEFINITION, settings)
    migrate(app)
    return app


@pytest.fixture
def registry_app(tmp_path: Path) -> Iterator[Flask]:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)})
    app = create_app(REGISTRY, settings, {"DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"})
    migrate(app)
    yield app
    with app.app_context():
        registry_db.engine.dispose()


@pytest.fixture(params=["kernel", "registry"])
def any_app(request: pytest.FixtureRequest) -> Flask:
    app: Flask = request.getfixturevalue(f"{request.param}_app")
    return app


def bearer(app: Flask, role: str = "admin", scope: str | None = None) -> dict[str, str]:
    secret = runtime_of(app).settings.secret
    return {"Authorization": f"Bearer {issue_token(secret, role, scope)}"}


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch", "options", "head", "trace"}:
                yield path, method, operation


def _resolved(spec: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in response:
        *_, kind, name = response["$ref"].split("/")
        response = spec["components"][kind][name]
    return response


def _is_error(status: str) -> bool:
    return status == "default" or int(status) >= 400


def test_every_error_response_is_declared_as_problem_json(any_app: Flask) -> None:
    spec = any_app.test_client().get("/api/openapi.json").json
    checked = 0
    for path, method, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if not _is_error(status):
                continue
            content = _resolved(spec, response).get("content")
            where = f"{method.upper()} {path} {status}"
            assert content is not None and set(content) == {PROBLEM}, where
            schema = content[PROBLEM]["schema"]
            if status != "418":  # the hand-written one keeps its schema, not its type
                assert schema == {"$ref": "#/components/schemas/Problem"}, where
            checked += 1
    assert checked >= 10
    for name, response in spec["components"].get("responses", {}).items():
        assert set(response.get("content", {PROBLEM: None})) == {PROBLEM}, name


def test_the_problem_schema_names_its_members_and_admits_extensions(any_app: Flask) -> None:
    problem = any_app.test_client().get("/api/openapi.json").json["components"]["schemas"]
    problem = problem["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert {"instance", "rule", "errors"} <= set(problem["properties"])
    assert problem.get("additionalProperties", True) is not False  # RFC 9457 §3.2


def test_operations_behind_a_token_declare_401_and_with_roles_403(any_app: Flask) -> None:
    spec = any_app.test_client().get("/api/openapi.json").json
    for path, method, operation in _operations(spec):
        if "security" in operation:
            assert "401" in operation["responses"], f"{method} {path}"
    kernel = spec["paths"]
    if "/api/v1/items" in kernel:
        assert "403" not in kernel["/api/v1/items"]["get"]["responses"]  # any token
        assert "403" in kernel["/api/v1/items/{item_id}"]["patch"]["responses"]


def test_paging_is_bounded_in_the_document(any_app: Flask) -> None:
    spec = any_app.test_client().get("/api/openapi.json").json
    paged = 0
    for _path, _method, operation in _operations(spec):
        by_name = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
        if "page" in by_name:
            assert (by_name["page"]["minimum"], by_name["page"]["maximum"]) == (1, MAX_PAGE)
            per_page = by_name["per_page"]
            assert (per_page["minimum"], per_page["maximum"]) == (1, MAX_PER_PAGE)
            paged += 1
    assert paged >= 1


@pytest.mark.parametrize(
    "page", ["11733090178074125231613542400", "92233720368547759", str(MAX_PAGE + 1), "0", "-1"]
)
def test_a_page_out_of_range_is_a_422_naming_page(any_app: Flask, page: str) -> None:
    path = "/api/v1/items" if "contract" in any_app.blueprints else "/api/v1/enterprises"
    answer = any_app.test_client().get(f"{path}?page={page}", headers=bearer(any_app))
    assert answer.status_code == 422, answer.json
    assert answer.mimetype == PROBLEM and list(answer.json["errors"]) == ["page"]


def test_the_last_page_allowed_answers_no_items(any_app: Flask) -> None:
    path = "/api/v1/items" if "contract" in any_app.blueprints else "/api/v1/enterprises"
    query = f"page={MAX_PAGE}&per_page={MAX_PER_PAGE}"
    answer = any_app.test_client().get(f"{path}?{query}", headers=bearer(any_app))
    assert answer.status_code == 200 and answer.json["items"] == []


def test_a_page_no_schema_bounded_never_reaches_the_database(kernel_app: Flask) -> None:
    with kernel_app.app_context():
        outbox = runtime_of(kernel_app).outbox
        outbox.add(db.session, "jiangong.worker.left.v1", "w1", {"position": 1})
        db.session.commit()
        query = select(kernel.outbox.c.position)
        assert paginate(db.session, query, 1, 10)["total"] == 1
        far = paginate(db.session, query, 10**30, 100)  # an offset past 64 bits
    assert (far["items"], far["total"]) == ([], 1)


@pytest.mark.parametrize(
    ("path", "method", "allowed"),
    [
        ("/api/v1/clock", "TRACE", {"GET", "HEAD", "OPTIONS"}),
        ("/api/v1/clock", "DELETE", {"GET", "HEAD", "OPTIONS"}),
        ("/api/v1/items", "POST", {"GET", "HEAD", "OPTIONS"}),
        ("/livez", "PUT", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_a_method_the_path_does_not_take_is_a_405_naming_the_allowed_ones(
    kernel_app: Flask, path: str, method: str, allowed: set[str]
) -> None:
    answer = kernel_app.test_client().open(path, method=method, headers=bearer(kernel_app))
    assert answer.status_code == 405 and answer.mimetype == PROBLEM
    assert answer.json["status"] == 405
    assert {m.strip() for m in answer.headers["Allow"].split(",")} == allowed


@pytest.mark.parametrize(
    ("path", "method", "allowed"),
    [
        ("/api/v1/stats", "TRACE", {"GET", "HEAD", "OPTIONS"}),
        ("/api/v1/stats", "DELETE", {"GET", "HEAD", "OPTIONS"}),
        ("/api/v1/enterprises/e1", "PUT", {"GET", "HEAD", "OPTIONS", "PATCH"}),
        ("/api/v1/workers/w1/leave", "GET", {"POST", "OPTIONS"}),
    ],
)
def test_the_registry_answers_405_with_allow(
    registry_app: Flask, path: str, method: str, allowed: set[str]
) -> None:
    answer = registry_app.test_client().open(path, method=method, headers=bearer(registry_app))
    assert answer.status_code == 405 and answer.mimetype == PROBLEM
    assert {m.strip() for m in answer.headers["Allow"].split(",")} == allowed


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": {}},
        {},
        {"data": "", "content_type": "application/json"},
        {"data": "label=x", "content_type": "text/plain"},
    ],
)
def test_a_patch_that_changes_nothing_is_a_422(kernel_app: Flask, request_kwargs: dict) -> None:
    client = kernel_app.test_client()
    answer = client.patch("/api/v1/items/1", headers=bearer(kernel_app), **request_kwargs)
    assert answer.status_code == 422 and answer.mimetype == PROBLEM
    assert answer.json["errors"] == {"body": ["nothing to change: send at least one field"]}
    changed = client.patch("/api/v1/items/1", json={"label": "x"}, headers=bearer(kernel_app))
    assert changed.status_code == 200


def test_a_patch_body_is_declared_with_at_least_one_member(kernel_app: Flask) -> None:
    spec = kernel_app.test_client().get("/api/openapi.json").json
    assert spec["components"]["schemas"]["ItemPatch"]["minProperties"] == 1
    assert "minProperties" not in spec["components"]["schemas"]["ItemOut"]
