"""Delivery guarantees, the same cases on every backend pair: SQLite and PostgreSQL, the
in-process bus and Kafka (a real Tansu broker). Nothing lost, nothing applied twice."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from marshmallow import Schema, fields
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from shared.bus import InProcessBus
from shared.events import Message, dead_letter_topic, new_event, to_message, topic_of
from shared.inbox import Consumer, Received, Subscription
from shared.kafka_bus import KafkaBus
from shared.outbox import Outbox, Relay
from shared.tables import kernel_tables
from shared.testing import wait_until

REGISTERED = "jiangong.worker.registered.v1"
UPDATED = "jiangong.worker.updated.v1"
LEFT = "jiangong.worker.left.v1"

metadata = MetaData()
kernel = kernel_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("n", Integer, primary_key=True, autoincrement=True),
    Column("consumer", String(64), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
)


class WorkerData(Schema):
    id = fields.String(required=True)
    seq = fields.Integer(required=True)


class Crash(BaseException):
    """A process dying at a chosen point: not an error any code path handles."""


@dataclass
class World:
    engine: Engine
    bus: InProcessBus | KafkaBus
    outbox: Outbox
    group: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:8]}")
    threads: list[threading.Thread] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def relay(self) -> Relay:
        return Relay(self.engine, self.outbox, self.bus)

    def write(self, subject: str, count: int = 1, event_type: str = REGISTERED) -> None:
        with Session(self.engine) as session, session.begin():
            for seq in range(count):
                self.outbox.add(session, event_type, subject, {"id": subject, "seq": seq})

    def consumer(self, fail_on: str | None = None) -> Consumer:
        def apply(session: Session, event: Received) -> None:
            if event.subject == fail_on:
                raise RuntimeError("this handler always fails for " + event.subject)
            session.execute(
                insert(effects).values(
                    consumer=self.group,
                    event_id=event.id,
                    subject=event.subject,
                    seq=event.data["seq"],
                )
            )

        subscriptions = {t: Subscription(WorkerData, apply) for t in (REGISTERED, UPDATED)}
        return Consumer(self.group, self.engine, kernel.inbox, subscriptions, retry_delay=0.001)

    def start(self, consumer: Consumer) -> threading.Thread:
        thread = threading.Thread(target=self._run, args=(consumer,), daemon=True)
        thread.start()
        self.threads.append(thread)
        return thread

    def _run(self, consumer: Consumer) -> None:
        with contextlib.suppress(Crash):
            self.bus.run_consumer(consumer, self.stop)

    def seqs(self, subject: str) -> list[int]:
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(effects.c.seq)
                    .where(effects.c.consumer == self.group, effects.c.subject == subject)
                    .order_by(effects.c.n)
                ).scalars()
            )

    def applied(self, subject: str) -> int:
        with self.engine.connect() as connection:
            return connection.execute(
                select(func.count())
                .select_from(effects)
                .where(effects.c.consumer == self.group, effects.c.subject == subject)
            ).scalar_one()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    url = (
        f"sqlite:///{tmp_path / 'service.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = create_engine(url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["inprocess", "kafka"])
def world(request: pytest.FixtureRequest, engine: Engine) -> Iterator[World]:
    if request.param == "kafka":
        bus: InProcessBus | KafkaBus = KafkaBus(request.getfixturevalue("broker").bootstrap_servers)
    else:
        bus = InProcessBus()
    built = World(
        engine,
        bus,
        Outbox(
            kernel.outbox,
            "registry",
            {REGISTERED: WorkerData, UPDATED: WorkerData, LEFT: WorkerData},
        ),
    )
    yield built
    built.stop.set()
    bus.close()
    for thread in built.threads:
        thread.join(timeout=10)


def subject() -> str:
    return f"w-{uuid.uuid4().hex[:10]}"


def test_an_event_committed_to_the_outbox_is_applied_once(world: World) -> None:
    worker = subject()
    world.write(worker)
    consumer = world.consumer()
    world.start(consumer)
    assert world.relay().drain() >= 1
    wait_until(lambda: world.applied(worker) == 1)


def test_an_event_delivered_twice_is_applied_once(world: World) -> None:
    worker = subject()
    world.write(worker)
    relay = world.relay()
    relay.drain()
    with Session(world.engine) as session:
        already = [
            pair for pair in world.outbox.published(session) if pair[1].get_subject() == worker
        ]
    world.bus.publish(topic_of("registry"), already)  # the same event, a second time
    consumer = world.consumer()
    world.start(consumer)
    wait_until(lambda: consumer.stats["duplicates"] >= 1)
    assert world.applied(worker) == 1


def test_a_relay_killed_after_publishing_before_marking_republishes_and_the_effect_is_once(
    world: World,
) -> None:
    worker = subject()
    world.write(worker, count=3)

    class DiesAfterPublishing:
        def publish(self, topic: str, events: list) -> None:
            world.bus.publish(topic, events)
            raise Crash("killed before marking")

    with pytest.raises(Crash):
        Relay(world.engine, world.outbox, DiesAfterPublishing()).relay_once()
    world.relay().drain()  # the next relay finds the rows unmarked and publishes them again
    consumer = world.consumer()
    world.start(consumer)
    wait_until(lambda: world.applied(worker) == 3 and consumer.stats["duplicates"] >= 3)
    assert world.seqs(worker) == [0, 1, 2]


def test_a_consumer_that_dies_before_committing_gets_the_event_again_and_applies_it_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = subject()
    world.write(worker)
    world.relay().drain()
    first = world.consumer()
    died = threading.Event()

    def die(*_args: object, **_kwargs: object) -> None:
        died.set()
        raise Crash("the process died before committing its offsets")

    if isinstance(world.bus, KafkaBus):
        from kafka import KafkaConsumer

        monkeypatch.setattr(KafkaConsumer, "commit", die)
    else:
        monkeypatch.setattr(world.bus.offsets, "commit", die)
    world.start(first).join(timeout=30)
    assert died.is_set() and world.applied(worker) == 1
    monkeypatch.undo()

    second = world.consumer()
    world.start(second)
    wait_until(lambda: second.stats["duplicates"] >= 1)
    assert world.applied(worker) == 1


def test_events_of_one_key_arrive_in_order(world: World) -> None:
    workers = [subject() for _ in range(3)]
    for worker in workers:
        world.write(worker, count=40)
    world.relay().drain()
    world.start(world.consumer())
    wait_until(lambda: all(world.applied(w) == 40 for w in workers))
    assert all(world.seqs(w) == list(range(40)) for w in workers)


def test_a_poison_event_is_dead_lettered_with_its_error_and_the_consumer_moves_on(
    world: World,
) -> None:
    failing, good = subject(), subject()
    with Session(world.engine) as session, session.begin():
        world.outbox.add(session, REGISTERED, failing, {"id": failing, "seq": 0})
    # data the consumer's schema refuses: a producer cannot write it, so it is sent as is
    bad_data = new_event("registry", UPDATED, good, {"id": good, "seq": "not a number"})
    world.relay().drain()
    world.bus.publish(topic_of("registry"), [(10**9, bad_data)])
    world.write(good)
    world.relay().drain()
    consumer = world.consumer(fail_on=failing)
    world.start(consumer)
    wait_until(lambda: world.applied(good) == 1 and consumer.stats["dead_lettered"] >= 2)
    errors = dead_letter_errors(world)
    assert any("always fails" in e for e in errors)
    assert any("schema" in e and "seq" in e for e in errors)
    assert world.applied(failing) == 0


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
@pytest.mark.parametrize("world", ["kafka"], indirect=True)
def test_undecodable_records_and_unknown_types_are_dead_lettered(world: World) -> None:
    good = subject()
    assert isinstance(world.bus, KafkaBus)
    valid = to_message(new_event("registry", REGISTERED, good, {"id": good, "seq": 0}))
    unknown = Message(
        key=b"x",
        value=valid.value,
        headers=[
            (k, b"jiangong.worker.teleported.v1" if k == "ce_type" else v) for k, v in valid.headers
        ],
    )
    bad_json = Message(key=b"x", value=b"{not json", headers=valid.headers)
    world.bus.send_messages(topic_of("registry"), [bad_json, unknown, valid])
    consumer = world.consumer()
    world.start(consumer)
    wait_until(lambda: world.applied(good) == 1 and consumer.stats["dead_lettered"] >= 2)
    errors = dead_letter_errors(world)
    assert any("MalformedEvent" in e for e in errors)
    assert any("UnknownEventType" in e and "teleported" in e for e in errors)


def dead_letter_errors(world: World) -> list[str]:
    if isinstance(world.bus, InProcessBus):
        return [str(letter["error"]) for letter in world.bus.offsets.dead_letters(world.group)]
    from kafka import KafkaConsumer, TopicPartition

    topic = dead_letter_topic(world.group)
    reader = KafkaConsumer(bootstrap_servers=world.bus.bootstrap_servers, enable_auto_commit=False)
    partitions = [TopicPartition(topic, p) for p in reader.partitions_for_topic(topic) or ()]
    reader.assign(partitions)
    reader.seek_to_beginning(*partitions)
    found: list[str] = []
    for _ in range(10):
        for batch in reader.poll(timeout_ms=300).values():
            found += [dict(r.headers)["jiangong_error"].decode() for r in batch]
    reader.close()
    return found


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"], indirect=True)
def test_after_a_restart_the_in_process_bus_redelivers_only_what_was_not_acknowledged(
    engine: Engine, tmp_path
) -> None:
    store = tmp_path / "bus.db"
    outbox = Outbox(kernel.outbox, "registry", {REGISTERED: WorkerData})
    before = World(engine, InProcessBus(store=store), outbox)
    worker = subject()
    before.write(worker, count=2)
    before.relay().drain()
    before.start(before.consumer())
    wait_until(lambda: before.applied(worker) == 2)
    before.stop.set()
    before.threads[0].join(timeout=5)
    before.write(worker, count=1)  # committed while the consumer is down, and relayed
    before.relay().drain()

    restarted = World(engine, InProcessBus(store=store), outbox, group=before.group)
    with Session(engine) as session:
        restarted.bus.load(topic_of("registry"), outbox.published(session))
    consumer = restarted.consumer()
    restarted.start(consumer)
    wait_until(lambda: restarted.applied(worker) == 3)
    assert consumer.stats["duplicates"] == 0  # the two acknowledged ones were not sent again
    restarted.stop.set()
