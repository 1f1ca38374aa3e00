"""Log lines: JSON off a terminal, text on one, the request id on each, no colour codes."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest

from shared.logs import (
    AccessLog,
    JsonFormatter,
    TextFormatter,
    accepted_request_id,
    bound_request_id,
    configure_logging,
    current_request_id,
    logging_dict_config,
    wants_json,
)
from shared.settings import ConfigurationError, Settings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_a_file_or_a_pipe_gets_one_json_object_a_line(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    with bound_request_id("req-1"):
        logging.getLogger("jiangong.test").info("relayed %d events", 3)
    logging.getLogger("jiangong.test").warning("\x1b[31mred\x1b[0m and plain")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "relayed 3 events"
    assert (first["level"], first["logger"], first["request_id"]) == (
        "INFO",
        "jiangong.test",
        "req-1",
    )
    assert first["time"].endswith("+00:00")
    assert "request_id" not in second
    assert second["message"] == "red and plain"
    assert "\x1b" not in stream.getvalue()


def test_a_terminal_gets_plain_text_with_the_request_id(restore_root: None) -> None:
    stream = Terminal()
    configure_logging("INFO", stream=stream)
    with bound_request_id("abc"):
        logging.getLogger("jiangong.test").info("hello")
    line = stream.getvalue().strip()
    assert line.endswith("INFO jiangong.test [abc]: hello")
    with pytest.raises(ValueError):
        json.loads(line)


def test_the_format_can_be_chosen(restore_root: None) -> None:
    assert wants_json(Terminal(), "json") and not wants_json(io.StringIO(), "text")
    assert wants_json(io.StringIO(), "auto") and not wants_json(Terminal(), "auto")
    assert (
        Settings.from_env({"JIANGONG_LOG_FORMAT": "json", "JIANGONG_SECRET": "s"}).log_format
        == "json"
    )
    with pytest.raises(ConfigurationError, match="JIANGONG_LOG_FORMAT"):
        Settings.from_env({"JIANGONG_LOG_FORMAT": "xml", "JIANGONG_SECRET": "s"})


def test_a_traceback_stays_inside_its_json_line() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert "RuntimeError: boom" in json.loads(line)["exception"]


def test_configuring_twice_keeps_one_handler(restore_root: None) -> None:
    configure_logging("INFO", stream=io.StringIO())
    configure_logging("DEBUG", stream=io.StringIO())
    ours = [h for h in logging.getLogger().handlers if h.get_name() == "jiangong"]
    assert len(ours) == 1 and logging.getLogger().level == logging.DEBUG


@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        ("3f2a9c", "3f2a9c"),
        ("req-2026.03:01_x", "req-2026.03:01_x"),
        ("", None),
        (None, None),
        ("a b", None),
        ("x" * 65, None),
        ("<script>", None),
        ("330402199001011234", None),  # an ID number is never taken in as an id to log
        ("id-330402199001011234-x", None),
    ],
)
def test_only_a_plain_token_is_taken_as_a_request_id(offered: str | None, kept: str | None) -> None:
    assert accepted_request_id(offered) == kept


def test_a_request_id_is_bound_for_a_block_only() -> None:
    assert current_request_id() is None
    with bound_request_id("outer"):
        with bound_request_id("inner"):
            assert current_request_id() == "inner"
        assert current_request_id() == "outer"
    assert current_request_id() is None


def test_the_access_log_writes_no_query_string_and_the_answered_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def app(environ, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", [("X-Request-ID", "r-9")])
        return [b"{}"]

    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "/registry",
        "PATH_INFO": "/api/v1/workers",
        "QUERY_STRING": "id_number=330402199001011234",
    }
    with caplog.at_level(logging.INFO, logger="jiangong.http"):
        assert list(AccessLog(app)(environ, lambda *_: None)) == [b"{}"]
    (record,) = [r for r in caplog.records if r.name == "jiangong.http"]
    assert record.getMessage().startswith("GET /registry/api/v1/workers 200 ")
    assert "330402" not in record.getMessage()
    assert record.request_id == "r-9"  # type: ignore[attr-defined]


def test_gunicorn_is_given_the_same_format(
    restore_root: None, capsys: pytest.CaptureFixture[str]
) -> None:
    config = logging_dict_config("INFO", "json")
    assert config["handlers"]["stderr"]["formatter"] == "json"
    logging.config.dictConfig(config)  # what gunicorn does with it
    logging.getLogger("gunicorn.error").info("Booting worker")
    assert json.loads(capsys.readouterr().err)["message"] == "Booting worker"
    assert (
        TextFormatter()
        .format(logging.LogRecord("x", 20, "f", 1, "m", None, None))
        .endswith("INFO x: m")
    )
