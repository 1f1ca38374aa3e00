"""The union statistics and the enterprise listing are computed once per data version: asked
again with nothing changed they come from what was kept; any write, however it was made
through a session (a request, a job, a consumer's batch), moves the version and the next
answer shows it at once."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from services.registry.adapters.orm import Enterprise, data_version, db
from services.registry.api import enterprises as enterprises_api
from services.registry.api import stats as stats_api
from services.registry.commands import DeregisterEnterprise
from shared.runtime import run, runtime_of
from shared.versions import read_version


@pytest.fixture
def computed(any_db, monkeypatch) -> Counter[str]:
    """How many times each answer was computed from the tables."""
    counts: Counter[str] = Counter()

    def counting(name: str, real: Any) -> Any:
        def count(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return real(*args, **kwargs)

        return count

    monkeypatch.setattr(
        stats_api, "union_statistics", counting("stats", stats_api.union_statistics)
    )
    monkeypatch.setattr(
        enterprises_api, "page_of_rows", counting("enterprises", enterprises_api.page_of_rows)
    )
    return counts


def version(registry) -> int:
    with registry.app.app_context():
        return read_version(db.engine, data_version)


def stats(registry, role: str = "reader") -> dict[str, Any]:
    answer = registry.client.get("/api/v1/stats", headers=registry.headers(role))
    assert answer.status_code == 200
    return answer.json


def test_a_repeated_read_is_not_computed_again_until_a_command_writes(any_db, computed) -> None:
    enterprise = any_db.enterprise(region_code="330421")
    first = stats(any_db)
    assert stats(any_db) == first and stats(any_db, "admin") == first
    assert computed["stats"] == 2  # once for readers, once for the admin: kept per caller

    any_db.worker(enterprise["id"], is_migrant=True)
    after = stats(any_db)
    assert after["workers"] == first["workers"] + 1
    assert after["migrant_workers"] == first["migrant_workers"] + 1
    assert computed["stats"] == 3

    page = any_db.client.get("/api/v1/enterprises?per_page=5", headers=any_db.admin).json
    again = any_db.client.get("/api/v1/enterprises?per_page=5", headers=any_db.admin).json
    other = any_db.client.get("/api/v1/enterprises?per_page=6", headers=any_db.admin).json
    assert again == page and len(other["items"]) == min(6, page["total"])
    assert computed["enterprises"] == 2  # the query string is part of what was asked

    renamed = any_db.client.patch(
        f"/api/v1/enterprises/{enterprise['id']}",
        json={"name": "嘉善新名有限公司"},
        headers=any_db.admin,
    )
    assert renamed.status_code == 200
    listed = any_db.client.get(
        f"/api/v1/enterprises?q={enterprise['uscc']}", headers=any_db.admin
    ).json
    assert [item["name"] for item in listed["items"]] == ["嘉善新名有限公司"]


def test_an_enterprise_token_never_gets_the_listing_kept_for_another_caller(any_db) -> None:
    mine, other = any_db.enterprise(), any_db.enterprise()
    everyone = any_db.client.get("/api/v1/enterprises?per_page=100", headers=any_db.admin).json
    assert {mine["id"], other["id"]} <= {item["id"] for item in everyone["items"]}
    own = any_db.client.get(
        "/api/v1/enterprises?per_page=100", headers=any_db.headers("enterprise", mine["id"])
    ).json
    assert [item["id"] for item in own["items"]] == [mine["id"]]


def test_writes_by_a_job_or_a_consumer_session_move_the_version(any_db, computed) -> None:
    enterprise = any_db.enterprise(region_code="330483")
    before, at = stats(any_db), version(any_db)

    run(any_db.app, DeregisterEnterprise(enterprise["id"]))  # a job's own transaction
    assert version(any_db) == at + 1
    assert stats(any_db)["enterprises"] == before["enterprises"] - 1
    assert not active_in_listing(any_db, enterprise)

    # a consumer's batch: a plain session on the engine
    with any_db.app.app_context(), Session(db.engine) as session, session.begin():
        session.execute(
            update(Enterprise).where(Enterprise.id == enterprise["id"]).values(active=True)
        )
    assert version(any_db) == at + 2
    assert active_in_listing(any_db, enterprise)
    assert computed["stats"] == 2 and computed["enterprises"] == 2


def active_in_listing(registry, enterprise: dict[str, Any]) -> bool:
    query = f"/api/v1/enterprises?active=true&q={enterprise['uscc']}"
    return bool(registry.client.get(query, headers=registry.admin).json["items"])


def test_reads_and_refused_or_rolled_back_writes_leave_the_version(any_db) -> None:
    enterprise = any_db.enterprise()
    at = version(any_db)
    stats(any_db)
    any_db.client.get(f"/api/v1/enterprises/{enterprise['id']}", headers=any_db.admin)
    refused = any_db.client.post(
        "/api/v1/enterprises",
        json=any_db.enterprise_body(uscc=enterprise["uscc"]),
        headers=any_db.admin,
    )
    assert refused.status_code == 409
    with any_db.app.app_context(), Session(db.engine) as session:
        session.execute(update(Enterprise).values(active=False))
        session.rollback()
    assert version(any_db) == at


def test_a_change_made_past_the_sessions_shows_once_the_kept_answer_is_old(any_db) -> None:
    enterprise = any_db.enterprise(region_code="330481")
    assert active_in_listing(any_db, enterprise)
    # by hand, as in psql: no session sees it
    with any_db.app.app_context(), db.engine.begin() as connection:
        connection.execute(
            update(Enterprise).where(Enterprise.id == enterprise["id"]).values(active=False)
        )
    assert active_in_listing(any_db, enterprise)
    runtime_of(any_db.app).answers.max_age = 0.2
    deadline = time.monotonic() + 5
    while active_in_listing(any_db, enterprise):
        assert time.monotonic() < deadline, "the kept answer outlived its age"
        time.sleep(0.05)
