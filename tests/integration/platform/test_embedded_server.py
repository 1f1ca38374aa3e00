"""``jiangong up`` serves with waitress: its answers say so, a dashboard stream's messages reach
the client as they are written while other requests are answered beside it, streams never
take every thread, slow clients by the hundred leave it answering everyone else, and Ctrl-C stops
it cleanly with a stream still open."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jiangong.cli import MAX_STREAMS, streams_within
from shared.settings import Settings
from tests.support.broker import free_port
from tests.support.polling import wait_until


@pytest.fixture
def up(tmp_path: Path) -> Iterator[int]:
    """``jiangong up`` with three threads, on a free port; its port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jiangong.cli", "up", "--port", str(port), "--threads", "3"],
        env={
            **os.environ,
            "JIANGONG_DATA_DIR": str(tmp_path),
            "JIANGONG_DASHBOARD_HEARTBEAT_SECONDS": "1",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(lambda: _status(port, "/registry/livez") == 200, timeout=60, every=0.2)
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "Stopped." in output


def _status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return 0
    finally:
        connection.close()


def _stream(port: int) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/api/v1/stream", headers={"Accept": "text/event-stream"})
    answer = connection.getresponse()
    assert answer.status == 200
    assert answer.getheader("Content-Type", "").startswith("text/event-stream")
    return connection, answer


def _next_message(answer: http.client.HTTPResponse) -> list[str]:
    """The lines of the stream's next message (or comment), up to its blank line."""
    lines: list[str] = []
    while True:
        line = answer.readline().decode()
        assert line, f"the stream ended after {lines}"
        if line == "\n":
            return lines
        lines.append(line.rstrip("\n"))


def test_up_answers_through_waitress(up: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", up, timeout=30)
    connection.request("GET", "/registry/livez")
    answer = connection.getresponse()
    assert answer.status == 200 and answer.read()
    assert answer.getheader("Server") == "waitress"
    connection.request("GET", "/registry/readyz")  # the same connection, kept alive
    assert connection.getresponse().status == 200
    connection.close()


def test_open_streams_deliver_their_messages_while_other_requests_are_answered(up: int) -> None:
    streams = [_stream(up), _stream(up)]  # two of the three threads held
    for _, answer in streams:
        assert _next_message(answer)[0].startswith("retry: ")
        targets = _next_message(answer)
        assert "event: targets" in targets and targets[-1].startswith("data: {")
    assert _status(up, "/api/v1/targets") == 200  # on the third thread
    assert _status(up, "/registry/api/openapi.json") == 200
    for _, answer in streams:
        assert _next_message(answer) == [": heartbeat"]  # still live
    for connection, _ in streams[:1]:
        connection.close()
    # the other stays open: Ctrl-C (the fixture) cuts it and stops cleanly all the same


def test_streams_beyond_three_quarters_of_the_threads_are_refused_and_the_api_answers(
    up: int,
) -> None:
    held = [_stream(up), _stream(up)]  # three threads: streams may hold two of them
    connection = http.client.HTTPConnection("127.0.0.1", up, timeout=30)
    connection.request("GET", "/api/v1/stream", headers={"Accept": "text/event-stream"})
    refused = connection.getresponse()
    assert refused.status == 503
    assert refused.getheader("Content-Type", "").startswith("application/problem+json")
    refused.read()
    connection.close()
    assert _status(up, "/api/v1/targets") == 200  # answered, not held up
    for opened, _ in held:
        opened.close()


def test_the_stream_limit_follows_the_threads_unless_it_is_set(tmp_path: Path) -> None:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)})
    assert streams_within(settings, 32).extra[MAX_STREAMS] == "24"
    assert streams_within(settings, 3).extra[MAX_STREAMS] == "2"
    assert streams_within(settings, 1).extra[MAX_STREAMS] == "1"
    chosen = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path), MAX_STREAMS: "40"})
    assert streams_within(chosen, 32).extra[MAX_STREAMS] == "40"


SLOW_CLIENTS = 500


def _slow_clients(port: int, count: int) -> list[socket.socket]:
    """``count`` connections, each having sent the start of a request's head."""
    clients = []
    for _ in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        client.sendall(b"GET /registry/livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        client.setblocking(False)
        clients.append(client)
    return clients


def _trickle(clients: list[socket.socket], stop: threading.Event, every: float = 5.0) -> None:
    """One more byte from each client every ``every`` seconds, spread over the interval."""
    batch = max(1, len(clients) // int(every / 0.1))
    turn = 0
    while not stop.wait(0.1):
        for client in clients[turn : turn + batch]:
            client.send(b"x")
        turn = (turn + batch) % len(clients)


def _still_waiting(client: socket.socket) -> bool:
    """Neither answered nor closed by the server."""
    try:
        client.recv(1)  # an answer's first byte, or b"" once closed
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def test_hundreds_of_slow_clients_leave_every_other_client_answered(up: int) -> None:
    clients = _slow_clients(up, SLOW_CLIENTS)
    stop = threading.Event()
    trickling = threading.Thread(target=_trickle, args=(clients, stop), daemon=True)
    trickling.start()
    try:
        took = []
        for path in ["/registry/livez", "/api/v1/targets"] * 50:
            started = time.monotonic()
            assert _status(up, path) == 200, f"{path} unanswered within 5 s, after {len(took)}"
            took.append(time.monotonic() - started)
        assert all(_still_waiting(client) for client in clients), "the slow clients are held"
    finally:
        stop.set()
        trickling.join(5)
        for client in clients:
            client.close()
    took.sort()
    p50, p99 = took[49] * 1000, took[98] * 1000
    print(f"\n{SLOW_CLIENTS} slow clients: others answered in p50 {p50:.1f} ms, p99 {p99:.1f} ms")
