"""The platform as deployed: each service's HTTP side under gunicorn and its worker as separate
processes, over PostgreSQL and a real Kafka-compatible broker."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition

from shared.auth import issue_token
from shared.identifiers import USCC_ALPHABET, make_uscc
from tests.support.broker import DevBroker, free_port
from tests.support.polling import wait_until
from tests.support.postgres import scratch_database

SECRET = "an-e2e-secret-that-is-long-enough-for-hs256-signing"


@pytest.fixture
def databases(postgres_url: str) -> Iterator[dict[str, str]]:
    """Each service's own database on the run's PostgreSQL server."""
    with (
        scratch_database(postgres_url, prefix="jiangong_e2e_registry") as registry,
        scratch_database(postgres_url, prefix="jiangong_e2e_competitions") as competitions,
    ):
        yield {"registry": registry, "competitions": competitions}


def jiangong(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "jiangong.cli", *args],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def test_a_registration_over_http_reaches_kafka_and_the_competitions_replica(
    broker: DevBroker, databases: dict[str, str], tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "JIANGONG_ENV": "production",
        "JIANGONG_SECRET": SECRET,
        "JIANGONG_PII_KEY": "an-e2e-pii-key",
        "JIANGONG_REGISTRY_DATABASE_URL": databases["registry"],
        "JIANGONG_COMPETITIONS_DATABASE_URL": databases["competitions"],
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "JIANGONG_DATA_DIR": str(tmp_path),
    }
    log = tmp_path / "processes.log"
    assert jiangong(["migrate", "registry", "competitions"], env, log).wait(timeout=90) == 0
    ports = {"registry": free_port(), "competitions": free_port()}
    processes = [
        jiangong(
            ["serve", name, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"], env, log
        )
        for name, port in ports.items()
    ] + [
        jiangong(
            ["worker", name, "--metrics-host", "127.0.0.1", "--metrics-port", str(free_port())],
            env,
            log,
        )
        for name in ports
    ]
    registry, competitions = (f"http://127.0.0.1:{ports[n]}" for n in ("registry", "competitions"))
    try:
        for base in (registry, competitions):
            wait_until(lambda base=base: _get(f"{base}/readyz")[0] == 200, timeout=45, every=0.3)
        uscc = make_uscc("91330402" + "".join(random.choices(USCC_ALPHABET, k=9)))
        status, body = _post(
            f"{registry}/api/v1/enterprises",
            {
                "uscc": uscc,
                "name": "嘉兴端到端有限公司",
                "region_code": "330402",
                "has_union": True,
                "union_founded_on": "2019-01-01",
                "above_designated_size": False,
                "ownership": "non_public",
                "employee_count": 12,
            },
        )
        assert status == 201, body
        event = _find_event(broker.bootstrap_servers, "jiangong.registry", body["id"])
        assert event["type"] == "jiangong.enterprise.registered.v1"
        assert event["data"]["uscc"] == uscc

        def replicated() -> bool:
            year = datetime.now().year
            status, coverage = _get(f"{competitions}/api/v1/coverage?year={year}", auth=True)
            return status == 200 and coverage["enterprises_total"] == 1

        wait_until(replicated, timeout=45, every=0.3)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=60) for process in processes]
    assert codes == [0, 0, 0, 0], log.read_text()[-3000:]


def _find_event(bootstrap: str, topic: str, subject: str) -> dict:
    reader = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    found: dict = {}

    def look() -> bool:
        partitions = [TopicPartition(topic, p) for p in reader.partitions_for_topic(topic) or ()]
        if not partitions:
            return False
        if set(reader.assignment()) != set(partitions):
            reader.assign(partitions)
            reader.seek_to_beginning(*partitions)
        for batch in reader.poll(timeout_ms=200).values():
            for record in batch:
                headers = {k: v.decode() for k, v in record.headers}
                if headers["ce_subject"] == subject:
                    found.update(type=headers["ce_type"], data=json.loads(record.value))
        return bool(found)

    try:
        wait_until(look, timeout=30, every=0.1)
    finally:
        reader.close()
    return found


def _get(url: str, auth: bool = False) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {issue_token(SECRET, 'reader')}"} if auth else {}
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers), timeout=3
        ) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, {}
    except OSError:
        return 0, {}


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {issue_token(SECRET, 'admin')}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
