"""From an assessment's 201 to the dashboard showing the promotion, embedded and over Kafka.

    python benchmarks/dashboard_latency.py [--count 300] [--rate 3] [--modes embedded kafka]
                                           [--kafka-split] [--streams-up-to 1000]

Each promotion is one passing first-level (level 5) assessment of a worker who holds nothing,
so each moves ``yearly_promotions`` by one. Two measurements per mode, each over ``--count``
promotions arriving ``--rate`` a second (default 3: under the stream's coalescing of at most
one message per 0.25 s, so what is measured is the path, not the deliberate gap):

* **GET**: after the 201, ``GET /api/v1/targets`` is polled back to back until the count moved;
* **stream**: one ``GET /api/v1/stream`` is read all along; the time is that of the first
  ``targets`` event whose ``yearly_promotions`` reached the promotion's count.

The servers run in child processes, as a browser and the platform would, and the client here:

* **embedded**: the whole ``EmbeddedPlatform`` (four services, in-process bus, SQLite files)
  served by werkzeug's threaded server on a free loopback port; the workers are imported
  through the registry's API and reach certification through the bus;
* **kafka**: a Tansu broker (``tests/support/broker.py``); certification and the dashboard
  each in its own process, each its app, its werkzeug server and its ``ServiceWorker`` on a
  ``KafkaBus`` (``shared.buses.bus_for``: ``fetch_max_wait_ms=10`` is already its default),
  each on its own scratch PostgreSQL database (SQLite files if PostgreSQL is not reachable;
  the table says which). The workers are delivered into certification's consumer as the
  registry's ``worker.registered`` events before it starts. ``--kafka-split`` adds a run with
  the dashboard's HTTP side and its worker in two processes, as ``jiangong serve`` and
  ``jiangong worker`` deploy it: its streams then learn of a change by polling the version
  (``JIANGONG_DASHBOARD_POLL_SECONDS``, 0.2 s).

Baselines, in the same run: a bare Flask route (``GET /bench/bare``, no token, no database)
on the same server; over Kafka also raw kafka-python produce → consume (``benchmarks/bus.py``'s
``raw_latency``, 50 messages a second, on a broker of its own).

Then, unless ``--streams-up-to 0``: how many concurrent streams the embedded server holds.
Connections like an EventSource's are opened one after another until one is refused, first
with the dashboard's default cap (``JIANGONG_DASHBOARD_MAX_STREAMS``, 64), then with the cap
raised to ``--streams-up-to``; the server process's resident memory and threads are read from
``/proc`` before and after, and, with the default cap full, how long a promotion takes to reach
every open stream.

Goals: p99 under 250 ms embedded and under 500 ms over Kafka.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SPAWN = multiprocessing.get_context("spawn")
SECRET = "a-benchmark-secret-long-enough-for-hs256-signing"
OCCUPATION = "6-18-01-01"
GOALS = {"embedded": 0.250, "kafka": 0.500}
Row = tuple[str, str, list[float], float | None]  # mode, what, latencies (s), goal (s)


# -- the servers, each in a child process ----------------------------------------------------


def _quiet_logs() -> None:
    logging.basicConfig(level=logging.WARNING)
    for name in ("werkzeug", "alembic", "apscheduler", "kafka"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _add_bare_route(app: Any) -> None:
    from flask import jsonify

    app.add_url_rule("/bench/bare", "bench_bare", lambda: jsonify({"ok": True}))


def _serve(wsgi: Any) -> Any:
    from werkzeug.serving import WSGIRequestHandler, make_server

    WSGIRequestHandler.protocol_version = "HTTP/1.1"  # keep-alive, as a browser would
    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _embedded_child(folder: str, extra: dict[str, str], ready: Any, stop: Any) -> None:
    _quiet_logs()
    from jiangong.platform import EmbeddedPlatform
    from shared.settings import Settings

    environ = {"JIANGONG_DATA_DIR": folder, "JIANGONG_SECRET": SECRET, **extra}
    platform = EmbeddedPlatform(Settings.from_env(environ))
    _add_bare_route(platform.apps["dashboard"])
    platform.start()
    server = _serve(platform.wsgi)
    ready.put({"port": server.server_port, "pid": os.getpid()})
    stop.wait()
    server.shutdown()
    platform.stop()


def _service_child(
    name: str,
    environ: dict[str, str],
    database_url: str,
    http: bool,
    worker: bool,
    ready: Any,
    stop: Any,
) -> None:
    _quiet_logs()
    from jiangong.platform import definition
    from shared.app import create_app
    from shared.buses import bus_for
    from shared.service import ServiceWorker
    from shared.settings import Settings

    settings = Settings.from_env(environ)
    app = create_app(definition(name), settings, {"DATABASE_URL": database_url})
    running = None
    if worker:
        running = ServiceWorker(app, bus_for(settings, name))
        running.start()
    server = None
    if http:
        _add_bare_route(app)
        server = _serve(app)
    ready.put({"port": server.server_port if server else None, "pid": os.getpid()})
    stop.wait()
    if server is not None:
        server.shutdown()
    if running is not None:
        running.stop()
        running.bus.close()


@contextmanager
def child(target: Callable[..., None], *args: Any) -> Iterator[dict[str, Any]]:
    ready, stop = SPAWN.Queue(), SPAWN.Event()
    process = SPAWN.Process(target=target, args=(*args, ready, stop), daemon=True)
    process.start()
    try:
        yield ready.get(timeout=120)
    finally:
        stop.set()
        process.join(timeout=60)
        if process.is_alive():
            process.terminate()


# -- the client ------------------------------------------------------------------------------


class Http:
    """One keep-alive connection."""

    def __init__(self, port: int, prefix: str = ""):
        self.port, self.prefix = port, prefix
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        payload = None if body is None else json.dumps(body).encode()
        sent = {**(headers or {}), **({"Content-Type": "application/json"} if payload else {})}
        self.connection.request(method, self.prefix + path, payload, sent)
        answer = self.connection.getresponse()
        data = answer.read()
        text = data.decode() if data else ""
        return answer.status, (json.loads(text) if text.startswith(("{", "[")) else text)

    def raw(self, method: str, path: str, data: bytes, content_type: str, headers: Any) -> Any:
        self.connection.request(
            method, self.prefix + path, data, {**headers, "Content-Type": content_type}
        )
        answer = self.connection.getresponse()
        return answer.status, json.loads(answer.read())


def token(role: str, scope: str | None = None) -> dict[str, str]:
    from shared.auth import issue_token

    return {"Authorization": f"Bearer {issue_token(SECRET, role, scope)}"}


def this_year() -> int:
    from shared.clock import today_in_shanghai

    return today_in_shanghai().year


def promotions_of(answer: dict[str, Any]) -> int:
    return int(next(t for t in answer["targets"] if t["key"] == "yearly_promotions")["current"])


@dataclass
class Target:
    """Where a mode's certification and dashboard answer."""

    certification: int
    certification_prefix: str
    dashboard: int
    assessor: str = ""
    workers: list[str] = field(default_factory=list)

    def new_certification(self) -> Http:
        return Http(self.certification, self.certification_prefix)

    def new_dashboard(self) -> Http:
        return Http(self.dashboard)


def create_assessor(target: Target) -> None:
    authorisation = {"occupation_code": OCCUPATION, "levels": [5], "valid_from": "2020-01-01"}
    status, body = target.new_certification().call(
        "POST",
        "/api/v1/assessors",
        {"name": "基准评价员", "authorisations": [authorisation]},
        token("admin"),
    )
    assert status == 201, body
    target.assessor = body["id"]


def assessment(worker_id: str) -> dict[str, Any]:
    from shared.clock import today_in_shanghai

    return {
        "worker_id": worker_id,
        "occupation_code": OCCUPATION,
        "level": 5,
        "theory_score": 82,
        "practical_score": 88,
        "review_passed": None,
        "assessed_on": today_in_shanghai().isoformat(),
    }


def promote(connection: Http, target: Target, worker_id: str) -> None:
    status, body = connection.call(
        "POST", "/api/v1/assessments", assessment(worker_id), token("assessor", target.assessor)
    )
    if status != 201 or body.get("promotion") is None:
        raise SystemExit(f"the assessment did not promote: {status} {body}")


def current_promotions(dashboard: Http) -> int:
    status, body = dashboard.call("GET", f"/api/v1/targets?year={this_year()}")
    assert status == 200, body
    return promotions_of(body)


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def schedule(rate: float, count: int) -> Iterator[int]:
    """Yield 0..count-1 at ``rate`` a second, on schedule (late ones at once)."""
    start = time.perf_counter()
    for n in range(count):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        yield n


def measure_bare(port: int, count: int) -> list[float]:
    connection, latencies = Http(port), []
    for _ in range(count):
        start = time.perf_counter()
        status, _ = connection.call("GET", "/bench/bare")
        latencies.append(time.perf_counter() - start)
        assert status == 200
    return latencies


def measure_polling(target: Target, workers: list[str], rate: float) -> tuple[list, list]:
    """Per promotion: the POST's own time, and 201 → ``GET /targets`` showing it."""
    poster, poller = target.new_certification(), target.new_dashboard()
    seen = current_promotions(poller)
    posts, latencies = [], []
    for n in schedule(rate, len(workers)):
        sent = time.perf_counter()
        promote(poster, target, workers[n])
        created = time.perf_counter()
        posts.append(created - sent)
        while current_promotions(poller) < seen + 1:
            if time.perf_counter() - created > 30:
                raise SystemExit("GET /targets did not show a promotion within 30 s")
        latencies.append(time.perf_counter() - created)
        seen += 1
    return posts, latencies


class StreamReader:
    """Reads ``GET /api/v1/stream`` in a thread: (moment, yearly promotions) of each event."""

    def __init__(self, port: int):
        self.port = port
        self.events: list[tuple[float, int]] = []
        self.changed = threading.Condition()
        self.stop = threading.Event()
        self.last_id: str | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():  # the server ends a stream after 300 s: reconnect
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            headers = {"Accept": "text/event-stream"}
            if self.last_id:
                headers["Last-Event-ID"] = self.last_id
            connection.request("GET", "/api/v1/stream", headers=headers)
            answer = connection.getresponse()
            if answer.status != 200:
                time.sleep(0.5)
                continue
            data: list[str] = []
            while not self.stop.is_set():
                line = answer.readline()
                if not line:
                    break
                text = line.decode().rstrip("\r\n")
                if text.startswith("data:"):
                    data.append(text[5:].strip())
                elif text.startswith("id:"):
                    self.last_id = text[3:].strip()
                elif text == "" and data:
                    moment, count = time.perf_counter(), promotions_of(json.loads("".join(data)))
                    data = []
                    with self.changed:
                        self.events.append((moment, count))
                        self.changed.notify_all()
            connection.close()

    def wait_for(self, count: int, timeout: float) -> float | None:
        with self.changed:
            self.changed.wait_for(
                lambda: bool(self.events) and self.events[-1][1] >= count, timeout
            )
            return next((t for t, c in self.events if c >= count), None)

    def close(self) -> None:
        self.stop.set()


def measure_stream(target: Target, workers: list[str], rate: float) -> list[float]:
    """Per promotion: 201 → the first stream event showing it."""
    poster = target.new_certification()
    base = current_promotions(target.new_dashboard())
    reader = StreamReader(target.dashboard)
    try:
        if reader.wait_for(base, 30) is None:
            raise SystemExit("the stream sent no first message")
        time.sleep(0.3)  # past the coalescing gap after that first message
        created: list[float] = []
        for n in schedule(rate, len(workers)):
            promote(poster, target, workers[n])
            created.append(time.perf_counter())
        latencies = []
        for n, moment in enumerate(created):
            shown = reader.wait_for(base + n + 1, 30)
            if shown is None:
                raise SystemExit(f"the stream never showed promotion {n + 1}")
            latencies.append(shown - moment)
        return latencies
    finally:
        reader.close()


def warm_up(target: Target, workers: list[str]) -> None:
    """A few promotions, each waited for: the consumers have joined and the caches are warm."""
    poster, dashboard = target.new_certification(), target.new_dashboard()
    for worker in workers:
        before = current_promotions(dashboard)
        promote(poster, target, worker)

        def moved(before: int = before) -> bool:
            return current_promotions(dashboard) > before

        wait_for(moved, 60, "a warm-up promotion")


def latencies_of(mode: str, target: Target, args: argparse.Namespace, bare_port: int) -> list[Row]:
    warm, rest = target.workers[: args.warmup], target.workers[args.warmup :]
    warm_up(target, warm)
    polled, streamed = rest[: args.count], rest[args.count :]
    goal = GOALS["kafka" if mode.startswith("kafka") else "embedded"]
    bare = measure_bare(bare_port, args.count)
    posts, by_get = measure_polling(target, polled, args.rate)
    by_stream = measure_stream(target, streamed, args.rate)
    return [
        (mode, "bare Flask route, round trip (baseline)", bare, None),
        (mode, "assessment POST → 201 (for scale)", posts, None),
        (mode, "201 → `GET /api/v1/targets` shows it (polled back to back)", by_get, goal),
        (mode, "201 → `GET /api/v1/stream` event shows it", by_stream, goal),
    ]


# -- the two modes ---------------------------------------------------------------------------


def embedded_workers(target: Target, port: int, count: int) -> list[str]:
    """``count`` workers imported through the registry's API; waits until certification's
    replica has the last of them."""
    import random

    from shared.identifiers import MALE, USCC_ALPHABET, make_id_number, make_uscc

    rng = random.Random(9)
    registry = Http(port, "/registry")
    organisation = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    body = {
        "uscc": make_uscc("91330402" + organisation),
        "name": "嘉兴基准机械有限公司",
        "region_code": "330402",
        "has_union": True,
        "union_founded_on": "2015-05-01",
        "above_designated_size": True,
        "ownership": "non_public",
        "employee_count": count,
    }
    status, enterprise = registry.call("POST", "/api/v1/enterprises", body, token("admin"))
    assert status == 201, enterprise
    lines = ["id_number,name,occupation_code,is_migrant,is_union_member,union_joined_on,hired_on"]
    numbers: set[str] = set()
    while len(numbers) < count:
        born = date(rng.randint(1970, 2000), rng.randint(1, 12), rng.randint(1, 28))
        numbers.add(make_id_number("330402", born, rng.randint(0, 99), MALE))
    lines += [f"{n},李娜,{OCCUPATION},否,是,,2019-04-01" for n in sorted(numbers)]
    path = f"/api/v1/enterprises/{enterprise['id']}/workers/import"
    status, result = registry.raw(
        "POST", path, "\n".join(lines).encode(), "text/csv", token("admin")
    )
    assert status == 200 and result["created"] == count, result
    ids: list[str] = []
    page = 1
    while len(ids) < count:
        query = f"/api/v1/enterprises/{enterprise['id']}/workers?page={page}&per_page=100"
        status, listed = registry.call("GET", query, headers=token("admin"))
        assert status == 200, listed
        ids += [worker["id"] for worker in listed["items"]]
        page += 1
    certification = target.new_certification()

    def known() -> bool:
        path = f"/api/v1/workers/{ids[-1]}/skills"
        return certification.call("GET", path, headers=token("admin"))[0] == 200

    wait_for(known, 120, "certification's replica of the workers")
    return ids


def run_embedded(args: argparse.Namespace) -> list[Row]:
    needed = args.warmup + 2 * args.count
    with tempfile.TemporaryDirectory() as folder, child(_embedded_child, folder, {}) as server:
        port = server["port"]
        target = Target(port, "/certification", port)
        target.workers = embedded_workers(target, port, needed)
        create_assessor(target)
        return latencies_of("embedded", target, args, port)


@contextmanager
def databases(admin_url: str | None, folder: str) -> Iterator[tuple[dict[str, str], str]]:
    """A scratch database per service: PostgreSQL if reachable, else SQLite files."""
    from tests.support.postgres import PostgresUnavailable, scratch_database

    if admin_url:
        try:
            with ExitStack() as stack:
                urls = {
                    name: stack.enter_context(
                        scratch_database(admin_url, prefix=f"jiangong_bench_{name}")
                    )
                    for name in ("certification", "dashboard")
                }
                yield urls, "PostgreSQL"
                return
        except PostgresUnavailable as error:
            print(f"  (PostgreSQL not reachable, SQLite files instead: {error})", file=sys.stderr)
    yield (
        {name: f"sqlite:///{folder}/{name}.db" for name in ("certification", "dashboard")},
        "SQLite",
    )


def announce_workers(app: Any, count: int) -> list[str]:
    """``worker.registered`` events delivered straight into certification's consumer."""
    from services.certification.service import SERVICE
    from shared.events import new_event, topic_of
    from shared.inbox import Consumer, Delivery
    from shared.runtime import engine_of, runtime_of

    consumer = Consumer(
        "certification",
        engine_of(app),
        SERVICE.kernel.inbox,
        SERVICE.consumes(),
        context=runtime_of(app).context,
    )
    ids, deliveries = [], []
    for offset in range(count):
        worker_id = f"wkr-{uuid.uuid4().hex[:12]}"
        data = {
            "id": worker_id,
            "enterprise_id": f"ent-{offset % 20}",
            "name": "张小强",
            "id_number_masked": "330402********123X",
            "region_code": "330402",
            "occupation_code": OCCUPATION,
            "is_migrant": offset % 3 == 0,
            "is_union_member": True,
            "hired_on": "2015-03-01",
            "active": True,
        }
        event = new_event("registry", "jiangong.worker.registered.v1", worker_id, data)
        deliveries.append(Delivery(topic_of("registry"), 0, offset + 1, event=event))
        ids.append(worker_id)
    for start in range(0, len(deliveries), 500):
        assert consumer.handle(deliveries[start : start + 500]) == []
    return ids


def prepare(name: str, environ: dict[str, str], url: str, workers: int) -> list[str]:
    """Migrate a service's database (and announce the workers to certification)."""
    from jiangong.platform import definition
    from shared.app import create_app
    from shared.runtime import engine_of, migrate
    from shared.settings import Settings

    app = create_app(definition(name), Settings.from_env(environ), {"DATABASE_URL": url})
    migrate(app)
    ids = announce_workers(app, workers) if name == "certification" else []
    engine_of(app).dispose()
    return ids


def run_kafka(args: argparse.Namespace, split: bool) -> list[Row]:
    """Over Kafka; the raw kafka-python baseline first, on a broker of its own."""
    from tests.support.broker import DevBroker

    raw = (
        []
        if split
        else [
            ("kafka", "raw kafka-python produce → consume (baseline)", raw_kafka(args.count), None)
        ]
    )
    needed = args.warmup + 2 * args.count
    with (
        tempfile.TemporaryDirectory() as folder,
        databases(args.postgres_url, folder) as (urls, kind),
        DevBroker() as broker,
    ):
        environ = {
            "JIANGONG_DATA_DIR": folder,
            "JIANGONG_SECRET": SECRET,
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        }
        workers = prepare("certification", environ, urls["certification"], needed)
        prepare("dashboard", environ, urls["dashboard"], 0)
        with ExitStack() as stack:
            url = urls["certification"]
            certification = stack.enter_context(
                child(_service_child, "certification", environ, url, True, True)
            )
            url = urls["dashboard"]
            dashboard = stack.enter_context(
                child(_service_child, "dashboard", environ, url, True, not split)
            )
            if split:
                stack.enter_context(child(_service_child, "dashboard", environ, url, False, True))
            target = Target(certification["port"], "", dashboard["port"], workers=workers)
            create_assessor(target)
            mode = f"kafka, {kind}" + (", dashboard serve + worker apart" if split else "")
            return raw + latencies_of(mode, target, args, dashboard["port"])


def raw_kafka(count: int) -> list[float]:
    from benchmarks.bus import raw_latency

    return raw_latency(50.0, count / 50.0)


# -- streams: how many the embedded server holds ---------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "Threads"):
            values[name] = int(rest.split()[0])
    return values


def open_streams(port: int, limit: int) -> tuple[list[Any], int | None]:
    """Open streams one after another until one is refused (its status) or ``limit``."""
    opened: list[Any] = []
    for _ in range(limit):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/api/v1/stream", headers={"Accept": "text/event-stream"})
            answer = connection.getresponse()
        except OSError as error:
            print(f"  (connection {len(opened) + 1} failed: {error!r})", file=sys.stderr)
            return opened, -1
        if answer.status != 200:
            answer.read()
            connection.close()
            return opened, answer.status
        opened.append((connection, answer))
    return opened, None


def fan_out(target: Target, opened: list[Any], workers: list[str]) -> list[float]:
    """For each promotion: 201 → the last of the open streams has shown it."""
    counts = [0] * len(opened)
    moments: list[list[tuple[float, int]]] = [[] for _ in opened]
    guard = threading.Condition()

    def read(index: int, answer: Any) -> None:
        data: list[str] = []
        while True:
            try:
                line = answer.readline()
            except (OSError, ValueError):
                return
            if not line:
                return
            text = line.decode().rstrip("\r\n")
            if text.startswith("data:"):
                data.append(text[5:].strip())
            elif text == "" and data:
                count = promotions_of(json.loads("".join(data)))
                data = []
                with guard:
                    counts[index] = count
                    moments[index].append((time.perf_counter(), count))
                    guard.notify_all()

    for index, (_, answer) in enumerate(opened):
        threading.Thread(target=read, args=(index, answer), daemon=True).start()
    poster = target.new_certification()
    base = current_promotions(target.new_dashboard())
    with guard:
        guard.wait_for(lambda: min(counts) >= base, 30)
    latencies = []
    for n, worker in enumerate(workers, start=1):
        promote(poster, target, worker)
        created = time.perf_counter()
        reached = base + n

        def everywhere(reached: int = reached) -> bool:
            return min(counts) >= reached

        with guard:
            if not guard.wait_for(everywhere, 30):
                raise SystemExit("a stream did not show the promotion within 30 s")
            last = max(next(t for t, c in m if c >= reached) for m in moments)
        latencies.append(last - created)
        time.sleep(0.3)  # past the coalescing gap
    return latencies


def measure_streams(args: argparse.Namespace) -> list[str]:
    lines = []
    for cap in (None, args.streams_up_to):
        extra = {"JIANGONG_DASHBOARD_MAX_STREAMS": str(cap)} if cap else {}
        with (
            tempfile.TemporaryDirectory() as folder,
            child(_embedded_child, folder, extra) as server,
        ):
            port, pid = server["port"], server["pid"]
            target = Target(port, "/certification", port)
            workers = embedded_workers(target, port, 30) if cap is None else []
            if workers:
                create_assessor(target)
                warm_up(target, workers[:2])
            time.sleep(1.0)
            before = proc_status(pid)
            opened, refused = open_streams(port, (cap or 64) + 1)
            time.sleep(2.0)  # every stream has sent its first message
            after = proc_status(pid)
            grown = after["VmRSS"] - before["VmRSS"]
            per = grown / len(opened) if opened else 0
            setting = f"cap {cap}" if cap else "default cap (64)"
            status = f"stream {len(opened) + 1} answered {refused}" if refused else "none refused"
            livez = Http(port, "/registry")
            start = time.perf_counter()
            alive = livez.call("GET", "/livez")[0]
            lines.append(
                f"| {setting} | {len(opened)} | {status} | {before['VmRSS'] / 1024:.1f} → "
                f"{after['VmRSS'] / 1024:.1f} MiB (+{per:.0f} KiB a stream) | "
                f"{before['Threads']} → {after['Threads']} | "
                f"{alive}, {(time.perf_counter() - start) * 1000:.1f} ms |"
            )
            if workers:
                reach = fan_out(target, opened, workers[2:22])
                lines.append(
                    f"| (with those {len(opened)} open: a promotion reaches the last of them in "
                    f"p50 {pct(reach, 50) * 1000:.1f} / max {max(reach) * 1000:.1f} ms over "
                    f"{len(reach)} promotions) | | | | | |"
                )
            for connection, _ in opened:
                connection.close()
    return lines


# -- the report ------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def table_head() -> str:
    return (
        "| mode | what | n | p50 ms | p99 ms | max ms | goal (p99) |\n|---|---|---|---|---|---|---|"
    )


def table_row(row: Row) -> str:
    mode, what, values, goal = row
    verdict = ""
    if goal is not None:
        met = pct(values, 99) < goal
        verdict = f"< {goal * 1000:.0f} ms: {'met' if met else 'NOT met'}"
    return (
        f"| {mode} | {what} | {len(values)} | {statistics.median(values) * 1000:.1f} | "
        f"{pct(values, 99) * 1000:.1f} | {max(values) * 1000:.1f} | {verdict} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=300, help="promotions per measurement (300)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed promotions first (10)")
    parser.add_argument(
        "--rate", type=float, default=3.0, help="promotions a second while measuring (3)"
    )
    parser.add_argument(
        "--modes",
        nargs="*",
        choices=("embedded", "kafka"),
        default=["embedded", "kafka"],
        help="which modes to measure (both)",
    )
    parser.add_argument(
        "--kafka-split",
        action="store_true",
        help="also over Kafka with the dashboard's HTTP side and worker in two processes",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "JIANGONG_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="admin URL for the Kafka mode's scratch databases; '' for SQLite files",
    )
    parser.add_argument(
        "--streams-up-to",
        type=int,
        default=1000,
        help="the raised cap the streams are opened up to (1000); 0 skips the streams",
    )
    args = parser.parse_args()
    logging.getLogger("kafka").setLevel(logging.CRITICAL)  # a closing client's socket noise
    runs: list[Callable[[], list[Row]]] = []
    if "embedded" in args.modes:
        runs.append(lambda: run_embedded(args))
    if "kafka" in args.modes:
        runs.append(lambda: run_kafka(args, split=False))
        if args.kafka_split:
            runs.append(lambda: run_kafka(args, split=True))
    if runs:
        print(
            f"{args.count} promotions per measurement, {args.rate:g} a second, after "
            f"{args.warmup} untimed; the load average is printed after each mode.\n"
        )
        print(table_head(), flush=True)
    for measure in runs:  # each mode's rows as soon as they are measured
        rows = measure()
        for row in rows:
            print(table_row(row), flush=True)
        print(f"|  | (load average {os.getloadavg()[0]:.2f}) | | | | | |", flush=True)
    if args.streams_up_to:
        print()
        print(
            "| setting | streams held | refused | server RSS | threads | `/registry/livez` then |"
        )
        print("|---|---|---|---|---|---|", flush=True)
        for line in measure_streams(args):
            print(line, flush=True)


if __name__ == "__main__":
    main()
