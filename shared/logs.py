"""Logs: one JSON object a line where a machine reads them, plain text on a terminal, and a
request id that follows a request into every line it logs and every event it causes.

- :func:`configure_logging` sets the root logger up once per process: JSON lines when stderr is
  not a terminal (a file, a pipe, a container's log), text when it is; ``JIANGONG_LOG_FORMAT``
  (``json`` or ``text``) overrides. No colour codes are written: escape sequences are taken
  out of every message in JSON, and the text format adds none.
- The request id comes from the ``X-Request-ID`` header where it is a plain token (letters,
  digits, ``._:-``, at most 64 characters, and no long run of digits, so that an ID number sent
  there is never logged); otherwise one is generated. It is answered in ``X-Request-ID``, put
  on every log line of the request, stored with the outbox rows the request writes (the
  CloudEvents extension attribute ``jiangongrequestid``, a ``ce_jiangongrequestid`` header on
  Kafka), and bound again while a consumer applies such an event, so the lines and the events
  a consumer's handler causes carry it too.
- Log messages never carry personal data: names and ID numbers stay out of every message the
  platform writes (``tests/conftest.py`` fails a test whose logs hold a full ID number), and the
  access log writes the path without its query string.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

from flask import g, request

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_EXTENSION = "jiangongrequestid"
"""The CloudEvents extension attribute (lower-case letters and digits, as the spec requires)."""

_REQUEST_ID: ContextVar[str | None] = ContextVar("jiangong_request_id", default=None)
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_DIGIT_RUN = re.compile(r"\d{15}")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def current_request_id() -> str | None:
    """The id of the request (or of the event being applied) this code runs for, if any."""
    return _REQUEST_ID.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str | None:
    """``value`` if it may be used as a request id as it is, else ``None``."""
    if value and _ACCEPTED.fullmatch(value) and not _DIGIT_RUN.search(value):
        return value
    return None


@contextmanager
def bound_request_id(value: str | None) -> Iterator[None]:
    """Run a block for ``value`` (a consumer applying an event a request caused)."""
    token = _REQUEST_ID.set(value)
    try:
        yield
    finally:
        _REQUEST_ID.reset(token)


def init_request_ids(app: Any) -> None:
    """Give each request of ``app`` its id: taken from ``X-Request-ID`` or generated, bound for
    the request's log lines and events, and answered in ``X-Request-ID``."""

    @app.before_request
    def bind() -> None:
        g.request_id = accepted_request_id(request.headers.get(REQUEST_ID_HEADER))
        g.request_id = g.request_id or new_request_id()
        _REQUEST_ID.set(g.request_id)

    @app.after_request
    def answer(response: Any) -> Any:
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response

    @app.teardown_request
    def unbind(_error: BaseException | None) -> None:
        _REQUEST_ID.set(None)


# -- formats ----------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Puts the current request id on each record (``record.request_id``, or ``None``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``time`` (UTC), ``level``, ``logger``, ``thread``, ``message``,
    ``request_id`` where there is one, and ``exception`` with the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "thread": record.threadName,
            "message": _ANSI.sub("", record.getMessage()),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = _ANSI.sub("", self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``2026-03-05 08:30:00,123 INFO jiangong.http [3f2a…]: GET /registry/livez 200``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request = f" [{request_id}]" if request_id else ""
        return super().format(record)


def wants_json(stream: IO[str], log_format: str = "auto") -> bool:
    if log_format in ("json", "text"):
        return log_format == "json"
    isatty = getattr(stream, "isatty", None)
    return not (callable(isatty) and isatty())


class StderrHandler(logging.StreamHandler[IO[str]]):
    """A stream handler writing to whatever ``sys.stderr`` is when a record is emitted."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


QUIET = ("alembic", "apscheduler", "kafka")
"""Libraries that write a line per migration step, per job run, per broker connection."""


def configure_logging(
    level: str = "INFO", log_format: str = "auto", stream: IO[str] | None = None
) -> logging.Handler:
    """Send every log record of the process to ``stream`` (default: stderr as it is at each
    record), formatted as :func:`wants_json` decides, with the request id; returns the
    handler installed (replacing one an earlier call installed)."""
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else StderrHandler()
    )
    chosen = wants_json(stream or sys.stderr, log_format)
    handler.setFormatter(JsonFormatter() if chosen else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == "jiangong":
            root.removeHandler(existing)
    handler.set_name("jiangong")
    root.addHandler(handler)
    root.setLevel(level.upper())
    for chatty in QUIET:
        logging.getLogger(chatty).setLevel(logging.WARNING)
    return handler


def logging_dict_config(level: str = "INFO", log_format: str = "auto") -> dict[str, Any]:
    """The same set-up as :func:`configure_logging`, as a ``logging.config.dictConfig`` dict:
    what gunicorn is given (``logconfig_dict``), so that its own lines are formatted alike."""
    formatter = "json" if wants_json(sys.stderr, log_format) else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": f"{__name__}.JsonFormatter"},
            "text": {"()": f"{__name__}.TextFormatter"},
        },
        "filters": {"request_id": {"()": f"{__name__}.RequestIdFilter"}},
        "handlers": {
            "stderr": {
                "()": f"{__name__}.StderrHandler",
                "formatter": formatter,
                "filters": ["request_id"],
            }
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
            **{name: {"level": "WARNING"} for name in QUIET},
        },
    }


# -- the access log ---------------------------------------------------------------------------

access_log = logging.getLogger("jiangong.http")

StartResponse = Callable[..., Any]


class AccessLog:
    """WSGI middleware writing one line per request: method, path (never the query string:
    a search may carry a name or an ID number), status and duration, with the request id the
    app answered. Replaces the development server's own request lines (coloured, with the
    query)."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        seen: dict[str, Any] = {}

        def recording(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            seen["status"] = status.split(" ", 1)[0]
            seen["request_id"] = next(
                (v for k, v in headers if k.lower() == REQUEST_ID_HEADER.lower()), None
            )
            return start_response(status, headers, *args)

        try:
            return self.app(environ, recording)
        finally:
            path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            access_log.info(
                "%s %s %s %.0fms",
                environ.get("REQUEST_METHOD", "-"),
                path or "/",
                seen.get("status", "-"),
                (time.perf_counter() - started) * 1000,
                extra={"request_id": seen.get("request_id")},
            )
