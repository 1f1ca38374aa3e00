"""A request that meets a database connection dropped under it is answered 503, to try again,
not 500; the next request connects again and is answered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from services.registry.adapters.orm import db
from services.registry.service import SERVICE
from shared.app import create_app
from shared.auth import issue_token
from shared.runtime import migrate
from shared.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(registry_postgres: str, tmp_path: Path) -> Iterator[Flask]:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)})
    app = create_app(SERVICE, settings, {"DATABASE_URL": registry_postgres})
    migrate(app)
    app.config["TOKEN"] = issue_token(settings.secret, "admin")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_dropped_connection_is_a_503_to_retry_and_the_next_request_is_answered(
    app: Flask, registry_postgres: str
) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {app.config['TOKEN']}", "Accept-Language": "zh"}
    assert client.get("/api/v1/enterprises", headers=headers).status_code == 200
    with app.app_context():  # the one pooled connection, as the request left it
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        db.session.remove()
    admin = create_engine(registry_postgres)
    with admin.connect() as connection:  # the database drops it (a restart would, too)
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        connection.commit()
    admin.dispose()

    answer = client.get("/api/v1/enterprises", headers=headers)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert answer.content_type == "application/problem+json"
    assert answer.json["detail"] == "数据库未响应，请稍后重试。"

    assert client.get("/api/v1/enterprises", headers=headers).status_code == 200
