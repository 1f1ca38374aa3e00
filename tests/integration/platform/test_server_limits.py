"""The embedded server's limits on one client (``jiangong.server_limits``): a request whose head
or body trickles in is answered 408 and its connection closed, an idle connection is closed, a
head or body over the limits is refused before it is read; each refusal a problem document.
Here with limits of a second, on a server in this process. And ``jiangong up`` raises its
open-file limit, and serves fewer connections where even the raised limit is low."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from jiangong import server_limits
from jiangong.server_limits import MAX_HEAD_BYTES, Limits, within_open_file_limit
from jiangong.serving import HttpServer

LIMITS = Limits(
    head_seconds=1,
    body_grace_seconds=1,
    body_bytes_per_second=100_000,
    idle_seconds=1,
    max_body_bytes=1000,
)


def hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


@pytest.fixture
def port() -> Iterator[int]:
    listening = socket.create_server(("127.0.0.1", 0))
    server = HttpServer(hello, listening, threads=2, limits=LIMITS)
    serving = threading.Thread(target=server.serve, daemon=True)
    serving.start()
    try:
        yield server.port
    finally:
        server.stop()
        serving.join(5)
        server.close()
        listening.close()


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def trickle(connection: socket.socket, first: bytes, every: float = 0.2, times: int = 25) -> None:
    """Send ``first``, then a byte of a header's value every ``every`` s until the server
    answers (or ``times`` bytes went)."""
    connection.sendall(first)
    connection.settimeout(every)
    for _ in range(times):
        try:
            if connection.recv(1, socket.MSG_PEEK):
                break
        except TimeoutError:
            connection.sendall(b"x")
    connection.settimeout(10)


def answer(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """The answer read until the server closes the connection: status, headers, body."""
    raw = b""
    while chunk := connection.recv(65536):
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, body


def assert_problem(reply: tuple[int, dict[str, str], bytes], status: int) -> dict[str, Any]:
    code, headers, body = reply
    assert code == status
    assert headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = json.loads(body)
    assert problem["status"] == status and problem["detail"]
    return problem


def test_a_request_whose_head_trickles_in_is_answered_408_and_closed(port: int) -> None:
    with connect(port) as slow:
        started = time.monotonic()
        trickle(slow, b"GET / HTTP/1.1\r\nHost: here\r\nX-Slow: ")
        problem = assert_problem(answer(slow), 408)
        assert "1 s" in problem["detail"]
        assert time.monotonic() - started < 4  # cut, not left to wait for the trickle's end
    with connect(port) as prompt:  # the server answers others as before
        prompt.sendall(b"GET / HTTP/1.1\r\nHost: here\r\nConnection: close\r\n\r\n")
        assert answer(prompt)[0] == 200


def test_a_body_that_trickles_in_is_answered_408(port: int) -> None:
    with connect(port) as slow:
        trickle(slow, b"POST / HTTP/1.1\r\nHost: here\r\nContent-Length: 900\r\n\r\n")
        assert_problem(answer(slow), 408)


def test_an_idle_connection_is_closed_without_an_answer(port: int) -> None:
    with connect(port) as idle:
        idle.sendall(b"GET / HTTP/1.1\r\nHost: here\r\n\r\n")  # answered, then kept alive
        assert idle.recv(65536).startswith(b"HTTP/1.1 200")
        idle.settimeout(5)
        assert idle.recv(1) == b""  # closed by the server within a couple of seconds


def test_a_body_over_the_upload_limit_is_refused_before_it_is_sent(port: int) -> None:
    with connect(port) as large:
        large.sendall(b"POST / HTTP/1.1\r\nHost: here\r\nContent-Length: 1001\r\n\r\n")
        assert_problem(answer(large), 413)


def test_a_head_over_the_limit_is_refused(port: int) -> None:
    with connect(port) as large:
        start = b"GET / HTTP/1.1\r\nX-Long: "
        large.sendall(start + b"a" * (MAX_HEAD_BYTES - len(start)))  # the head, not yet ended
        assert_problem(answer(large), 431)


class OpenFiles:
    """The process's open-file limit, as ``resource`` reports and sets it."""

    def __init__(self, soft: int, hard: int):
        self.limit = (soft, hard)

    def getrlimit(self, _which: int) -> tuple[int, int]:
        return self.limit

    def setrlimit(self, _which: int, limit: tuple[int, int]) -> None:
        self.limit = limit


def test_up_raises_the_open_file_limit_to_the_hard_one(monkeypatch: pytest.MonkeyPatch) -> None:
    files = OpenFiles(1024, 65536)
    monkeypatch.setattr(server_limits.resource, "getrlimit", files.getrlimit)
    monkeypatch.setattr(server_limits.resource, "setrlimit", files.setrlimit)
    assert within_open_file_limit(Limits()) == Limits()
    assert files.limit == (65536, 65536)


def test_a_low_open_file_limit_lowers_the_connections_served(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = OpenFiles(1024, 1024)
    monkeypatch.setattr(server_limits.resource, "getrlimit", files.getrlimit)
    monkeypatch.setattr(server_limits.resource, "setrlimit", files.setrlimit)
    limits = within_open_file_limit(Limits())
    assert limits.connections == 1024 - server_limits.FILES_KEPT_FOR_THE_PLATFORM
