"""Large imports in the background: 202 with the job, its progress, its rejected rows."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.registry import background
from services.registry.adapters.orm import ImportJob, Worker, db
from services.registry.commands import ImportChunk, StartImportJob
from services.registry.domain.workers import CheckedRow
from services.registry.jobs import fail_stalled_imports
from services.registry.service import SERVICE
from shared.app import create_app
from shared.runtime import migrate, run
from shared.settings import Settings
from tests.integration.registry.conftest import CSV_HEADER, Registry
from tests.integration.registry.test_import import post_csv
from tests.support.polling import wait_until

LOW = {"JIANGONG_IMPORT_BACKGROUND_ROWS": "4", "JIANGONG_IMPORT_CHUNK_ROWS": "3"}


def _build(tmp_path: Path, url: str) -> Iterator[Registry]:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path), **LOW})
    app = create_app(SERVICE, settings, {"DATABASE_URL": url})
    migrate(app)
    yield Registry(app, settings)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def low(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Registry]:
    url = (
        request.getfixturevalue("sqlite_templates").copy(SERVICE, tmp_path)
        if request.param == "sqlite"
        else request.getfixturevalue("registry_postgres")
    )
    yield from _build(tmp_path, url)


def finished(registry: Registry, location: str) -> dict:
    answers: list[dict] = []

    def done() -> bool:
        answers.append(registry.client.get(location, headers=registry.admin).json)
        return answers[-1]["state"] in ("done", "failed")

    wait_until(done, timeout=30)
    return answers[-1]


def active_workers(registry: Registry, enterprise_id: str) -> int:
    with registry.app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Worker).where(Worker.enterprise_id == enterprise_id)
        )


def test_a_large_file_is_imported_in_the_background_with_progress_and_a_report(low) -> None:
    enterprise = low.enterprise()
    repeated = low.id_number()
    lines = [
        CSV_HEADER,
        low.csv_row(),  # 2
        low.csv_row(id_number="33040219900101123"),  # 3: bad
        low.csv_row(id_number=repeated),  # 4
        low.csv_row(),  # 5 (second chunk)
        low.csv_row(is_migrant="maybe"),  # 6: bad
        low.csv_row(id_number=repeated),  # 7: the same person as row 4, another chunk
        low.csv_row(),  # 8 (third chunk)
    ]
    answer = post_csv(low, enterprise["id"], "\n".join(lines) + "\n")
    assert answer.status_code == 202, answer.json
    job = answer.json
    assert answer.headers["Location"].endswith(f"/api/v1/import-jobs/{job['id']}")
    assert job["rows"] == 7 and job["state"] in ("queued", "running", "done")
    final = finished(low, answer.headers["Location"])
    assert final["state"] == "done", final
    assert (final["checked"], final["created"], final["rejected"]) == (7, 4, 3)
    assert final["error"] is None and final["finished_at"]
    assert active_workers(low, enterprise["id"]) == 4
    report = low.client.get(final["links"]["rejected"], headers=low.admin)
    assert report.status_code == 200 and report.mimetype == "text/csv"
    text = report.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["row", "column", "reason"]
    assert [(row[0], row[1]) for row in rows[1:]] == [
        ("3", "id_number"),
        ("6", "is_migrant"),
        ("7", "id_number"),
    ]
    assert repeated not in text


def test_a_small_file_still_answers_at_once(low) -> None:
    enterprise = low.enterprise()
    text = "\n".join([CSV_HEADER, *(low.csv_row() for _ in range(4))]) + "\n"
    answer = post_csv(low, enterprise["id"], text)
    assert answer.status_code == 200, answer.json
    assert answer.json["created"] == 4


def test_an_atomic_large_import_creates_none_if_a_row_is_bad(registry_low_sqlite) -> None:
    low = registry_low_sqlite
    enterprise = low.enterprise()
    lines = [CSV_HEADER, *(low.csv_row() for _ in range(5)), low.csv_row(hired_on="x")]
    answer = post_csv(low, enterprise["id"], "\n".join(lines) + "\n", query="?atomic=true")
    assert answer.status_code == 202
    final = finished(low, answer.headers["Location"])
    assert final["state"] == "done" and final["atomic"] is True
    assert (final["checked"], final["created"], final["rejected"]) == (6, 0, 1)
    assert active_workers(low, enterprise["id"]) == 0


def test_a_job_that_dies_is_failed_and_says_what_was_not_imported(
    registry_low_sqlite, monkeypatch
) -> None:
    low = registry_low_sqlite
    enterprise = low.enterprise()
    real_run = background.run
    calls = threading.local()

    def failing_run(app, command):
        if type(command).__name__ == "ImportChunk" and command.rows[0].row >= 5:
            calls.failed = True
            raise OSError("the disk is full")
        return real_run(app, command)

    monkeypatch.setattr(background, "run", failing_run)
    lines = [CSV_HEADER, *(low.csv_row() for _ in range(7))]
    answer = post_csv(low, enterprise["id"], "\n".join(lines) + "\n")
    final = finished(low, answer.headers["Location"])
    assert final["state"] == "failed"
    assert (final["checked"], final["created"]) == (3, 3)
    assert "after 3 of 7 rows" in final["error"]
    assert "row 5 on were not imported" in final["error"]


def test_a_job_is_seen_only_by_its_enterprise_and_admins(registry_low_sqlite) -> None:
    low = registry_low_sqlite
    own, other = low.enterprise(), low.enterprise()
    text = "\n".join([CSV_HEADER, *(low.csv_row() for _ in range(5))]) + "\n"
    answer = post_csv(low, own["id"], text, headers=low.headers("enterprise", own["id"]))
    assert answer.status_code == 202
    location = answer.headers["Location"]
    finished(low, location)
    assert low.client.get(location, headers=low.headers("enterprise", own["id"])).status_code == 200
    for path in (location, location + "/rejected.csv"):
        refused = low.client.get(path, headers=low.headers("enterprise", other["id"]))
        assert refused.status_code == 404
    assert low.client.get("/api/v1/import-jobs/nope", headers=low.admin).status_code == 404
    with low.app.app_context():
        assert db.session.get(ImportJob, answer.json["id"]).requested_by


@pytest.fixture
def registry_low_sqlite(tmp_path: Path) -> Iterator[Registry]:
    yield from _build(tmp_path, f"sqlite:///{tmp_path / 'registry.db'}")


def test_a_job_whose_process_stopped_is_failed_by_the_scheduled_job(registry_low_sqlite) -> None:
    low = registry_low_sqlite
    enterprise = low.enterprise()
    started = datetime.now(UTC)
    low.app.config["JIANGONG_CLOCK"] = lambda: started
    job_id = "stalled" + enterprise["id"][:20]
    run(low.app, StartImportJob(job_id, enterprise["id"], 7, False, "admin"))
    bad = {"id_number": ["is required"]}
    run(low.app, ImportChunk(job_id, [CheckedRow(2, errors=bad), CheckedRow(3, errors=bad)]))
    assert fail_stalled_imports(low.app) == []  # still fresh
    low.app.config["JIANGONG_CLOCK"] = lambda: started + timedelta(minutes=11)
    assert fail_stalled_imports(low.app) == [job_id]
    assert fail_stalled_imports(low.app) == []  # closed once
    answer = low.client.get(f"/api/v1/import-jobs/{job_id}", headers=low.admin).json
    assert answer["state"] == "failed" and answer["checked"] == 2
    assert "after spreadsheet row 3" in answer["error"]
    with pytest.raises(RuntimeError, match="failed already"):
        run(low.app, ImportChunk(job_id, [CheckedRow(4, errors=bad)]))
