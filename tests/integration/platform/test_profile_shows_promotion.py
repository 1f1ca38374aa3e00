"""The registry's worker profile shows a level certification granted, end to end.

The embedded platform runs the registry and certification in this process, each on its own
SQLite file, over the in-process bus, with their relays and consumers in background threads,
as ``jiangong up`` runs them. A worker registered through the registry's API reaches
certification's replica by ``worker.registered``; an assessor's passing assessment through
certification's API promotes them; ``skill.promoted`` brings the level back to the registry,
whose profile then shows it. Nothing is handed over by the test: only HTTP and the bus.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from jiangong.platform import EmbeddedPlatform
from shared.auth import issue_token
from shared.clock import today_in_shanghai
from shared.identifiers import MALE, make_id_number, make_uscc
from shared.settings import Settings

OCCUPATION = "6-18-01-01"  # 车工
DEADLINE_SECONDS = 30.0
POLL_SECONDS = 0.1


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[EmbeddedPlatform]:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)})
    platform = EmbeddedPlatform(settings, names=["registry", "certification"])
    platform.start()
    yield platform
    platform.stop()


def bearer(platform: EmbeddedPlatform, role: str, scope: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(platform.settings.secret, role, scope)}"}


def eventually(ask: Callable[[], TestResponse], done: Callable[[TestResponse], bool]) -> Any:
    """Ask until the answer is done, or fail at the deadline with the last answer."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        answer = ask()
        if done(answer):
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"not done in {DEADLINE_SECONDS} s: {answer.status} {answer.get_json()}")
        time.sleep(POLL_SECONDS)


def test_a_promotion_by_assessment_shows_on_the_registrys_profile(
    platform: EmbeddedPlatform,
) -> None:
    client = Client(platform.wsgi)
    admin = bearer(platform, "admin")

    enterprise = client.post(
        "/registry/api/v1/enterprises",
        headers=admin,
        json={
            "uscc": make_uscc("91330402MA2B3C4D5"),
            "name": "嘉兴端到端精密机械有限公司",
            "region_code": "330402",
            "has_union": True,
            "union_founded_on": "2015-05-01",
            "above_designated_size": True,
            "ownership": "non_public",
            "employee_count": 120,
        },
    )
    assert enterprise.status_code == 201, enterprise.get_json()
    worker = client.post(
        f"/registry/api/v1/enterprises/{enterprise.get_json()['id']}/workers",
        headers=admin,
        json={
            "id_number": make_id_number("330402", date(1990, 5, 12), 7, MALE),
            "name": "张小强",
            "occupation_code": OCCUPATION,
            "is_migrant": False,
            "is_union_member": True,
            "union_joined_on": "2021-03-01",
            "hired_on": "2020-09-01",
        },
    )
    assert worker.status_code == 201, worker.get_json()
    worker_id = worker.get_json()["id"]
    assert worker.get_json()["highest_level"] is None

    authorisation = {"occupation_code": OCCUPATION, "levels": [5, 4], "valid_from": "2020-01-01"}
    assessor = client.post(
        "/certification/api/v1/assessors",
        headers=admin,
        json={"name": "李评价", "authorisations": [authorisation]},
    )
    assert assessor.status_code == 201, assessor.get_json()
    assessment = {
        "worker_id": worker_id,
        "occupation_code": OCCUPATION,
        "level": 5,
        "theory_score": 86,
        "practical_score": 90,
        "review_passed": None,
        "assessed_on": today_in_shanghai().isoformat(),
    }
    as_assessor = bearer(platform, "assessor", assessor.get_json()["id"])

    # until certification's replica has the worker, an assessment of them is a 404 (and
    # records nothing); the first one it takes is the promoting pass
    recorded = eventually(
        lambda: client.post(
            "/certification/api/v1/assessments", headers=as_assessor, json=assessment
        ),
        lambda answer: answer.status_code != 404,
    )
    assert recorded.status_code == 201, recorded.get_json()
    assert recorded.get_json()["promotion"] == {"from_level": None, "to_level": 5}

    profile = eventually(
        lambda: client.get(f"/registry/api/v1/workers/{worker_id}", headers=admin),
        lambda answer: answer.status_code == 200 and answer.get_json()["highest_level"] is not None,
    ).get_json()
    assert profile["highest_level"] == 5
    assert profile["skills"] == [{"occupation_code": OCCUPATION, "level": 5}]
