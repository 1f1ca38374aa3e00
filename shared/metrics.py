"""``/metrics``: what an operator reads about a service, in Prometheus' text exposition format.

Each app has its own :class:`~prometheus_client.CollectorRegistry` (tests and the embedded
platform's four apps never collide). It holds:

- ``jiangong_http_requests_total{route,method,status}`` and the latency histogram
  ``jiangong_http_request_duration_seconds{route,method}``: the route is the URL rule
  (``/api/v1/enterprises/<enterprise_id>``), never the raw path; ``<unmatched>`` for a 404;
- ``jiangong_outbox_backlog`` (rows not yet published) and
  ``jiangong_outbox_oldest_unpublished_age_seconds``, queried at scrape time on the outbox's
  ``(published_at, position)`` index, and ``jiangong_outbox_published_total`` (this process's
  relay);
- ``jiangong_consumer_events_applied_total``, ``..._duplicates_skipped_total``,
  ``..._dead_letters_total`` and ``..._events_ignored_total``, by ``consumer``: the
  :class:`~shared.inbox.Consumer`'s own counters, read at scrape time;
- ``jiangong_job_runs_total{job,outcome}``: the scheduled jobs' runs, ``ok`` or ``error``.

The consumer, relay and job figures are those of the worker running in this process (embedded,
every service's; ``jiangong serve`` runs no worker, so there they stay absent). ``jiangong
worker``, which has no HTTP API, serves its ``/metrics`` on a port of its own
(:func:`serve_metrics_over_http`).

Who may read it: a request from loopback, or one with any valid bearer token (a scraper in
another container sends one); anything else is a 401.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from shared.auth import authenticate

if TYPE_CHECKING:
    from shared.inbox import Consumer
    from shared.outbox import Outbox
    from shared.relay import Relay

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
_EXTENSION = "jiangong.metrics"
UNMATCHED = "<unmatched>"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One app's registry and the instruments the kernel feeds."""

    def __init__(self, service: str):
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "jiangong_http_requests",
            "HTTP requests answered, by URL rule, method and status.",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "jiangong_http_request_duration_seconds",
            "Time to answer an HTTP request, by URL rule and method.",
            ("route", "method"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.job_runs = Counter(
            "jiangong_job_runs",
            "Scheduled job runs, by job id and outcome (ok, error).",
            ("job", "outcome"),
            registry=self.registry,
        )
        self._worker = _WorkerCollector()
        self.registry.register(self._worker)

    def watch_outbox(self, engine: Callable[[], Engine], outbox: Outbox) -> None:
        self.registry.register(_OutboxCollector(engine, outbox))

    def watch_consumer(self, consumer: Consumer) -> None:
        self._worker.consumers[consumer.group] = consumer  # a new worker replaces the last

    def watch_relay(self, relay: Relay) -> None:
        self._worker.relays[relay.topic] = relay

    def count_job(self, job_id: str, run: Callable[[Flask], Any]) -> Callable[[Flask], Any]:
        """``run`` that counts its runs and their outcome."""

        @functools.wraps(run)
        def counted(app: Flask) -> Any:
            try:
                result = run(app)
            except BaseException:
                self.job_runs.labels(job_id, "error").inc()
                raise
            self.job_runs.labels(job_id, "ok").inc()
            return result

        return counted

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def metrics_of(app: Flask) -> Metrics:
    metrics: Metrics = app.extensions[_EXTENSION]
    return metrics


def init_metrics(app: Flask, service: str, route: bool = True) -> Metrics:
    """Count every request of ``app`` and, with ``route``, serve ``/metrics`` on it."""
    metrics = Metrics(service)
    app.extensions[_EXTENSION] = metrics

    @app.before_request
    def _started() -> None:
        g.jiangong_started = time.perf_counter()

    @app.after_request
    def _answered(response: Response) -> Response:
        started = g.pop("jiangong_started", None)
        rule = request.url_rule.rule if request.url_rule is not None else UNMATCHED
        metrics.requests.labels(rule, request.method, str(response.status_code)).inc()
        if started is not None:
            metrics.latency.labels(rule, request.method).observe(time.perf_counter() - started)
        return response

    if route:
        app.add_url_rule(METRICS_PATH, "metrics", lambda: serve_metrics(metrics))
    return metrics


def serve_metrics(metrics: Metrics) -> Response:
    if not _from_loopback(request.remote_addr):
        authenticate()  # any valid token; a 401 problem otherwise
    return Response(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)


def _from_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def serve_metrics_over_http(app: Flask, host: str, port: int) -> BaseWSGIServer:
    """Serve ``app``'s ``/metrics`` alone on ``host:port``, from a background thread: for the
    worker process, which has no HTTP API of its own. The rule is the API's (loopback, or any
    valid bearer token), and any other path is a 404. Raises :class:`OSError` when the address
    cannot be bound; ``shutdown()`` then ``server_close()`` stops it."""

    class QuietRequests(WSGIRequestHandler):
        def log_request(self, *_: object) -> None:  # a scrape every few seconds is not news
            pass

    def only_metrics(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") != METRICS_PATH:
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [f"a worker serves {METRICS_PATH} only\n".encode()]
        return app(environ, start_response)

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.create_server((host, port), family=family, backlog=64)
    with listening:  # the server takes its own copy of the bound socket
        server = make_server(
            host,
            port,
            only_metrics,
            threaded=True,
            request_handler=QuietRequests,
            fd=listening.fileno(),
        )
    name = f"{metrics_of(app).service}-metrics"
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server


class _OutboxCollector(Collector):
    """The backlog and its oldest row's age, by one indexed query at scrape time."""

    def __init__(self, engine: Callable[[], Engine], outbox: Outbox):
        self.engine = engine
        self.outbox = outbox

    def describe(self) -> Iterator[Metric]:
        return iter(self._families())

    def collect(self) -> Iterator[Metric]:
        table = self.outbox.table
        query = select(func.count(), func.min(table.c.time)).where(table.c.published_at.is_(None))
        try:
            with Session(self.engine()) as session:
                count, oldest = session.execute(query).one()
        except Exception as error:  # the database is away: the rest of the scrape still answers
            log.warning("%s outbox metrics unavailable: %r", self.outbox.service, error)
            return
        age = 0.0
        if oldest is not None:
            if oldest.tzinfo is None:  # SQLite gives the stored UTC time back naive
                oldest = oldest.replace(tzinfo=UTC)
            age = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        backlog, oldest_age = self._families()
        backlog.add_metric([], count)
        oldest_age.add_metric([], age)
        yield backlog
        yield oldest_age

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily("jiangong_outbox_backlog", "Outbox rows not yet published."),
            GaugeMetricFamily(
                "jiangong_outbox_oldest_unpublished_age_seconds",
                "Age of the oldest unpublished outbox row (0 when none waits).",
            ),
        )


CONSUMER_COUNTERS = {
    "applied": ("jiangong_consumer_events_applied", "Events applied, by consumer."),
    "duplicates": (
        "jiangong_consumer_duplicates_skipped",
        "Events skipped as already applied (the inbox had them), by consumer.",
    ),
    "dead_lettered": (
        "jiangong_consumer_dead_letters",
        "Events sent to the dead-letter topic, by consumer.",
    ),
    "ignored": ("jiangong_consumer_events_ignored", "Events of types not subscribed to."),
}


class _WorkerCollector(Collector):
    """The counters the worker in this process keeps: its consumer's and its relay's."""

    def __init__(self) -> None:
        self.consumers: dict[str, Consumer] = {}
        self.relays: dict[str, Relay] = {}

    def collect(self) -> Iterator[Metric]:
        for key, (name, documentation) in CONSUMER_COUNTERS.items():
            family = CounterMetricFamily(name, documentation, labels=["consumer"])
            for consumer in list(self.consumers.values()):
                family.add_metric([consumer.group], consumer.stats.get(key, 0))
            yield family
        published = CounterMetricFamily(
            "jiangong_outbox_published", "Outbox rows this process's relay published."
        )
        published.add_metric([], sum(relay.published for relay in list(self.relays.values())))
        yield published


CONSUMER_LAG = (
    "jiangong_consumer_lag",
    "Records of a partition the consumer has not fetched yet (the high watermark less its "
    "position, measured after each poll), by group, topic and partition.",
)


class _ConsumerLagCollector(Collector):
    """``jiangong_consumer_lag{group,topic,partition}``: the lag the Kafka consumer loop
    measured after its last poll (``Consumer.lag``), read at scrape time. The in-process bus
    measures none."""

    def __init__(self, consumers: dict[str, Consumer]):
        self.consumers = consumers

    def describe(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(*CONSUMER_LAG, labels=["group", "topic", "partition"])

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(*CONSUMER_LAG, labels=["group", "topic", "partition"])
        for consumer in list(self.consumers.values()):
            for (topic, partition), lag in sorted(consumer.lag.items()):
                family.add_metric([consumer.group, topic, str(partition)], lag)
        yield family


def watch_consumer_lag(metrics: Metrics) -> None:
    """Expose the lag of the consumers ``metrics`` watches (``Metrics.watch_consumer``)."""
    try:
        metrics.registry.register(_ConsumerLagCollector(metrics._worker.consumers))
    except ValueError:  # already there: it reads whichever consumers are watched now
        log.debug("%s already exposes its consumers' lag", metrics.service)
