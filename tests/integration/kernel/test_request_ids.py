"""A request id: taken from ``X-Request-ID`` or made, answered, on the request's log lines,
stored with the events the request writes, and carried by both buses to the consumers, whose
log lines and own events carry it on."""

from __future__ import annotations

import io
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from marshmallow import Schema, fields
from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.orm import Session

from services.registry.service import SERVICE as REGISTRY
from shared.app import create_app
from shared.auth import issue_token
from shared.bus import InProcessBus
from shared.events import from_message, request_id_of
from shared.inbox import Consumer, Received, Subscription
from shared.kafka_bus import KafkaBus
from shared.logs import bound_request_id, configure_logging, current_request_id
from shared.outbox import Outbox
from shared.relay import Relay
from shared.runtime import migrate, runtime_of
from shared.settings import Settings
from shared.tables import kernel_tables
from tests.support.polling import wait_until

REGISTERED = "jiangong.worker.registered.v1"
UPDATED = "jiangong.worker.updated.v1"


@pytest.fixture
def registry(tmp_path: Path) -> Flask:
    app = create_app(REGISTRY, Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)}))
    migrate(app)
    return app


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def _admin(app: Flask) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(runtime_of(app).settings.secret, 'admin')}"}


def test_the_request_id_is_answered_and_a_missing_or_odd_one_is_made(registry: Flask) -> None:
    client = registry.test_client()
    assert client.get("/livez", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == (
        "abc-123"
    )
    made = client.get("/livez").headers["X-Request-ID"]
    odd = client.get("/livez", headers={"X-Request-ID": "a b <c>"}).headers["X-Request-ID"]
    assert len(made) == 32 and len(odd) == 32 and made != odd
    problem = client.get("/api/v1/nothing", headers={"X-Request-ID": "p-1"})
    assert problem.status_code == 404 and problem.headers["X-Request-ID"] == "p-1"


def test_the_events_a_request_writes_carry_its_id_to_the_broker_headers(
    registry: Flask, json_logs: io.StringIO
) -> None:
    client = registry.test_client()
    answer = client.post(
        "/api/v1/regions",
        json={"code": "330402001", "name": "解放街道", "parent_code": "330402"},
        headers={**_admin(registry), "X-Request-ID": "trace-7"},
    )
    assert answer.status_code == 201, answer.json
    enterprise = client.post(
        "/api/v1/enterprises",
        json={
            "uscc": "91330402MA2B3C4D53",
            "name": "嘉兴示例有限公司",
            "region_code": "330402",
            "has_union": False,
            "above_designated_size": True,
            "ownership": "non_public",
            "employee_count": 10,
        },
        headers={**_admin(registry), "X-Request-ID": "trace-8"},
    )
    assert enterprise.status_code == 201, enterprise.json
    outbox = runtime_of(registry).outbox
    with registry.app_context(), Session(REGISTRY.db.engine) as session:
        rows = session.execute(outbox.records()).all()
    records = [_record(row) for row in rows]
    assert [r.request_id for r in records] == ["trace-8"]
    message = records[0].message()
    assert ("ce_jiangongrequestid", b"trace-8") in message.headers
    assert request_id_of(from_message(message)) == "trace-8"
    assert request_id_of(records[0].event()) == "trace-8"


def _record(row):  # type: ignore[no-untyped-def]
    from shared.outbox import OutboxRecord

    return OutboxRecord(*row)


def test_log_lines_of_a_request_carry_its_id(registry: Flask, json_logs: io.StringIO) -> None:
    @registry.get("/log-something")
    def log_something() -> str:
        logging.getLogger("jiangong.test").warning("inside the request")
        return "ok"

    registry.test_client().get("/log-something", headers={"X-Request-ID": "line-1"})
    logging.getLogger("jiangong.test").warning("outside any request")
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    inside = next(line for line in lines if line["message"] == "inside the request")
    outside = next(line for line in lines if line["message"] == "outside any request")
    assert inside["request_id"] == "line-1"
    assert "request_id" not in outside


# -- through the buses ----------------------------------------------------------------------


class WorkerData(Schema):
    id = fields.String(required=True)


@pytest.fixture(params=["inprocess", "kafka"])
def bus(request: pytest.FixtureRequest) -> Iterator[InProcessBus | KafkaBus]:
    if request.param == "kafka":
        chosen: InProcessBus | KafkaBus = KafkaBus(
            request.getfixturevalue("broker").bootstrap_servers
        )
    else:
        chosen = InProcessBus()
    yield chosen
    chosen.close()


def test_a_consumer_applies_an_event_under_the_id_of_the_request_that_caused_it(
    bus: InProcessBus | KafkaBus, tmp_path: Path, json_logs: io.StringIO
) -> None:
    metadata = MetaData()
    tables = kernel_tables(metadata)
    engine = create_engine(f"sqlite:///{tmp_path / 'world.db'}")
    metadata.create_all(engine)
    outbox = Outbox(tables.outbox, "registry", {REGISTERED: WorkerData, UPDATED: WorkerData})
    subject = f"w-{uuid.uuid4().hex[:8]}"
    seen: list[tuple[str | None, str | None]] = []

    def apply(session: Session, event: Received) -> None:
        if not event.subject.startswith(subject):  # the broker's topic holds other tests' too
            return
        seen.append((event.request_id, current_request_id()))
        logging.getLogger("jiangong.test").info("applying %s", event.type)
        if event.type == REGISTERED:  # the consumer causes an event of its own
            outbox.add(session, UPDATED, event.subject, {"id": event.subject})

    with bound_request_id("req-42"), Session(engine) as session, session.begin():
        outbox.add(session, REGISTERED, subject, {"id": subject})
    with Session(engine) as session, session.begin():
        outbox.add(session, REGISTERED, f"{subject}-b", {"id": f"{subject}-b"})  # no request
    consumer = Consumer(
        f"test-{uuid.uuid4().hex[:8]}",
        engine,
        tables.inbox,
        {REGISTERED: Subscription(WorkerData, apply)},
        retry_delay=0.001,
    )
    stop = threading.Event()
    thread = threading.Thread(target=bus.run_consumer, args=(consumer, stop), daemon=True)
    thread.start()
    try:
        Relay(engine, outbox, bus).drain()
        wait_until(lambda: len(seen) == 2, timeout=30)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert sorted(seen, key=str) == sorted([("req-42", "req-42"), (None, None)], key=str)
    with Session(engine) as session:
        caused = session.execute(
            select(tables.outbox.c.request_id).where(tables.outbox.c.type == UPDATED)
        ).scalars()
        assert sorted(caused, key=str) == sorted(["req-42", None], key=str)
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    applying = [line for line in lines if line["message"] == f"applying {REGISTERED}"]
    assert sorted(line.get("request_id", "") for line in applying) == ["", "req-42"]
    engine.dispose()
