"""``/readyz`` answers 503 when the service's database cannot be written, not only when it is
unreachable or behind its migrations: on SQLite when its disk is full, on PostgreSQL when the
database is read-only; and 200 again once writes are taken."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from services.registry.service import SERVICE
from shared import write_probe
from shared.runtime import engine_of
from tests.support.polling import wait_until
from tests.support.postgres import scratch_database
from tests.support.worlds import service_app


@pytest.fixture(autouse=True)
def probe_on_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write_probe, "PROBE_SECONDS", 0.0)


def readiness(app: Flask) -> tuple[int, bool]:
    answer = app.test_client().get("/readyz")
    return answer.status_code, answer.json["writes"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 MiB tmpfs of its own (needs root to mount; skipped without it)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48M", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"a full disk needs a tmpfs to fill, and mount refused: {mounted.stderr}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:  # no space left on device: the disk is full
            pass
    return filler


def test_readiness_fails_while_the_sqlite_disk_is_full(small_disk: Path, tmp_path: Path) -> None:
    app = service_app(SERVICE, small_disk)
    try:
        assert readiness(app) == (200, True)
        connection = engine_of(app).raw_connection()  # as a busy service's log is: written
        connection.execute("PRAGMA wal_checkpoint(RESTART)")  # again from its start
        connection.close()
        filler = fill(small_disk)
        assert readiness(app) == (503, False)
        filler.unlink()
        assert readiness(app) == (200, True)
    finally:
        engine_of(app).dispose()


def test_readiness_fails_while_the_postgres_database_is_read_only(
    postgres_url: str, tmp_path: Path
) -> None:
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with scratch_database(postgres_url, prefix="jiangong_readiness") as url:
        app = service_app(SERVICE, tmp_path, url)
        name = url.rsplit("/", 1)[1]

        def read_only(on: bool) -> None:
            with admin.connect() as connection:
                setting = "= on" if on else "TO DEFAULT"
                connection.execute(
                    text(f'ALTER DATABASE "{name}" SET default_transaction_read_only {setting}')
                )
            engine_of(app).dispose()  # the setting holds for sessions opened after it

        try:
            assert readiness(app) == (200, True)
            read_only(True)
            wait_until(lambda: readiness(app) == (503, False), timeout=10)
            read_only(False)
            wait_until(lambda: readiness(app) == (200, True), timeout=10)
        finally:
            engine_of(app).dispose()
    admin.dispose()
