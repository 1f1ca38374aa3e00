"""The HTTP server of the embedded platform (``jiangong up``): waitress, in the process that runs
the relays, consumers and scheduled jobs, on a socket bound before any of them started.

- Requests are answered by a pool of ``threads``. A dashboard stream holds one for as long as
  it is open (``JIANGONG_DASHBOARD_STREAM_SECONDS``), so the pool is sized for a few open
  streams beside the API's requests (:data:`THREADS`).
- Each chunk an app yields goes to the socket as it comes, from the thread that yields it:
  waitress 3 gathers no small writes (its deprecated ``send_bytes`` is 1), which is what a
  server-sent event needs. Connections are kept alive between requests.
- :meth:`HttpServer.stop` may be called from a signal handler. :meth:`HttpServer.serve` then
  returns, and :meth:`HttpServer.close` stops taking connections, lets the requests being
  handled finish and their answers leave (for up to ``grace`` seconds), and closes every
  connection. A stream's handler has returned long before (what runs is its body, sent a
  message at a time), so an open stream does not hold the stop up: it is cut, and its thread
  ends at its next write.
- Slow and idle clients are held to :class:`~jiangong.server_limits.Limits`: how many
  connections at once, how long a request's head and body may take, how long a connection may
  rest (:mod:`jiangong.server_limits`).
"""

from __future__ import annotations

import gc
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from waitress.channel import HTTPChannel  # type: ignore[import-untyped]
from waitress.server import create_server  # type: ignore[import-untyped]
from waitress.wasyncore import loop  # type: ignore[import-untyped]
from werkzeug.middleware.proxy_fix import ProxyFix

from jiangong.server_limits import GuardedChannel, Limits, cut_overdue_requests

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

THREADS = 32
"""Requests answered at once; an open dashboard stream takes one of them while it lasts."""

GRACE_SECONDS = 5.0
"""How long :meth:`HttpServer.close` lets the requests in progress finish."""

TICK_SECONDS = 1.0
"""The longest the server's loop sleeps between two looks at its connections."""

DEFAULT_LIMITS = Limits()
"""What :class:`HttpServer` grants clients unless told otherwise (``jiangong up`` sizes them)."""

SWEEP_SECONDS = 0.5
"""How often the server looks for requests that fell behind their limits."""


def keep_start_up_heap() -> None:
    """Take what start-up built (modules, the apps, their mappers, schemas and compiled
    statements) out of the cyclic garbage collector's rounds: it lives as long as the process,
    and every full collection walked all of it while every thread waited. Measured embedded
    under the write's load: full collections paused the process 13 → 143 ms as its heap grew
    (one landing in a paced run is its p99), 2–3 ms after this. Call it once the process has
    started, before it serves (``gc.freeze``: what is made later is collected as before)."""
    gc.freeze()


def trusting_proxies(app: WsgiApp, proxies: int) -> WsgiApp:
    """``app`` as seen through ``proxies`` reverse proxies (``JIANGONG_TRUSTED_PROXIES``): the
    client's address, the scheme, host, port and path prefix are taken from the last
    ``proxies`` values of their ``X-Forwarded-*`` headers, which those proxies set. Then a
    certificate's QR code carries the public ``https://`` address, and ``/metrics`` tells a
    client that came through the proxy from the proxy itself on loopback. With 0 the headers are
    not read at all: anyone could send them. Wraps the whole server's app (a prefix replaces
    ``SCRIPT_NAME``, where the embedded platform mounts each service)."""
    if proxies <= 0:
        return app
    fixed: WsgiApp = ProxyFix(
        app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies, x_prefix=proxies
    )
    return fixed


class HttpServer:
    """waitress answering ``app`` on ``listening`` (a bound, listening TCP socket) with
    ``threads`` threads, within ``limits``, until :meth:`stop`."""

    def __init__(
        self,
        app: WsgiApp,
        listening: socket.socket,
        threads: int = THREADS,
        grace: float = GRACE_SECONDS,
        limits: Limits | None = None,
    ):
        if threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        limits = limits or DEFAULT_LIMITS
        self._connections: dict[int, Any] = {}
        self._handling = Handling(app)
        self._server = create_server(
            self._handling,
            map=self._connections,
            sockets=[listening],
            threads=threads,
            asyncore_loop_timeout=TICK_SECONDS,
            asyncore_use_poll=True,  # select() refuses descriptors past 1023
            **limits.waitress_options(),
        )
        self._server.channel_class = type("Channel", (GuardedChannel,), {"limits": limits})
        self._swept = time.monotonic()
        self._stopping = threading.Event()
        self._closed = False
        self.grace = grace
        self._threads_ready()

    def _threads_ready(self, timeout: float = 1.0) -> None:
        """Wait for the threads to be idle, so that the connections already queued are not
        taken for a lack of threads (waitress warns of a queue)."""
        dispatcher = self._server.task_dispatcher
        deadline = time.monotonic() + timeout
        while dispatcher.active_count and time.monotonic() < deadline:
            time.sleep(0.005)

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def serve(self) -> None:
        """Answer requests in this thread until :meth:`stop` is called."""
        while not self._stopping.is_set():
            loop(SWEEP_SECONDS, use_poll=True, map=self._connections, count=1)
            now = time.monotonic()
            if now - self._swept >= SWEEP_SECONDS:
                self._swept = now
                cut_overdue_requests(self._connections, now)

    def stop(self) -> None:
        """Make :meth:`serve` return (at once: the loop is woken). Safe in a signal handler."""
        self._stopping.set()
        if not self._closed:
            self._server.pull_trigger()

    def close(self) -> None:
        """Take no more connections, let the requests being handled finish (up to ``grace``)
        and their answers leave, then close every connection and let the threads go."""
        if self._closed:
            return
        self._stopping.set()
        server = self._server
        server.accepting = False  # new connections wait in the queue, refused when it closes
        deadline = time.monotonic() + self.grace
        while self._handling.running and time.monotonic() < deadline:
            loop(0.05, use_poll=True, map=self._connections, count=1)
        settled = time.monotonic() + 0.05  # the last handlers' bodies are written and leave
        while time.monotonic() < settled or (self._unsent() and time.monotonic() < deadline):
            loop(0.01, use_poll=True, map=self._connections, count=1)
        self._closed = True
        for channel in list(self._connections.values()):
            if isinstance(channel, HTTPChannel):
                channel.handle_close()  # a stream's next write finds it closed, and ends
        server.close()  # the listening socket and the loop's wake-up pipe
        self._connections.clear()
        server.task_dispatcher.set_thread_count(0)  # each thread ends after its request

    def _unsent(self) -> bool:
        return any(
            isinstance(channel, HTTPChannel) and channel.total_outbufs_len
            for channel in list(self._connections.values())
        )


class Handling:
    """``app``, counting the requests whose handler runs. What a handler returns is sent
    afterwards, outside the count: a stream's messages are written long after its handler
    returned."""

    def __init__(self, app: WsgiApp):
        self.app = app
        self.running = 0
        self._lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        with self._lock:
            self.running += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self.running -= 1


def stop_on_signals(server: HttpServer) -> None:
    """SIGINT (Ctrl-C) and SIGTERM make ``server.serve()`` return."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: server.stop())
