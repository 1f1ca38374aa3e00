"""While an import runs, the registry keeps answering: the file is read and checked before any
write transaction, and the rows are written in short batches, so another enterprise's clerk
registering a worker meanwhile is written between them, not after the import. The times are
printed, not asserted."""

from __future__ import annotations

import statistics
import threading
import time

from tests.integration.registry.conftest import CSV_HEADER
from tests.support.polling import wait_until


def register(registry, enterprise_id: str) -> tuple[int, float]:
    client = registry.app.test_client()
    started = time.monotonic()
    answer = client.post(
        f"/api/v1/enterprises/{enterprise_id}/workers",
        json=registry.worker_body(),
        headers=registry.headers("enterprise", enterprise_id),
    )
    return answer.status_code, time.monotonic() - started


def test_another_enterprise_registers_a_worker_while_an_import_runs(registry) -> None:
    importing, other = registry.enterprise(), registry.enterprise()
    alone = [register(registry, other["id"]) for _ in range(5)]
    text = "\n".join([CSV_HEADER, *(registry.csv_row() for _ in range(5000))]) + "\n"
    outcome: dict[str, object] = {}

    def run_import() -> None:
        client = registry.app.test_client()
        started = time.monotonic()
        answer = client.post(
            f"/api/v1/enterprises/{importing['id']}/workers/import",
            data=text.encode(),
            content_type="text/csv",
            headers=registry.admin,
        )
        outcome.update(status=answer.status_code, body=answer.json)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run_import)
    thread.start()
    beside: list[tuple[int, float, bool]] = []
    while thread.is_alive():
        status, seconds = register(registry, other["id"])
        beside.append((status, seconds, thread.is_alive()))
    wait_until(lambda: "seconds" in outcome, timeout=60)
    thread.join()
    during = [seconds for _, seconds, still_running in beside if still_running]
    print(
        f"import of 5,000 rows: {outcome['seconds']:.2f} s; a registration alone: median "
        f"{statistics.median(s for _, s in alone) * 1000:.0f} ms; during the import: "
        f"{len(during)} answered, median {statistics.median(during or [0]) * 1000:.0f} ms, "
        f"slowest {max(during or [0]) * 1000:.0f} ms"
    )
    assert outcome["status"] == 200 and outcome["body"]["created"] == 5000, outcome.get("body")
    assert all(status == 201 for status, _ in alone)
    assert beside and all(status == 201 for status, _, _ in beside)
    # the import's rows went in batches, each its own transaction: another enterprise's
    # registration was written between two of them, not queued until the last
    owners = [
        data["enterprise_id"]
        for kind, _, data in registry.events()
        if kind.endswith(".worker.registered.v1")
        and data["enterprise_id"] in (importing["id"], other["id"])
    ]
    first, last = owners.index(importing["id"]), len(owners) - owners[::-1].index(importing["id"])
    assert other["id"] in owners[first:last], "the registrations waited until the import had ended"
