"""The runner refuses clearly, before it starts anything: a second ``jiangong up`` on a busy
port or on a data dir in use, a service that is not in this checkout, a token without its
scope. And a database from before the kernel's latest column is brought up to date."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from flask_migrate import upgrade as alembic_upgrade
from sqlalchemy import inspect

import jiangong.services
from jiangong.cli import main
from services.registry.service import SERVICE as REGISTRY
from shared.app import create_app
from shared.migration_env import at_head
from shared.runtime import engine_of, migrate
from shared.settings import Settings
from tests.support.broker import free_port
from tests.support.polling import wait_until


def _up(data_dir: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "jiangong.cli", "up", "--port", str(port), *extra],
        env={**os.environ, "JIANGONG_DATA_DIR": str(data_dir), "JIANGONG_LOG_LEVEL": "DEBUG"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.iterdir()
        if not p.name.endswith(("-wal", "-shm"))  # the running one's own SQLite journals
    }


def _livez(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/registry/livez", timeout=2) as r:
            return int(r.status) == 200
    except OSError:
        return False


def test_a_second_up_on_the_same_data_dir_refuses_before_touching_anything(
    tmp_path: Path,
) -> None:
    first_port = free_port()
    first = _up(tmp_path, first_port)
    try:
        wait_until(lambda: _livez(first_port), timeout=60, every=0.2)
        before = _files(tmp_path)
        assert (tmp_path / "jiangong.lock").read_text().strip() == str(first.pid)
        second = _up(tmp_path, free_port())
        out, err = second.communicate(timeout=30)
        assert second.returncode == 2, (out, err)
        assert "data dir" in err and "in use" in err and f"process {first.pid}" in err
        assert err.strip().count("\n") == 0, err  # the refusal and nothing else: no migration,
        assert "Jiangong is up" not in out  # relay, consumer or job started, nothing logged
        assert _files(tmp_path) == before
        assert (tmp_path / "jiangong.lock").read_text().strip() == str(first.pid)
        # an embedded replay would apply events under the running platform: refused as well
        replay = subprocess.run(
            [sys.executable, "-m", "jiangong.cli", "replay", "competitions"],
            env={**os.environ, "JIANGONG_DATA_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert replay.returncode == 2 and "in use" in replay.stderr
        assert _livez(first_port)  # the first runs on, untouched
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    assert first.returncode == 0
    third = _up(tmp_path, free_port())  # the lock went with the first process
    try:
        wait_until(
            lambda: "Jiangong is up" in (third.stdout.readline() if third.stdout else ""),
            timeout=60,
            every=0.1,
        )
    finally:
        third.send_signal(signal.SIGINT)
        third.communicate(timeout=60)
    assert third.returncode == 0


def test_up_on_a_busy_port_refuses_before_migrating_or_locking_anything(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        up = _up(data_dir, port)
        out, err = up.communicate(timeout=30)
    assert up.returncode == 2, (out, err)
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err
    assert "Jiangong is up" not in out
    assert not any(p.suffix == ".db" for p in data_dir.glob("*"))  # nothing migrated
    assert not (data_dir / "jiangong.lock").exists()


def test_a_service_not_in_this_checkout_is_named_as_such(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("JIANGONG_DATA_DIR", str(tmp_path))
    monkeypatch.setitem(jiangong.services.SERVICE_MODULES, "dashboard", "services.gone.service")
    for command in (
        ["replay", "dashboard"],
        ["dead-letters", "dashboard"],
        ["migrate", "dashboard"],
    ):
        with pytest.raises(SystemExit) as stopped:
            main(command)
        assert stopped.value.code == 2
        err = capsys.readouterr().err
        assert "the dashboard service is not part of this checkout" in err
        assert "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["replay", "payroll"])
    assert "there is no service called 'payroll'" in capsys.readouterr().err


def test_help_lists_only_the_services_of_this_checkout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(jiangong.services.SERVICE_MODULES, "dashboard", "services.gone.service")
    for command in ("replay", "serve", "worker", "dead-letters", "migrate"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "registry, competitions, certification" in text, command
        assert "dashboard" not in text, command


def test_a_database_from_before_the_request_id_column_is_upgraded(tmp_path: Path) -> None:
    app = create_app(REGISTRY, Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)}))
    with app.app_context():  # the registry as it was before the column: revision 0002
        alembic_upgrade(directory=str(REGISTRY.migrations), revision="0002")
    engine = engine_of(app)
    assert "request_id" not in {c["name"] for c in inspect(engine).get_columns("outbox")}
    with app.app_context():
        assert at_head(app) is False  # /readyz says so
    migrate(app)
    columns = {c["name"] for c in inspect(engine).get_columns("outbox")}
    assert "request_id" in columns
    with app.app_context():
        assert at_head(app) is True
    assert json.loads(app.test_client().get("/readyz").data)["database"] is True
