"""``/metrics`` on every service of the embedded platform, under its prefix: after a few
commands the counters have moved. The exposition is parsed with prometheus-client's own parser,
never matched as text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session
from werkzeug.test import Client

from jiangong.platform import EmbeddedPlatform
from jiangong.serving import trusting_proxies
from shared.auth import issue_token
from shared.identifiers import make_uscc
from shared.inbox import Delivery
from shared.metrics import metrics_of
from shared.runtime import engine_of, runtime_of
from shared.settings import Settings
from tests.support.polling import wait_until

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: Client, path: str, headers: dict[str, str] | None = None) -> Samples:
    answer = client.get(path, environ_base=LOOPBACK, headers=headers or {})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "text/plain"
    samples: Samples = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def enterprise(n: int) -> dict[str, object]:
    return {
        "uscc": make_uscc(f"91330402MA2B3C4{n:02d}"[:17]),
        "name": f"嘉兴度量精密机械有限公司{n}",
        "region_code": "330402",
        "has_union": True,
        "union_founded_on": "2015-05-01",
        "above_designated_size": True,
        "ownership": "non_public",
        "employee_count": 120,
    }


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[EmbeddedPlatform]:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)})
    platform = EmbeddedPlatform(settings, names=["registry", "certification", "dashboard"])
    yield platform
    platform.stop()


def admin(platform: EmbeddedPlatform) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(platform.settings.secret, 'admin', None)}"}


def test_requests_outbox_and_consumers_move_the_counters(platform: EmbeddedPlatform) -> None:
    client = Client(platform.wsgi)
    headers = admin(platform)
    for n in (1, 2):
        answer = client.post("/registry/api/v1/enterprises", headers=headers, json=enterprise(n))
        assert answer.status_code == 201, answer.get_json()
    assert client.get("/registry/api/v1/enterprises/nope", headers=headers).status_code == 404
    assert client.get("/registry/api/v1/enterprises").status_code == 401
    assert client.get("/registry/no/such/path").status_code == 404

    # the workers are not running yet: both events wait in the registry's outbox
    before = scrape(client, "/registry/metrics")
    route = "/api/v1/enterprises"
    assert (
        value(before, "jiangong_http_requests_total", route=route, method="POST", status="201") == 2
    )
    one = "/api/v1/enterprises/<enterprise_id>"
    assert value(before, "jiangong_http_requests_total", route=one, method="GET", status="404") == 1
    assert (
        value(before, "jiangong_http_requests_total", route=route, method="GET", status="401") == 1
    )
    unmatched = {"route": "<unmatched>", "method": "GET", "status": "404"}
    assert value(before, "jiangong_http_requests_total", **unmatched) == 1
    assert (
        value(before, "jiangong_http_request_duration_seconds_count", route=route, method="POST")
        == 2
    )
    inf = value(
        before,
        "jiangong_http_request_duration_seconds_bucket",
        route=route,
        method="POST",
        le="+Inf",
    )
    assert inf == 2
    assert value(before, "jiangong_outbox_backlog") >= 2
    assert value(before, "jiangong_outbox_oldest_unpublished_age_seconds") > 0
    assert value(before, "jiangong_outbox_published_total") == 0

    platform.start()

    def relayed() -> bool:  # the rows are marked, then the relay counts them: wait for both
        metrics = scrape(client, "/registry/metrics")
        published = value(metrics, "jiangong_outbox_published_total")
        return value(metrics, "jiangong_outbox_backlog") == 0 and published >= 2

    wait_until(relayed)
    after = scrape(client, "/registry/metrics")
    assert value(after, "jiangong_outbox_published_total") >= 2
    assert value(after, "jiangong_outbox_oldest_unpublished_age_seconds") == 0

    def seen(path: str, group: str, *counters: str) -> Callable[[], bool]:
        def enough() -> bool:
            samples = scrape(client, path)
            return sum(value(samples, name, consumer=group) for name in counters) >= 2

        return enough

    applied, ignored = (
        "jiangong_consumer_events_applied_total",
        "jiangong_consumer_events_ignored_total",
    )
    wait_until(seen("/dashboard/metrics", "dashboard", applied))
    # certification keeps no enterprises: its consumer sees the events and passes them by
    wait_until(seen("/certification/metrics", "certification", applied, ignored))


def test_duplicates_dead_letters_and_job_runs_are_counted(platform: EmbeddedPlatform) -> None:
    client = Client(platform.wsgi)
    answer = client.post(
        "/registry/api/v1/enterprises", headers=admin(platform), json=enterprise(3)
    )
    assert answer.status_code == 201
    registry, dashboard = platform.apps["registry"], platform.apps["dashboard"]
    worker = next(w for w in platform.workers if w.definition.name == "dashboard")
    next(w for w in platform.workers if w.definition.name == "registry").relay.drain()
    with Session(engine_of(registry)) as session:
        record = runtime_of(registry).outbox.published(session)[0]
    consumer = worker.consumer
    assert consumer is not None
    delivery = Delivery("jiangong.registry", 0, record.position, event=record.event())
    assert consumer.handle([delivery]) == []
    assert consumer.handle([delivery]) == []  # the second time, a duplicate
    bad = replace(record, id="empty", data_json="{}").event()  # its schema refuses it
    assert len(consumer.handle([Delivery("jiangong.registry", 0, 10**6, event=bad)])) == 1

    metrics = metrics_of(dashboard)
    metrics.count_job("refresh", lambda app: None)(dashboard)

    def broken(app: object) -> None:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        metrics.count_job("refresh", broken)(dashboard)

    samples = scrape(client, "/dashboard/metrics")
    group = {"consumer": "dashboard"}
    assert value(samples, "jiangong_consumer_events_applied_total", **group) == 1
    assert value(samples, "jiangong_consumer_duplicates_skipped_total", **group) == 1
    assert value(samples, "jiangong_consumer_dead_letters_total", **group) == 1
    assert value(samples, "jiangong_job_runs_total", job="refresh", outcome="ok") == 1
    assert value(samples, "jiangong_job_runs_total", job="refresh", outcome="error") == 1


def test_metrics_answer_loopback_or_a_valid_token_and_each_app_has_its_own(
    platform: EmbeddedPlatform,
) -> None:
    client = Client(platform.wsgi)
    for path in ("/registry/metrics", "/certification/metrics", "/dashboard/metrics"):
        assert client.get(path, environ_base=ELSEWHERE).status_code == 401
        bad = {"Authorization": "Bearer nonsense"}
        assert client.get(path, environ_base=ELSEWHERE, headers=bad).status_code == 401
        good = client.get(path, environ_base=ELSEWHERE, headers=admin(platform))
        assert good.status_code == 200
    reader = {"Authorization": f"Bearer {issue_token(platform.settings.secret, 'reader', None)}"}
    assert (
        client.get("/registry/metrics", environ_base=ELSEWHERE, headers=reader).status_code == 200
    )
    # the root is the dashboard's, and its metrics live under its name, not at /metrics
    assert client.get("/metrics", environ_base=LOOPBACK).status_code == 404

    client.get("/registry/livez", environ_base=LOOPBACK)
    registry = scrape(client, "/registry/metrics")
    certification = scrape(client, "/certification/metrics")
    livez = {"route": "/livez", "method": "GET", "status": "200"}
    assert value(registry, "jiangong_http_requests_total", **livez) == 1
    assert value(certification, "jiangong_http_requests_total", **livez) == 0
    assert metrics_of(platform.apps["registry"]).registry is not (
        metrics_of(platform.apps["certification"]).registry
    )


def test_behind_a_trusted_proxy_a_client_it_forwarded_is_not_taken_for_loopback(
    platform: EmbeddedPlatform,
) -> None:
    """The proxy on the same host connects from loopback: with JIANGONG_TRUSTED_PROXIES set the
    client it names is the one asking, so /metrics wants a token; a scraper on the host itself,
    not through the proxy, needs none."""
    through_proxy = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    proxied = Client(trusting_proxies(platform.wsgi, 1))
    assert (
        proxied.get("/registry/metrics", environ_base=LOOPBACK, headers=through_proxy).status_code
        == 401
    )
    assert proxied.get("/registry/metrics", environ_base=LOOPBACK).status_code == 200
    # a client cannot pass for loopback by sending the header itself: the proxy appends the
    # address it saw, and only that last one is believed
    spoofed = {"X-Forwarded-For": "127.0.0.1, 203.0.113.9"}
    assert (
        proxied.get("/registry/metrics", environ_base=LOOPBACK, headers=spoofed).status_code == 401
    )
