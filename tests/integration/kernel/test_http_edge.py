"""The HTTP edge every service inherits, on a minimal service of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from shared.app import create_app, settings_of
from shared.auth import current_principal, issue_token, requires
from shared.db import make_db
from shared.http import PageQuery, page_of, paginate
from shared.http.parser import Blueprint
from shared.runtime import ServiceDefinition, migrate, runtime_of
from shared.settings import Settings
from shared.tables import kernel_tables

db = make_db()
kernel = kernel_tables(db.metadata)
blp = Blueprint("things", __name__)


class ThingIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    size = fields.Nested(
        type("Size", (Schema,), {"min": fields.Integer(required=True, validate=validate.Range(1))})
    )


class ThingOut(Schema):
    id = fields.Integer()
    name = fields.String()


@blp.route("/things", methods=["POST"])
@requires("admin")
@blp.arguments(ThingIn)
@blp.response(201, ThingOut)
def create(thing: dict) -> dict:
    return {"id": 1, "name": thing["name"]}


@blp.route("/events", methods=["GET"])
@requires()
@blp.arguments(PageQuery, location="query")
@blp.response(200, page_of(ThingOut))
def events(page: dict) -> dict:
    rows = paginate(db.session, select(kernel.outbox.c.position), **page)
    rows["items"] = [{"id": p, "name": current_principal().role} for p in rows["items"]]
    return rows


@blp.route("/boom", methods=["GET"])
def boom() -> None:
    raise RuntimeError("a bug")


DEFINITION = ServiceDefinition(
    name="registry",
    db=db,
    kernel=kernel,
    migrations=Path(__file__).parent / "migrations",
    title="test",
    description="a test service",
    blueprints=(blp,),
    produces={"jiangong.worker.left.v1": ThingOut},
)


def _create_app(settings: Settings | None = None, config: dict | None = None) -> Flask:
    return create_app(DEFINITION, settings, config)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)})
    built = _create_app(settings, {"MAX_CONTENT_LENGTH": 1024})
    migrate(built)
    return built


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def bearer(app: Flask, role: str = "admin") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings_of(app).secret, role)}"}


def test_unknown_fields_are_refused_with_a_problem_naming_them(app: Flask, client) -> None:
    answer = client.post(
        "/api/v1/things", json={"name": "x", "status": "open"}, headers=bearer(app)
    )
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert answer.json["errors"] == {"status": ["Unknown field."]}
    assert "status" in answer.json["detail"]


def test_a_nested_invalid_field_is_named_with_its_path(app: Flask, client) -> None:
    answer = client.post(
        "/api/v1/things", json={"name": "x", "size": {"min": 0}}, headers=bearer(app)
    )
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["size.min"]


def test_missing_token_is_401_and_a_role_that_may_not_is_403(app: Flask, client) -> None:
    missing = client.post("/api/v1/things", json={"name": "x"})
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    bad = client.post(
        "/api/v1/things", json={"name": "x"}, headers={"Authorization": "Bearer not.a.token"}
    )
    assert bad.status_code == 401
    reader = client.post("/api/v1/things", json={"name": "x"}, headers=bearer(app, "reader"))
    assert reader.status_code == 403 and reader.json["title"] == "Forbidden"


def test_not_found_method_not_allowed_and_too_large_are_problems(app: Flask, client) -> None:
    assert client.get("/api/v1/nothing").json["status"] == 404
    assert client.delete("/livez").json["status"] == 405
    large = client.post(
        "/api/v1/things", data="x" * 4096, content_type="application/json", headers=bearer(app)
    )
    assert large.status_code == 413 and large.mimetype == "application/problem+json"


def test_an_unexpected_error_is_still_a_problem_and_is_logged(client, caplog) -> None:
    answer = client.get("/api/v1/boom")
    assert answer.status_code == 500 and answer.mimetype == "application/problem+json"
    assert "a bug" not in answer.get_data(as_text=True)
    assert any("unhandled error" in record.message for record in caplog.records)


def test_lists_are_paged_with_the_total_and_at_most_100_a_page(app: Flask, client) -> None:
    with app.app_context():
        outbox = runtime_of(app).outbox
        for n in range(25):
            outbox.add(db.session, "jiangong.worker.left.v1", f"w{n}", {"id": n, "name": "w"})
        db.session.commit()
    page = client.get("/api/v1/events?page=2&per_page=10", headers=bearer(app, "reader")).json
    assert (page["total"], page["page"], len(page["items"])) == (25, 2, 10)
    too_many = client.get("/api/v1/events?per_page=101", headers=bearer(app, "reader"))
    assert too_many.status_code == 422 and "per_page" in too_many.json["errors"]


def test_probes_and_the_openapi_document_are_served(client) -> None:
    assert client.get("/livez").json == {"status": "alive"}
    assert client.get("/readyz").json["database"] is True
    spec = client.get("/api/openapi.json").json
    assert "/api/v1/things" in spec["paths"]
    assert spec["paths"]["/api/v1/things"]["post"]["security"] == [{"bearerAuth": []}]
    page = client.get("/api/docs").get_data(as_text=True)
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        assert f'"docs/assets/{asset}"' in page  # served here, not from a CDN
        assert client.get(f"/api/docs/assets/{asset}").status_code == 200


def test_readiness_fails_when_the_database_is_behind_its_migrations(tmp_path: Path) -> None:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)})
    unmigrated = _create_app(settings).test_client().get("/readyz")
    assert unmigrated.status_code == 503 and unmigrated.json["database"] is False


def test_the_asyncapi_document_lists_the_topic_and_each_produced_type(client) -> None:
    document = client.get("/api/asyncapi.json").json
    assert document["asyncapi"].startswith("3.")
    channel = document["channels"]["jiangong.registry"]
    assert set(channel["messages"]) == {"worker_left_v1"}
    payload = document["components"]["schemas"]["worker_left_v1"]
    assert set(payload["properties"]) == {"id", "name"}
