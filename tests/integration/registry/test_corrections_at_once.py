"""Corrections of one worker, or of one enterprise, sent at once, on SQLite and on PostgreSQL:
the registry's newest event about the record (by time, then id: the order every replica keeps)
describes it as stored, so the replicas end where the registry does. The API is called from
threads, each with its own test client."""

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
