"""`jiangong worker SERVICE --metrics-port PORT`: the worker has no HTTP API, so it serves its
consumer, relay, job and outbox figures on a port of its own, for a scraper and for the
container's health check."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.test import Client

from jiangong.cli import main
from jiangong.services import definition
from shared.app import create_app
from shared.auth import issue_token
from shared.bus import InProcessBus
from shared.metrics import serve_metrics_over_http
from shared.runtime import migrate
from shared.service import ServiceWorker
from shared.settings import Settings
from tests.support.broker import DevBroker, free_port
from tests.support.polling import wait_until
from tests.support.postgres import scratch_database

SECRET = "a-worker-metrics-secret-long-enough-for-hs256"


def families(exposition: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Each family's samples as (labels, value), by family name."""
    return {
        family.name: [(sample.labels, sample.value) for sample in family.samples]
        for family in text_string_to_metric_families(exposition)
    }


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=3) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""


@pytest.fixture
def competitions_database(postgres_url: str) -> Iterator[str]:
    with scratch_database(postgres_url, prefix="jiangong_worker_metrics") as url:
        yield url


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[DevBroker]:
    """A broker of its own: the worker here stops seconds after it starts, perhaps before its
    consumer has joined its group, and the session's broker keeps the group for other tests."""
    with DevBroker(log_path=tmp_path / "tansu.log") as running:
        yield running


@pytest.mark.kafka
@pytest.mark.postgres
def test_a_worker_serves_its_consumer_and_relay_figures_on_its_metrics_port(
    own_broker: DevBroker, competitions_database: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "JIANGONG_ENV": "production",
        "JIANGONG_SECRET": SECRET,
        "JIANGONG_PII_KEY": "a-worker-metrics-pii-key",
        "JIANGONG_COMPETITIONS_DATABASE_URL": competitions_database,
        "KAFKA_BOOTSTRAP_SERVERS": own_broker.bootstrap_servers,
        "JIANGONG_DATA_DIR": str(tmp_path),
    }
    log = tmp_path / "worker.log"

    def jiangong(*args: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "jiangong.cli", *args]
        return subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)

    assert jiangong("migrate", "competitions").wait(timeout=90) == 0, log.read_text()
    port = free_port()
    worker = jiangong(
        "worker", "competitions", "--metrics-host", "127.0.0.1", "--metrics-port", str(port)
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: fetch(f"{base}/metrics")[0] == 200, timeout=45, every=0.3)
        status, exposition = fetch(f"{base}/metrics")
        assert status == 200
        found = families(exposition)
        for name in (
            "jiangong_consumer_events_applied",
            "jiangong_consumer_duplicates_skipped",
            "jiangong_consumer_dead_letters",
            "jiangong_consumer_events_ignored",
        ):
            assert [labels for labels, _ in found[name]] == [{"consumer": "competitions"}], name
        assert [value for _, value in found["jiangong_outbox_published"]] == [0.0]
        assert [value for _, value in found["jiangong_outbox_backlog"]] == [0.0]
        assert "jiangong_job_runs" in found
        assert fetch(f"{base}/api/v1/competitions")[0] == 404  # the worker serves no API
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=60)
    assert code == 0, log.read_text()[-3000:]


@pytest.fixture
def embedded(tmp_path: Path) -> Settings:
    return Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path), "JIANGONG_SECRET": SECRET})


def test_the_worker_metrics_ask_a_token_of_a_scraper_that_is_not_on_loopback(
    embedded: Settings,
) -> None:
    app = create_app(definition("competitions"), embedded)
    migrate(app)
    ServiceWorker(app, InProcessBus())  # registers its relay and consumer, as the worker does
    server = serve_metrics_over_http(app, "127.0.0.1", 0)
    try:
        scraper = Client(server.app)
        remote = {"REMOTE_ADDR": "192.0.2.7"}
        assert scraper.get("/metrics", environ_base=remote).status_code == 401
        token = {"Authorization": f"Bearer {issue_token(SECRET, 'reader')}"}
        answer = scraper.get("/metrics", environ_base=remote, headers=token)
        assert answer.status_code == 200
        assert "jiangong_consumer_events_applied" in families(answer.get_data(as_text=True))
        status, exposition = fetch(f"http://127.0.0.1:{server.port}/metrics")  # loopback
        assert status == 200 and "jiangong_outbox_backlog" in families(exposition)
        assert fetch(f"http://127.0.0.1:{server.port}/livez")[0] == 404
    finally:
        server.shutdown()
        server.server_close()


def test_a_worker_whose_metrics_port_is_taken_says_so_before_taking_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIANGONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")  # never reached
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code = main(
            ["worker", "registry", "--metrics-host", "127.0.0.1", "--metrics-port", str(port)]
        )
    assert code == 2
    err = capsys.readouterr().err
    assert f"cannot serve metrics on 127.0.0.1:{port}" in err and "--metrics-port" in err


def test_a_metrics_port_out_of_range_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIANGONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")  # never reached

    assert main(["worker", "registry", "--metrics-port", "70000"]) == 2
    assert "--metrics-port 70000 is no port" in capsys.readouterr().err
