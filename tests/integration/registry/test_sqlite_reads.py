"""Embedded, on SQLite: a read request does not queue for the write lock that the relay, the
consumers and the jobs take, and a command run inside a read request still writes."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from tests.integration.registry.conftest import Registry


def test_a_read_is_answered_while_a_writer_holds_the_lock_and_a_write_waits(
    registry: Registry, tmp_path: Path
) -> None:
    enterprise = registry.enterprise()
    writer = sqlite3.connect(tmp_path / "registry.db", isolation_level=None, timeout=30)
    answers: dict[str, Any] = {}
    done = {name: threading.Event() for name in ("read", "write")}

    def call(name: str, method: str, url: str, **kwargs: Any) -> None:
        client = registry.app.test_client()
        answers[name] = client.open(url, method=method, headers=registry.admin, **kwargs)
        done[name].set()

    writer.execute("BEGIN IMMEDIATE")  # as the relay or a consumer holds it while it writes
    try:
        read = threading.Thread(target=call, args=("read", "GET", "/api/v1/enterprises"))
        read.start()
        patch = {"json": {"employee_count": 12}}
        url = f"/api/v1/enterprises/{enterprise['id']}"
        write = threading.Thread(target=call, args=("write", "PATCH", url), kwargs=patch)
        write.start()
        assert done["read"].wait(timeout=20), "the read waited for the writer"
        assert answers["read"].status_code == 200
        assert answers["read"].json["total"] == 1
        assert not done["write"].is_set(), "a write queues for the lock"
    finally:
        writer.execute("COMMIT")
        writer.close()
    write.join(timeout=30)
    assert answers["write"].status_code == 200
    assert answers["write"].json["employee_count"] == 12


def test_a_command_in_a_read_request_writes_after_a_read_in_the_same_request(
    registry: Registry,
) -> None:
    # the audited look at a full ID number is a GET that writes its audit row
    enterprise = registry.enterprise()
    worker = registry.worker(enterprise["id"])
    url = f"/api/v1/workers/{worker['id']}/id-number?reason=核对身份"
    for _ in range(2):
        assert registry.client.get(url, headers=registry.admin).status_code == 200
    audit = registry.client.get("/api/v1/id-number-audit", headers=registry.admin).json
    assert [row["worker_id"] for row in audit["items"]] == [worker["id"]] * 2
