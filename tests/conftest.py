"""Session-wide real components: a Tansu broker on a free loopback port, a scratch PostgreSQL
database, and each service's migrated template databases, each made once and removed
afterwards; the slow tests marked ``slow``; the PII guard every test runs under."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from shared.identifiers import InvalidIdentifier, validate_id_number
from shared.outbox import Outbox
from tests.support.broker import DevBroker
from tests.support.postgres import DEFAULT_ADMIN_URL, PostgresUnavailable, scratch_database
from tests.support.templates import PostgresTemplates, SqliteTemplates

SLOW = (
    "tests/e2e/",
    "tests/browser/",
    "tests/integration/platform/",
    "tests/integration/competitions/test_scoring_at_once.py",
    "tests/contract/test_openapi_fuzz.py",
)
"""Where the slow tests are: the platform in processes or threads of its own, a browser, a
race run round after round, the fuzz. ``make test-quick`` leaves them out (``-m "not slow"``);
``make test`` runs them."""


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.relative_to(config.rootpath).as_posix().startswith(SLOW):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevBroker]:
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    with DevBroker(log_path=log) as running:
        yield running


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    admin = os.environ.get("JIANGONG_TEST_POSTGRES", DEFAULT_ADMIN_URL)
    try:
        with scratch_database(admin, prefix="jiangong_test") as url:
            yield url
    except PostgresUnavailable as error:
        pytest.skip(f"PostgreSQL cases skipped: {error}")


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    """Each service's SQLite database migrated once for the run; a test takes a copy."""
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="session")
def postgres_templates(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PostgresTemplates]:
    """Each service's PostgreSQL database migrated once for the run; a test takes a copy."""
    templates = PostgresTemplates(postgres_url, tmp_path_factory.mktemp("postgres-templates"))
    yield templates
    templates.drop()


# -- the PII guard: no full resident ID number leaves the registry's audited endpoint ----------

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
AUDITED = re.compile(r"/workers/[^/]+/id-number$")


def full_id_numbers(text: str) -> list[str]:
    """Valid ID numbers in ``text`` (the check character must hold, so other digits pass)."""
    found = []
    for candidate in ID_NUMBER.findall(text):
        try:
            validate_id_number(candidate)
        except InvalidIdentifier:
            continue
        found.append(candidate)
    return found


class _LeakedLogs(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot format is not ours to judge
            return
        text = message + (self.format(record) if record.exc_info else "")
        if full_id_numbers(text):
            self.leaks.append(f"log {record.name}: {message[:200]}")


@pytest.fixture(autouse=True)
def no_full_id_number_leaves_the_audited_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    """Every response body, log record and outbox event any test produces is read; a full ID
    number anywhere but the audited ``/workers/{id}/id-number`` answer fails that test."""
    leaks: list[str] = []
    handler = _LeakedLogs()
    logging.getLogger().addHandler(handler)
    previous_level = logging.getLogger().level
    logging.getLogger().setLevel(min(previous_level or logging.WARNING, logging.INFO))

    original_open = FlaskClient.open

    def open_and_read(self: FlaskClient, *args: Any, **kwargs: Any) -> Any:
        response = original_open(self, *args, **kwargs)
        path = response.request.path if response.request else ""
        readable = not AUDITED.search(path) and not response.is_streamed
        if readable and full_id_numbers(response.get_data(as_text=True)):
            leaks.append(f"response {response.request.method} {path}")
        return response

    original_add_many = Outbox.add_many

    def add_and_read(self: Outbox, session: Any, event_type: str, events: Any) -> Any:
        for subject, data in events:
            if full_id_numbers(json.dumps(dict(data), default=str) + subject):
                leaks.append(f"outbox {event_type} about {subject}")
        return original_add_many(self, session, event_type, events)

    monkeypatch.setattr(FlaskClient, "open", open_and_read)
    monkeypatch.setattr(Outbox, "add_many", add_and_read)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(previous_level)
    assert not leaks + handler.leaks, "a full ID number left the registry: " + "; ".join(
        leaks + handler.leaks
    )
