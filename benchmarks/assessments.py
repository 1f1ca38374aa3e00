"""Assessments per second through the certification API, beside a bare Flask route served by the
same server in the same run.

    python benchmarks/assessments.py [--requests 1000] [--clients 1] [--transport http]

The certification app runs on SQLite in a temporary directory (or ``--database-url``), served
in-process by werkzeug's threaded server over HTTP/1.1 keep-alive (``--transport http``, the
default) or called through Flask's test client (``--transport test-client``). Workers are
announced first through the service's consumer, as the registry's events would announce them.
Then, each timed separately:

* baseline: ``POST /bench/bare``, a bare Flask route added to the same app: it reads the JSON
  body and answers a small JSON object (no token, no schema, no database);
* fail: ``POST /api/v1/assessments`` with scores below 60: the token, the schema, the
  authorisation looked up, the worker replica read (and locked on PostgreSQL), the row and one
  validated outbox event, one commit;
* pass: the same at level 5 for a worker holding nothing: also the promotion rules read, the
  ledger's line, the certificate with its serial counter, two more events.

Each worker is assessed once, so every pass really promotes. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask, jsonify, request  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from services.certification.adapters.orm import db  # noqa: E402
from services.certification.service import SERVICE  # noqa: E402
from shared.app import create_app  # noqa: E402
from shared.auth import issue_token  # noqa: E402
from shared.clock import today_in_shanghai  # noqa: E402
from shared.events import new_event, topic_of  # noqa: E402
from shared.inbox import Consumer, Delivery  # noqa: E402
from shared.runtime import engine_of, migrate, runtime_of  # noqa: E402
from shared.settings import Settings  # noqa: E402

OCCUPATION = "6-18-01-01"
Send = Callable[[str, dict[str, Any], dict[str, str]], int]


def announce_workers(app: Flask, count: int) -> list[str]:
    """``count`` workers through the consumer, as ``worker.registered`` events."""
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
            "enterprise_id": f"ent-{offset % 50}",
            "name": "张小强",
            "id_number_masked": "330402********123X",
            "region_code": "330402",
            "occupation_code": OCCUPATION,
            "is_migrant": offset % 3 == 0,
            "hired_on": "2015-03-01",
            "active": True,
        }
        event = new_event("registry", "jiangong.worker.registered.v1", worker_id, data)
        deliveries.append(Delivery(topic_of("registry"), 0, offset + 1, event=event))
        ids.append(worker_id)
    for start in range(0, len(deliveries), 500):
        assert consumer.handle(deliveries[start : start + 500]) == []
    return ids


def add_bare_route(app: Flask) -> None:
    def bare() -> Any:
        body = request.get_json()
        return jsonify({"ok": True, "received": len(body)}), 201

    app.add_url_rule("/bench/bare", "bench_bare", bare, methods=["POST"])


@contextmanager
def http_sender(app: Flask) -> Iterator[Callable[[], Send]]:
    """Serve ``app`` with werkzeug in a thread; each client gets a keep-alive connection."""
    WSGIRequestHandler.protocol_version = "HTTP/1.1"  # keep-alive, as a real client would
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def new_client() -> Send:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port)

        def send(path: str, body: dict[str, Any], headers: dict[str, str]) -> int:
            payload = json.dumps(body).encode()
            connection.request(
                "POST", path, payload, {**headers, "Content-Type": "application/json"}
            )
            answer = connection.getresponse()
            answer.read()
            return answer.status

        return send

    try:
        yield new_client
    finally:
        server.shutdown()


@contextmanager
def test_client_sender(app: Flask) -> Iterator[Callable[[], Send]]:
    def new_client() -> Send:
        client = app.test_client()

        def send(path: str, body: dict[str, Any], headers: dict[str, str]) -> int:
            return client.post(path, json=body, headers=headers).status_code

        return send

    yield new_client


def run(
    new_client: Callable[[], Send],
    calls: list[tuple[str, dict[str, Any], dict[str, str]]],
    clients: int,
    expected: int,
) -> tuple[float, list[float]]:
    """Send ``calls`` split over ``clients`` threads; returns (seconds, per-request latencies)."""
    shares = [calls[i::clients] for i in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    barrier = threading.Barrier(clients + 1)

    def client_loop(index: int) -> None:
        send = new_client()
        barrier.wait()
        for path, body, headers in shares[index]:
            start = time.perf_counter()
            status = send(path, body, headers)
            latencies[index].append(time.perf_counter() - start)
            if status != expected:
                failures.append(f"{path}: {status}")

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[:3]}")
    return seconds, [latency for share in latencies for latency in share]


def assessment(worker_id: str, today: str, passing: bool) -> dict[str, Any]:
    return {
        "worker_id": worker_id,
        "occupation_code": OCCUPATION,
        "level": 5,
        "theory_score": 82 if passing else 41,
        "practical_score": 88,
        "review_passed": None,
        "assessed_on": today,
    }


def measure(args: argparse.Namespace, folder: Path) -> list[tuple[str, int, float, list[float]]]:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(folder)})
    url = args.database_url or f"sqlite:///{folder / 'certification.db'}"
    app = create_app(SERVICE, settings, {"DATABASE_URL": url})
    migrate(app)
    add_bare_route(app)
    count = args.requests
    workers = announce_workers(app, 2 * count + 2 * args.warmup)
    admin = {"Authorization": f"Bearer {issue_token(settings.secret, 'admin')}"}
    today = today_in_shanghai().isoformat()
    authorisation = {"occupation_code": OCCUPATION, "levels": [5], "valid_from": today}
    with app.test_client() as client:
        body = {"name": "基准评价员", "authorisations": [authorisation]}
        assessor = client.post("/api/v1/assessors", json=body, headers=admin).json["id"]
    token = {"Authorization": f"Bearer {issue_token(settings.secret, 'assessor', assessor)}"}
    bare = [("/bench/bare", assessment(w, today, True), {}) for w in workers[:count]]
    pool = iter(workers)

    def assessments(n: int, passing: bool) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
        return [
            ("/api/v1/assessments", assessment(next(pool), today, passing), token) for _ in range(n)
        ]

    sender = http_sender if args.transport == "http" else test_client_sender
    results = []
    try:
        with sender(app) as new_client:
            run(new_client, bare[: args.warmup], 1, 201)
            run(new_client, assessments(args.warmup, False), 1, 201)
            run(new_client, assessments(args.warmup, True), 1, 201)
            for label, calls in (
                ("bare Flask route (baseline)", bare),
                ("assessment, fail (recorded)", assessments(count, False)),
                ("assessment, pass (promotion + certificate)", assessments(count, True)),
            ):
                seconds, latencies = run(new_client, calls, args.clients, 201)
                results.append((label, len(calls), seconds, latencies))
    finally:
        with app.app_context():
            db.engine.dispose()
    return results


def table(results: list[tuple[str, int, float, list[float]]], args: argparse.Namespace) -> str:
    floor = results[0][1] / results[0][2]
    lines = [
        f"transport: {args.transport}, clients: {args.clients}, "
        f"database: {'given URL' if args.database_url else 'SQLite (temp file)'}",
        "",
        "| what | requests | s | req/s | p50 ms | p95 ms | share of baseline |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, count, seconds, latencies in results:
        rate = count / seconds
        ordered = sorted(latencies)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        lines.append(
            f"| {label} | {count:,} | {seconds:.2f} | {rate:,.0f} | "
            f"{statistics.median(ordered) * 1000:.2f} | {p95 * 1000:.2f} | {rate / floor:.1%} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000, help="per measurement (1000)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests first (30)")
    parser.add_argument("--clients", type=int, default=1, help="concurrent clients (1)")
    parser.add_argument(
        "--transport",
        choices=("http", "test-client"),
        default="http",
        help="werkzeug server over HTTP/1.1 keep-alive (default), or Flask's test client",
    )
    parser.add_argument(
        "--database-url",
        help="instead of SQLite in a temp dir, e.g. a scratch PostgreSQL database",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(table(measure(args, Path(folder)), args))


if __name__ == "__main__":
    main()
