"""The Kafka consumer loop's lag gauge, read from the registry as a scraper would, and the
relay's loop that waits for a commit's signal instead of querying again after each batch."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from marshmallow import Schema, fields
from sqlalchemy import MetaData, create_engine
from sqlalchemy.orm import Session

from shared.events import new_event, to_message, topic_of
from shared.inbox import Consumer, Received, Subscription
from shared.kafka_bus import KafkaBus
from shared.metrics import Metrics, watch_consumer_lag
from shared.outbox import Outbox
from shared.relay import Relay
from shared.tables import kernel_tables
from tests.support.broker import DevBroker
from tests.support.polling import wait_until

REGISTERED = "jiangong.worker.registered.v1"
TOPIC = topic_of("registry")


class WorkerData(Schema):
    id = fields.String(required=True)


@pytest.fixture
def broker() -> Iterator[DevBroker]:
    """A broker of its own: the topic holds only this test's records."""
    with DevBroker() as fresh:
        yield fresh


def test_the_lag_gauge_rises_with_a_backlog_and_falls_to_zero_once_it_is_applied(
    broker: DevBroker, tmp_path: Path
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'consumer.db'}")
    metadata = MetaData()
    kernel = kernel_tables(metadata)
    metadata.create_all(engine)
    bus = KafkaBus(broker.bootstrap_servers, partitions=1, max_poll_records=5)
    bus.ensure_topics([TOPIC])
    for n in range(40):  # one send each: one record a batch, so the high watermark is exact
        event = new_event("registry", REGISTERED, f"w{n}", {"id": f"w{n}"})
        bus.send_messages(TOPIC, [to_message(event)])
    release, holding = threading.Event(), threading.Event()

    def apply(_session: Session, _received: Received) -> None:
        holding.set()
        release.wait(30)  # the first batch holds the loop while the gauge is read

    group = f"test-{uuid.uuid4().hex[:8]}"
    consumer = Consumer(group, engine, kernel.inbox, {REGISTERED: Subscription(WorkerData, apply)})
    metrics = Metrics("registry")
    metrics.watch_consumer(consumer)
    watch_consumer_lag(metrics)
    labels = {"group": group, "topic": TOPIC, "partition": "0"}

    def lag() -> float | None:
        return metrics.registry.get_sample_value("jiangong_consumer_lag", labels)

    assert lag() is None  # nothing polled yet
    stop = threading.Event()
    loop = threading.Thread(target=bus.run_consumer, args=(consumer, stop), daemon=True)
    loop.start()
    try:
        assert holding.wait(30)
        behind = lag()
        assert behind is not None and 35 <= behind < 40  # 40, less what the first poll returned
        release.set()
        wait_until(lambda: consumer.stats["applied"] == 40 and lag() == 0)
    finally:
        release.set()
        stop.set()
        loop.join(timeout=10)
        bus.close()
        engine.dispose()


def test_after_a_batch_that_was_not_full_the_relay_waits_for_the_next_commit(
    broker: DevBroker, tmp_path: Path
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    metadata = MetaData()
    outbox = Outbox(kernel_tables(metadata).outbox, "registry", {REGISTERED: WorkerData})
    metadata.create_all(engine)
    bus = KafkaBus(broker.bootstrap_servers)
    relay = Relay(engine, outbox, bus)
    stages: list[str] = []
    relay.trace = lambda stage, _records: stages.append(stage)

    def write(subject: str) -> None:
        with Session(engine) as session, session.begin():
            outbox.add(session, REGISTERED, subject, {"id": subject})

    stop = threading.Event()
    loop = threading.Thread(
        target=relay.run, args=(stop, outbox.committed, 30.0), daemon=True
    )  # a poll interval far longer than the test: only commits wake it
    write("w0")
    loop.start()
    try:
        wait_until(lambda: relay.published == 1)
        write("w1")
        wait_until(lambda: relay.published == 2)
        # every query found rows: none ran after a batch only to come back empty
        assert stages.count("fetching") == stages.count("fetched") >= 2
    finally:
        stop.set()
        outbox.committed.set()
        loop.join(timeout=10)
        bus.close()
        engine.dispose()
