"""Changes of one record sent at once, on SQLite and on PostgreSQL: corrections of one worker
or one enterprise, and two enterprises hiring one former worker. The registry decides them one
after the other, and its newest event about the record (by time, then id: the order every
replica keeps) describes it as stored, so the replicas end where the registry does. The API is
called from threads, each with its own test client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from services.registry.adapters.orm import db, kernel
from tests.support.at_once import at_once

AT_ONCE = 8
ROUNDS = 5
Changes = Callable[[int, int], dict[str, Any]]


def _worker_changes(round_: int, n: int) -> dict[str, Any]:
    """Half the requests correct the name, half the migrant flag."""
    return {"name": f"李{round_}{n}"} if n % 2 else {"is_migrant": bool((n // 2 + round_) % 2)}


def _enterprise_changes(round_: int, n: int) -> dict[str, Any]:
    """Half the requests correct the name, half the head count."""
    return {"name": f"企业{round_}{n}"} if n % 2 else {"employee_count": 100 + 10 * round_ + n}


def _worker(registry) -> str:
    return str(registry.worker(registry.enterprise()["id"])["id"])


def _enterprise(registry) -> str:
    return str(registry.enterprise()["id"])


RECORDS = {
    "worker": (_worker, "/api/v1/workers", _worker_changes, ("name", "is_migrant")),
    "enterprise": (
        _enterprise,
        "/api/v1/enterprises",
        _enterprise_changes,
        ("name", "employee_count"),
    ),
}


def _corrected_at_once(registry, path: str, changes: Changes, round_: int) -> list[int]:
    def send(n: int) -> Callable[[], int]:
        client = registry.app.test_client()
        body = changes(round_, n)
        return lambda: client.patch(path, json=body, headers=registry.admin).status_code

    return at_once([send(n) for n in range(AT_ONCE)])


def _newest_event(registry, subject: str) -> dict[str, Any]:
    outbox = kernel.outbox
    query = (
        select(outbox.c.data)
        .where(outbox.c.subject == subject)
        .order_by(outbox.c.time.desc(), outbox.c.event_id.desc())
        .limit(1)
    )
    with registry.app.app_context():
        data: dict[str, Any] = db.session.execute(query).scalar_one()
        return data


@pytest.mark.parametrize("record", RECORDS)
def test_corrections_sent_at_once_leave_the_newest_event_describing_the_record_as_stored(
    any_db, record: str
) -> None:
    create, collection, changes, shown = RECORDS[record]
    path = f"{collection}/{create(any_db)}"
    for round_ in range(ROUNDS):
        assert _corrected_at_once(any_db, path, changes, round_) == [200] * AT_ONCE
        stored = any_db.client.get(path, headers=any_db.admin).json
        newest = _newest_event(any_db, stored["id"])
        assert {name: newest[name] for name in shown} == {name: stored[name] for name in shown}
        names = {changes(round_, n).get("name") for n in range(AT_ONCE)}
        assert stored["name"] in names, f"round {round_}"  # a correction of this round, kept


def _hire(registry, enterprise: str, body: dict[str, Any]) -> Callable[[], int]:
    client, path = registry.app.test_client(), f"/api/v1/enterprises/{enterprise}/workers"
    return lambda: client.post(path, json=body, headers=registry.admin).status_code


def _leave(registry, worker_id: str) -> None:
    answer = registry.client.post(f"/api/v1/workers/{worker_id}/leave", headers=registry.admin)
    assert answer.status_code == 200, answer.json


def test_two_enterprises_hiring_a_former_worker_at_once_get_one_hire_and_one_refusal(
    any_db,
) -> None:
    body = any_db.worker_body()
    former = any_db.worker(any_db.enterprise()["id"], **body)["id"]
    _leave(any_db, former)
    for round_ in range(ROUNDS):
        hiring = [any_db.enterprise()["id"] for _ in range(2)]
        statuses = at_once([_hire(any_db, enterprise, body) for enterprise in hiring])
        assert sorted(statuses) == [201, 409], f"round {round_}"
        stored = any_db.client.get(f"/api/v1/workers/{former}", headers=any_db.admin).json
        assert stored["enterprise_id"] == hiring[statuses.index(201)]
        assert _newest_event(any_db, former)["enterprise_id"] == stored["enterprise_id"]
        _leave(any_db, former)
