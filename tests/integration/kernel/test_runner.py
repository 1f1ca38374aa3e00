"""The ``jiangong`` command: tokens that the platform accepts, help, and a clean start and stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from jiangong.cli import main
from shared.auth import TokenVerifier
from shared.bus import InProcessBus
from shared.events import new_event
from shared.inbox import DeadLetter, Delivery
from shared.settings import Settings
from tests.support.broker import free_port
from tests.support.polling import wait_until


def test_an_issued_token_is_alone_on_the_last_line_and_the_platform_accepts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIANGONG_DATA_DIR", str(tmp_path))
    assert main(["token", "issue", "--role", "judge", "--judge", "j7", "--ttl", "30m"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    principal = TokenVerifier(Settings.from_env().secret).verify(token)
    assert (principal.role, principal.judge_id) == ("judge", "j7")


def test_a_scoped_role_without_its_scope_is_refused_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIANGONG_DATA_DIR", str(tmp_path))
    assert main(["token", "issue", "--role", "enterprise"]) == 2
    assert "an enterprise token needs --enterprise" in capsys.readouterr().err
    assert main(["token", "issue", "--role", "judge"]) == 2
    assert "a judge token needs --judge" in capsys.readouterr().err
    assert main(["token", "issue", "--role", "admin", "--judge", "j1"]) == 2
    assert "--judge is for a judge token" in capsys.readouterr().err


def test_production_mode_without_a_secret_stops_with_its_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIANGONG_ENV", "production")
    monkeypatch.delenv("JIANGONG_SECRET", raising=False)
    assert main(["token", "issue", "--role", "admin"]) == 2
    assert "JIANGONG_SECRET" in capsys.readouterr().err


def test_dead_letters_are_listed_with_their_error_and_without_their_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIANGONG_DATA_DIR", str(tmp_path))
    assert main(["dead-letters", "competitions"]) == 0
    assert "no dead letters" in capsys.readouterr().out
    event = new_event("registry", "jiangong.worker.registered.v1", "w-77", {"name": "王芳"})
    letter = DeadLetter(Delivery("jiangong.registry", 0, 12, event=event), "handler: boom")
    InProcessBus(store=tmp_path / "bus.db").offsets.add_dead_letters("competitions", [letter])
    assert main(["dead-letters", "competitions"]) == 0
    out = capsys.readouterr().out
    assert "1 dead letters" in out and "jiangong.worker.registered.v1" in out
    assert "w-77" in out and "jiangong.registry@12" in out and "handler: boom" in out
    assert "王芳" not in out


def test_help_explains_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for command in ("up", "serve", "worker", "migrate", "replay", "dead-letters", "token"):
        assert command in text


def test_up_serves_the_services_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jiangong.cli", "up", "--port", str(port)],
        env={**os.environ, "JIANGONG_DATA_DIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _status(f"{base}/registry/livez") == 200, timeout=30, every=0.2)
        assert json.loads(_body(f"{base}/registry/readyz"))["status"] == "ready"
        assert _status(f"{base}/registry/api/openapi.json") == 200
        problem = _problem(f"{base}/registry/api/v1/nothing")
        assert problem["instance"] == "/registry/api/v1/nothing"  # the mounted path
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "Stopped." in output
    assert (tmp_path / "registry.db").exists()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return int(answer.status)
    except OSError:
        return 0


def _problem(url: str) -> dict:
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError as error:
        return dict(json.loads(error.read()))
    raise AssertionError(f"{url} answered without a problem")


def _body(url: str) -> str:
    with urllib.request.urlopen(url, timeout=2) as answer:
        return str(answer.read().decode())
