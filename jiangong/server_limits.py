"""What the embedded server (waitress, in ``jiangong up``) grants one client, so that slow or idle
clients cannot take it offline: waitress alone keeps at most 100 connections and waits for a
request's head as long as a byte arrives now and then, so a hundred clients trickling a byte
every few seconds stopped every request to every service.

- **Connections**: up to :attr:`Limits.connections` at once (the process's open-file limit is
  raised to its hard limit first, and the count kept below it). Past them, a new connection
  waits in the listening queue (:data:`BACKLOG`) until one closes, which the limits below bound.
- **The head** (request line and headers) must arrive whole within
  :attr:`Limits.head_seconds` of its first byte; **the body** within
  :attr:`Limits.body_grace_seconds` more, plus a second for every
  :attr:`Limits.body_bytes_per_second` of it received (so a large upload is cut only when it
  stalls). A request that falls behind is answered ``408`` (a problem document) and its
  connection closed.
- **Idle** connections (kept alive, no request begun) are closed after
  :attr:`Limits.idle_seconds`, without an answer, as HTTP allows.
- waitress's own refusals (a head over :data:`MAX_HEAD_BYTES`: 431; a body over the upload
  limit: 413; a malformed request: 400) are problem documents too, like every other error.

An open stream (the dashboard's) is a request being answered, not received: none of these cut
it.
"""

from __future__ import annotations

import json
import logging
import resource
import time
from dataclasses import dataclass, replace
from typing import Any

from waitress.channel import HTTPChannel  # type: ignore[import-untyped]
from waitress.task import ErrorTask  # type: ignore[import-untyped]
from waitress.utilities import Error  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

CONNECTIONS = 2000
"""Connections served at once, unless the open-file limit allows fewer."""

FILES_KEPT_FOR_THE_PLATFORM = 512
"""Open files left to the rest of the process: each service's SQLite connections (and their
write-ahead logs), the bus's file, the logs."""

BACKLOG = 1024
"""Connections the kernel holds for the server while it is at its limit (or still starting)."""

MAX_HEAD_BYTES = 64 * 1024
"""The longest request head (request line and headers) the server reads: 431 beyond."""


@dataclass(frozen=True)
class Limits:
    """The embedded server's limits on one client and on how many it serves at once."""

    connections: int = CONNECTIONS
    head_seconds: float = 10.0
    body_grace_seconds: float = 30.0
    body_bytes_per_second: int = 16 * 1024
    idle_seconds: int = 30
    max_body_bytes: int = 32 * 1024 * 1024
    """``JIANGONG_MAX_UPLOAD_BYTES``: a longer body is refused (413) before it is read."""

    def waitress_options(self) -> dict[str, Any]:
        return {
            "connection_limit": self.connections,
            "channel_timeout": self.idle_seconds,
            "cleanup_interval": 1,
            "backlog": BACKLOG,
            "max_request_header_size": MAX_HEAD_BYTES,
            "max_request_body_size": self.max_body_bytes + 1,  # waitress refuses at the size
        }


def within_open_file_limit(limits: Limits) -> Limits:
    """Raise the process's soft open-file limit to its hard limit (each connection is a file),
    and keep ``limits.connections`` below what it then allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (OSError, ValueError) as error:
            log.warning("could not raise the open-file limit %d to %d: %s", soft, hard, error)
    allowed = soft - FILES_KEPT_FOR_THE_PLATFORM if soft != resource.RLIM_INFINITY else None
    if allowed is not None and allowed < limits.connections:
        log.warning(
            "the open-file limit (%d) allows %d connections at once, not %d",
            soft,
            max(allowed, 1),
            limits.connections,
        )
        return replace(limits, connections=max(allowed, 1))
    return limits


class RequestTimeout(Error):
    code = 408
    reason = "Request Timeout"


DETAILS = {
    400: "The request is not valid HTTP.",
    408: "The request did not arrive in time: its head must arrive within {head:g} s, and its "
    "body at {rate} KiB/s or faster after {grace:g} s.",
    413: "The request's body is larger than the {size} bytes this server accepts.",
    431: "The request's head (request line and headers) is longer than {head_bytes} bytes.",
}


class ProblemErrorTask(ErrorTask):
    """waitress's refusal of a request (one it could not read, or read in time), as a problem
    document, like every error the platform answers."""

    def execute(self) -> None:
        error = self.request.error
        limits: Limits = self.channel.limits
        detail = DETAILS.get(error.code, "{waitress}").format(
            head=limits.head_seconds,
            rate=limits.body_bytes_per_second // 1024,
            grace=limits.body_grace_seconds,
            size=limits.max_body_bytes,
            head_bytes=MAX_HEAD_BYTES,
            waitress=error.body,
        )
        problem = {"type": "about:blank", "title": error.reason, "status": error.code}
        body = json.dumps({**problem, "detail": detail}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/problem+json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class GuardedChannel(HTTPChannel):
    """A connection that knows since when its current request has been arriving, so that the
    server can answer one that falls behind :class:`Limits` with a 408."""

    error_task_class = ProblemErrorTask
    limits = Limits()
    request: Any = None  # waitress's: the request being received
    receiving_since: float | None = None

    def received(self, data: bytes) -> bool:
        before = self.request
        taken: bool = super().received(data)
        if self.request is None:
            self.receiving_since = None
        elif self.request is not before:
            self.receiving_since = time.monotonic()
        return taken

    def overdue(self, now: float) -> bool:
        """Is the request being received behind its limits? (Not one waiting for the answer
        to an earlier request on this connection: this one is not read meanwhile.)"""
        request, since = self.request, self.receiving_since
        if request is None or since is None or self.requests or self.will_close:
            return False
        elapsed = now - since
        if not request.headers_finished:
            return elapsed > self.limits.head_seconds
        late = elapsed - self.limits.head_seconds - self.limits.body_grace_seconds
        return late > 0 and request.body_bytes_received < late * self.limits.body_bytes_per_second

    def time_out(self) -> None:
        """Answer the request being received with a 408 and close the connection after it
        (from the server's loop: the answer is written by a thread of the pool)."""
        with self.requests_lock:
            request = self.request
            if request is None:
                return
            if not request.headers_finished:
                request.parse_header(b"GET / HTTP/1.0\r\n")  # what an error answer needs
            request.error = RequestTimeout("too slow")
            request.completed = True
            self.request, self.receiving_since = None, None
            self.requests.append(request)
            self.server.add_task(self)


def cut_overdue_requests(connections: dict[int, Any], now: float) -> int:
    """Answer every request in ``connections`` that fell behind its limits; how many."""
    late = [
        channel
        for channel in list(connections.values())
        if isinstance(channel, GuardedChannel) and channel.overdue(now)
    ]
    for channel in late:
        channel.time_out()
    if late:
        log.info("%d request(s) arrived too slowly: answered 408, connection closed", len(late))
    return len(late)
