"""``GET /api/v1/stream``: the targets and the live boards as server-sent events (public, no
token).

On connect: one ``targets`` message with the year's targets, and a ``boards`` message with the
boards now scoring if there are any, unless the client's ``Last-Event-ID`` is already the read
side's version. Then a ``targets`` message whenever the version moved and the targets changed,
and a ``boards`` message whenever the boards changed, at most one round per ``min_gap``
(coalesced: the newest state is sent, never a queue of old ones), a ``: heartbeat`` comment on
a quiet stream, and the stream's end after ``seconds`` (EventSource reconnects by itself, after
``retry``, sending the last id). Each message's ``id`` is the read side's version the round was
read at (the lower of its two answers', so a client never claims a state it has not been sent).
The answers of a version are computed once per process and shared by every stream waiting on
it (``adapters/snapshots.py``): N streams cost one transaction per change, not N.
See ``README.md`` for the limits.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, current_app, request
from marshmallow import RAISE

from services.dashboard.adapters.snapshots import snapshots_of
from services.dashboard.adapters.version import VersionWatch, watch_of
from services.dashboard.api.schemas import STREAM_EVENT, TargetsQuery
from services.dashboard.api.targets import asked
from services.dashboard.config import DashboardConfig, config_of
from shared.http import Problem
from shared.http.parser import Blueprint
from shared.runtime import engine_of, runtime_of

blp = Blueprint(
    "stream", __name__, description="The targets and the boards, live, as server-sent events."
)

STREAM_DOC = {
    "200": {
        "description": "``targets`` events (data: the answer of ``GET /targets``) and "
        "``boards`` events (data: the answer of ``GET /boards``), ``id``: the read side's "
        "version; heartbeat comments.",
        "content": {"text/event-stream": {"schema": STREAM_EVENT}},
    }
}


@blp.route("/stream")
@blp.arguments(TargetsQuery, location="query", unknown=RAISE)
@blp.doc(responses=STREAM_DOC)
def stream(query: dict[str, Any]) -> Response:
    """The targets of the year (and county) asked, pushed whenever a count moves, and the
    boards of the competitions now scoring, pushed whenever one changes."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    config = config_of(app)
    year, region = asked(query)
    with config.lock:
        if config.open_streams >= config.stream.max_streams:
            raise Problem(
                503,
                "Too many open streams; try again shortly.",
                headers={"Retry-After": str(round(config.stream.retry_ms / 1000) or 1)},
            )
        config.open_streams += 1
    watch = watch_of(engine_of(app), config.stream.poll)
    body = _messages(app, config, watch, year, region, request.headers.get("Last-Event-ID"))
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    response = Response(body, mimetype="text/event-stream", headers=headers)
    response.call_on_close(lambda: _release(config))  # also if the body never started
    return response


def _release(config: DashboardConfig) -> None:
    with config.lock:
        config.open_streams -= 1


def _messages(
    app: Flask,
    config: DashboardConfig,
    watch: VersionWatch,
    year: int,
    region: str | None,
    last_id: str | None,
) -> Iterator[str]:
    limits = config.stream
    snapshots = snapshots_of(app)
    with watch.listening():
        deadline = time.monotonic() + limits.seconds
        yield f"retry: {limits.retry_ms}\n\n"
        version = watch.version
        seen = _known(last_id, version)
        sent_targets: Any = None
        sent_boards: Any = []  # no boards: nothing to say on connect
        sent_at = float("-inf")
        written = time.monotonic()
        while True:
            now = time.monotonic()
            due = version is not None and (seen is None or version > seen)
            if due and now - sent_at >= limits.min_gap:
                snapshot = snapshots.get(app, config, year, region, runtime_of(app).now(), version)
                answer, boards, read_at = snapshot.targets, snapshot.boards, snapshot.version
                seen, sent_at = max(read_at, version or 0), now
                if answer["targets"] != sent_targets:
                    sent_targets, written = answer["targets"], now
                    yield _message("targets", answer, read_at)
                if boards["boards"] != sent_boards:
                    sent_boards, written = boards["boards"], now
                    yield _message("boards", boards, read_at)
                continue
            if now >= deadline:
                return
            if now - written >= limits.heartbeat:
                written = now
                yield ": heartbeat\n\n"
            wake = min(deadline, written + limits.heartbeat)
            if due:  # coalesce: wait out the gap, then send the newest state
                wake = min(wake, sent_at + limits.min_gap)
            version = watch.wait(version, max(wake - now, 0.0))


def _known(last_id: str | None, version: int | None) -> int | None:
    """The version a reconnecting client last had; None if it is not one of this read side's
    (unreadable, or above the current version: another database's)."""
    try:
        known = int(last_id) if last_id is not None else None
    except ValueError:
        return None
    if known is None or version is None or known > version:
        return None
    return known


def _message(event: str, answer: dict[str, Any], version: int) -> str:
    data = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    return f"id: {version}\nevent: {event}\ndata: {data}\n\n"
