"""The embedded platform's HTTP edge: requests a second and latency, as ``jiangong up`` serves.

    python benchmarks/http_edge.py [--duration 10] [--connections 8] [--threads 32]
                              [--seed-workers 1000] [--no-access-log] [--server werkzeug]

The server runs in a child process, built as ``jiangong up`` builds it: the four services on
their SQLite files in a scratch data dir, the in-process bus, the relays, consumers and jobs
in background threads, the logging set up by ``configure_logging`` (the access log's line per
request goes to a file, as it would to a pipe or a journal) and ``jiangong.serving``'s waitress
server. A child process, not a thread here, because the client's own Python would otherwise
share the server's interpreter lock and be measured as the server's cost; as deployed, the
clients are elsewhere.

The baseline is a bare Flask route (``GET /bench/bare``: no token, no database, no hooks) of a
tiny app of its own, mounted beside the services in the platform's dispatcher: the same
server, threads, access log and dispatching as every service request, in the same run. So its
share isolates what a service adds to a request (request ids, the token, schemas, SQL).

Each row runs ``--duration`` seconds with ``--connections`` keep-alive connections, each in a
thread sending its next request when the last is answered (closed loop; the client writes
prepared bytes on a socket and reads the answer by its ``Content-Length``, so its cost stays
small): the bare route, ``/registry/livez``, ``/registry/api/v1/stats`` (every union count, by
county), the first page of ``/registry/api/v1/enterprises``, and a write, ``POST
/registry/api/v1/enterprises/{id}/workers`` (a new valid ID number each: checked, encrypted,
hashed, an outbox event, one commit; then three other services apply the event in the same
process). Then the same write paced at half the rate it just reached (open loop: each request
has a time it is due and its latency counts from then, so a client held up by a slow answer
does not hide the wait). ``--seed-workers`` workers (over 30 enterprises) are registered
first, so that the counts and the listing have something to read, and before each row the
platform is let settle (no outbox waiting, no consumer moving, read from each ``/metrics``).

Each row also gives the server process's CPU time per request (all its threads, from
``/proc``). A write's is counted until the platform has settled after it, so it holds what its
event costs the relay and the three consuming services as well as the request: the interpreter
lock lets the process spend about one core on Python, so that figure bounds the write's rate.

Goals: reads at ≥ 0.45 × and the write at ≥ 0.18 × the bare route's rate; the write's p99 at
half its saturation rate ≤ 25 ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from typing import Any  # noqa: E402

from jiangong.serving import THREADS  # noqa: E402

SPAWN = multiprocessing.get_context("spawn")
SECRET = "a-benchmark-secret-long-enough-for-hs256-signing"
OCCUPATION = "6-18-01-01"
COUNTIES = ("330402", "330411", "330421", "330424", "330481", "330482", "330483")
READ_SHARE, WRITE_SHARE, WRITE_P99_MS = 0.45, 0.18, 25.0
READS = (
    ("`/registry/livez`", "/registry/livez"),
    ("`/registry/api/v1/stats`", "/registry/api/v1/stats"),
    ("`/registry/api/v1/enterprises`, first page", "/registry/api/v1/enterprises"),
)


# -- the server, in a child process ----------------------------------------------------------


def _bare_app() -> Any:
    from flask import Flask, jsonify

    app = Flask("bench")
    app.add_url_rule("/bare", "bare", lambda: jsonify({"ok": True}))
    return app


def _server_child(
    folder: str,
    server_kind: str,
    threads: int,
    access_log: bool,
    ready: Any,
    stop: Any,
) -> None:
    sys.stderr = open(Path(folder) / "server.log", "w", buffering=1)  # noqa: SIM115 - the log
    from jiangong.platform import EmbeddedPlatform
    from jiangong.serving import HttpServer, keep_start_up_heap
    from shared.logs import AccessLog, configure_logging
    from shared.settings import Settings

    settings = Settings.from_env({"JIANGONG_DATA_DIR": folder, "JIANGONG_SECRET": SECRET})
    configure_logging(settings.log_level, settings.log_format)
    listening = socket.create_server(("127.0.0.1", 0), backlog=128)
    platform = EmbeddedPlatform(settings)
    platform.start()
    platform.wsgi.mounts["/bench"] = _bare_app()
    app = AccessLog(platform.wsgi) if access_log else platform.wsgi
    if server_kind == "werkzeug":
        _werkzeug(app, listening, ready, stop)
    else:
        server = HttpServer(app, listening, threads=threads)
        keep_start_up_heap()  # as `jiangong up` does before it serves
        threading.Thread(target=lambda: (stop.wait(), server.stop()), daemon=True).start()
        ready.put(server.port)
        server.serve()
        server.close()
    platform.stop()


def _werkzeug(app: Any, listening: socket.socket, ready: Any, stop: Any) -> None:
    """Werkzeug's development server, threaded, as a comparison (HTTP/1.0 by default, so a
    connection per request, whatever the client keeps)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *_: object) -> None:
            pass

    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=Quiet, fd=listening.fileno()
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.put(listening.getsockname()[1])
    stop.wait()
    server.shutdown()


class ServerClock:
    """The server process's CPU time, user and system, all its threads together (Linux's
    ``/proc``; elsewhere there is none and the column stays empty)."""

    TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, pid: int | None):
        self.stat = Path(f"/proc/{pid}/stat")

    def seconds(self) -> float | None:
        try:  # the fields after the name's closing parenthesis: state is the first, utime 12th
            fields = self.stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self.TICKS


@contextmanager
def served(folder: str, args: argparse.Namespace) -> Iterator[tuple[int, ServerClock]]:
    ready, stop = SPAWN.Queue(), SPAWN.Event()
    process = SPAWN.Process(
        target=_server_child,
        args=(folder, args.server, args.threads, args.access_log, ready, stop),
        daemon=True,
    )
    process.start()
    try:
        yield ready.get(timeout=120), ServerClock(process.pid)
    finally:
        stop.set()
        process.join(timeout=60)
        if process.is_alive():
            process.terminate()


# -- the client ------------------------------------------------------------------------------


class Failed(Exception):
    pass


class Connection:
    """One keep-alive connection, reading each answer by its ``Content-Length``; made again
    when the server closes it after an answer (HTTP/1.0, ``Connection: close``)."""

    def __init__(self, port: int):
        self.port = port
        self.socket: socket.socket | None = None
        self.buffer = b""

    def send(self, request: bytes) -> tuple[int, bytes]:
        if self.socket is None:
            self.socket = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head.split(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (x.partition(b":") for x in lines)}
        if b"content-length" not in fields:
            raise Failed(f"an answer without Content-Length: {head[:200]!r}")
        length = int(fields[b"content-length"])
        while len(self.buffer) < length:
            self._more()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        closing = fields.get(b"connection", b"").lower() == b"close"
        if closing or status_line.startswith(b"HTTP/1.0"):
            self.close()
        return status, body

    def _more(self) -> None:
        assert self.socket is not None
        chunk = self.socket.recv(65536)
        if not chunk:
            raise Failed("the server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()
            self.socket, self.buffer = None, b""


def request(method: str, path: str, headers: dict[str, str], body: Any = None) -> bytes:
    payload = b"" if body is None else json.dumps(body).encode()
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def bearer(role: str = "admin", scope: str | None = None) -> dict[str, str]:
    from shared.auth import issue_token

    return {"Authorization": f"Bearer {issue_token(SECRET, role, scope)}"}


@dataclass
class Load:
    """What the connections sent: latencies (s), failures, and how long it took."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float | None = None
    """The server's CPU time for these requests, and for whatever they set going in it."""

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_request(self) -> float | None:
        if self.cpu_seconds is None or not self.latencies:
            return None
        return self.cpu_seconds / len(self.latencies)

    def percentile(self, p: float) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=1000, method="inclusive")[round(p * 10) - 1]


Sender = Callable[[Connection], tuple[float, int, bytes] | None]
"""Sends one request on a connection: (latency, status, body), or None when there are no more."""


def on_connections(port: int, connections: int, expect: int, send: Sender) -> Load:
    """``connections`` threads, each with its connection, calling ``send`` until it says no."""
    load, lock = Load(), threading.Lock()

    def run() -> None:
        connection, mine, failed = Connection(port), [], []
        try:
            while (sent := send(connection)) is not None:
                latency, status, body = sent
                mine.append(latency)
                if status != expect:
                    failed.append(f"{status} {body[:200]!r}")
        finally:
            connection.close()
            with lock:
                load.latencies += mine
                load.failures += failed

    start = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - start
    return load


def closed_loop(
    port: int, next_request: Callable[[], bytes], expect: int, connections: int, seconds: float
) -> Load:
    """Each connection sends its next request once the last is answered, for ``seconds``."""
    end = time.perf_counter() + seconds

    def send(connection: Connection) -> tuple[float, int, bytes] | None:
        if (sent := time.perf_counter()) >= end:
            return None
        status, body = connection.send(next_request())
        return time.perf_counter() - sent, status, body

    return on_connections(port, connections, expect, send)


def paced(
    port: int,
    next_request: Callable[[], bytes],
    expect: int,
    connections: int,
    seconds: float,
    rate: float,
) -> Load:
    """Requests due at ``rate`` a second for ``seconds``, each latency counted from when it was
    due (a request that a busy connection sends late is charged its wait)."""
    slots, start = itertools.count(), time.perf_counter() + 0.05
    count = int(rate * seconds)

    def send(connection: Connection) -> tuple[float, int, bytes] | None:
        if (slot := next(slots)) >= count:
            return None
        due = start + slot / rate
        if (wait := due - time.perf_counter()) > 0:
            time.sleep(wait)
        status, body = connection.send(next_request())
        return time.perf_counter() - due, status, body

    return on_connections(port, connections, expect, send)


def counted(
    port: int, next_request: Callable[[], bytes], expect: int, connections: int, count: int
) -> Load:
    """``count`` requests over the connections, each sent once the last is answered."""
    left = itertools.count()

    def send(connection: Connection) -> tuple[float, int, bytes] | None:
        if next(left) >= count:
            return None
        sent = time.perf_counter()
        status, body = connection.send(next_request())
        return time.perf_counter() - sent, status, body

    return on_connections(port, connections, expect, send)


# -- what is sent ----------------------------------------------------------------------------


class Registry:
    """Enterprises and an endless supply of new workers with valid, unique ID numbers."""

    def __init__(self, port: int):
        self.port = port
        self.admin = bearer("admin")
        self.enterprises: list[str] = []
        self.serial = itertools.count()

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        connection = Connection(self.port)
        try:
            status, answer = connection.send(request(method, path, self.admin, body))
        finally:
            connection.close()
        if status != expect:
            raise SystemExit(f"{method} {path}: {status} {answer[:300]!r}")
        return json.loads(answer)

    def add_enterprises(self, count: int) -> None:
        from shared.identifiers import make_uscc

        for n in range(count):
            county = COUNTIES[n % len(COUNTIES)]
            body = {
                "uscc": make_uscc(f"91{county}MA{n:07d}"),
                "name": f"嘉兴基准{n:03d}制造有限公司",
                "region_code": county,
                "has_union": n % 3 != 0,
                "above_designated_size": True,
                "ownership": "non_public",
                "employee_count": 200,
                **({"union_founded_on": "2016-05-01"} if n % 3 != 0 else {}),
            }
            created = self.call("POST", "/registry/api/v1/enterprises", body, 201)
            self.enterprises.append(created["id"])

    def new_worker(self) -> bytes:
        from shared.identifiers import FEMALE, MALE, make_id_number

        n = next(self.serial)
        born = date(1975, 1, 1) + timedelta(days=n // 200)
        gender = MALE if (n // 100) % 2 else FEMALE
        member = n % 4 != 0
        body = {
            "id_number": make_id_number(COUNTIES[n % len(COUNTIES)], born, n % 100, gender),
            "name": f"基准工人{n}",
            "occupation_code": OCCUPATION,
            "is_migrant": n % 3 == 0,
            "is_union_member": member,
            "hired_on": "2019-03-01",
            **({"union_joined_on": "2020-06-01"} if member else {}),
        }
        enterprise = self.enterprises[n % len(self.enterprises)]
        path = f"/registry/api/v1/enterprises/{enterprise}/workers"
        return request("POST", path, self.admin, body)


# -- the run ---------------------------------------------------------------------------------

QUIET_FIGURES = (
    "jiangong_outbox_backlog",
    "jiangong_outbox_published",
    "jiangong_consumer_events_applied",
    "jiangong_consumer_events_ignored",
    "jiangong_consumer_duplicates_skipped",
)


def settle(port: int, timeout: float = 300.0) -> None:
    """Wait until no outbox waits and no consumer moved for a second: what a row measures is
    then its own requests, not the catching up of the events an earlier row caused."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        now = []
        for prefix in ("/registry", "/competitions", "/certification", "/dashboard"):
            connection = Connection(port)
            try:
                _, text = connection.send(request("GET", f"{prefix}/metrics", {}))
            finally:
                connection.close()
            now += [line for line in text.decode().splitlines() if line.startswith(QUIET_FIGURES)]
        backlog = any(
            line.startswith("jiangong_outbox_backlog") and float(line.split()[-1]) for line in now
        )
        if now == last and not backlog:
            return
        last = now
        time.sleep(1.0)
    raise SystemExit(f"the platform did not settle within {timeout:.0f} s")


@dataclass
class Row:
    what: str
    load: Load
    goal: str = ""
    met: bool | None = None


def charged(clock: ServerClock, run: Callable[[], Load], settled: int | None = None) -> Load:
    """``run()``, with the server's CPU time it cost; with ``settled`` (the port), up to when
    the platform has settled after it, so that a write is charged the relay's and the
    consumers' work on its event too, even where they finish after the last answer."""
    before = clock.seconds()
    load = run()
    if settled is not None:
        settle(settled)
    after = clock.seconds()
    if before is not None and after is not None:
        load.cpu_seconds = after - before
    return load


def measure(args: argparse.Namespace, port: int, clock: ServerClock) -> list[Row]:
    registry = Registry(port)
    registry.add_enterprises(30)
    connections, seconds = args.connections, args.duration
    seeded = counted(port, registry.new_worker, 201, connections, args.seed_workers)
    if seeded.failures:
        raise SystemExit(f"seeding failed: {seeded.failures[:3]}")

    def read(path: str, headers: dict[str, str]) -> Load:
        settle(port)
        prepared = request("GET", path, headers)
        closed_loop(port, lambda: prepared, 200, connections, args.warmup)
        return charged(
            clock, lambda: closed_loop(port, lambda: prepared, 200, connections, seconds)
        )

    bare = read("/bench/bare", {})
    rows = [Row("bare Flask route (baseline)", bare)]
    for what, path in READS:
        load = read(path, registry.admin)
        rows.append(Row(what, load, f"≥ {READ_SHARE:.2f} ×", load.rate >= READ_SHARE * bare.rate))
    settle(port)
    write = charged(
        clock, lambda: closed_loop(port, registry.new_worker, 201, connections, seconds), port
    )
    met = write.rate >= WRITE_SHARE * bare.rate
    rows.append(Row("`POST …/workers`, saturated", write, f"≥ {WRITE_SHARE:.2f} ×", met))
    half = charged(
        clock,
        lambda: paced(port, registry.new_worker, 201, connections, seconds, write.rate / 2),
        port,
    )
    met = half.percentile(99) * 1000 <= WRITE_P99_MS
    what = f"`POST …/workers` at half that ({write.rate / 2:,.0f}/s, paced)"
    rows.append(Row(what, half, f"p99 ≤ {WRITE_P99_MS:.0f} ms", met))
    return rows


def table(rows: list[Row]) -> str:
    bare = rows[0].load.rate
    lines = [
        "| what | req/s | p50 ms | p99 ms | server CPU ms a request | share of the bare route "
        "| goal | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        load = row.load
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        failures = f" ({len(load.failures)} failed)" if load.failures else ""
        cpu = "" if load.cpu_per_request is None else f"{load.cpu_per_request * 1000:.2f}"
        lines.append(
            f"| {row.what}{failures} | {load.rate:,.0f} | {load.percentile(50) * 1000:.1f} | "
            f"{load.percentile(99) * 1000:.1f} | {cpu} | {load.rate / bare:.0%} | {row.goal} "
            f"| {met} |"
        )
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    described = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        epilog="Goals: reads ≥ 0.45 ×, writes ≥ 0.18 × the bare route's rate; write p99 at half "
        "its saturation rate ≤ 25 ms. See the module's docstring for what each row does.",
    )
    described.add_argument(
        "--duration", type=float, default=10.0, help="seconds each row is measured (10)"
    )
    described.add_argument(
        "--warmup", type=float, default=1.0, help="seconds of load before each read row (1)"
    )
    described.add_argument(
        "--connections", type=int, default=8, help="concurrent keep-alive connections (8)"
    )
    described.add_argument(
        "--threads",
        type=int,
        default=THREADS,
        help=f"the server's threads ({THREADS}, as `jiangong up --threads`)",
    )
    described.add_argument(
        "--seed-workers",
        type=int,
        default=1000,
        help="workers registered before measuring, over 30 enterprises (1000)",
    )
    described.add_argument(
        "--server",
        choices=("waitress", "werkzeug"),
        default="waitress",
        help="waitress as `jiangong up` serves (the default), or werkzeug's development "
        "server, threaded, to compare",
    )
    described.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="serve without the access log's line per request (to see what it costs)",
    )
    return described


def main() -> None:
    args = parser().parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="jiangong-http-") as folder,
        served(folder, args) as (port, clock),
    ):
        rows = measure(args, port, clock)
    load = os.getloadavg()
    print(
        f"{args.server}, {args.connections} connections, {args.duration:g} s a row, "
        f"{args.threads} threads, access log "
        f"{'on' if args.access_log else 'off'}; load average {load[0]:.1f} {load[1]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    print(table(rows))
    for row in rows:
        if row.load.failures:
            print(f"{row.what}: e.g. {row.load.failures[0]}")


if __name__ == "__main__":
    main()
