"""Delivery guarantees, the same cases on every backend pair: SQLite and PostgreSQL, the
in-process bus and Kafka (a real Tansu broker). Nothing lost, nothing applied twice."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg
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
    text,
)
from sqlalchemy.orm import Session

from shared.bus import InProcessBus, PublishFailed
from shared.events import (
    Message,
    new_event,
    to_message,
    to_message_by_sdk,
    topic_of,
)
from shared.inbox import Consumer, Received, Subscription
from shared.kafka_bus import KafkaBus
from shared.outbox import Outbox, OutboxRecord
from shared.relay import Relay
from shared.tables import kernel_tables
from tests.support.polling import wait_until

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

    relays: list[Relay] = field(default_factory=list)

    def relay(self) -> Relay:
        """This world's relay (one, like one worker)."""
        if not self.relays:
            self.relays.append(Relay(self.engine, self.outbox, self.bus))
        return self.relays[0]

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

    def has_published(self, subject: str) -> bool:
        """Has the relay published (and marked) events about ``subject``?"""
        with Session(self.engine) as session:
            published = [r for r in self.outbox.published(session) if r.subject == subject]
        return len(published) > 0

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
    for relay in built.relays:
        relay.close()
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
        already = [record for record in world.outbox.published(session) if record.subject == worker]
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

    dying = Relay(world.engine, world.outbox, DiesAfterPublishing())
    with pytest.raises(Crash):
        dying.relay_once()
    dying.close()  # the process is gone, and its database session with it
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
    world.bus.publish(topic_of("registry"), [OutboxRecord.of(10**9, bad_data)])
    world.write(good)
    world.relay().drain()
    consumer = world.consumer(fail_on=failing)
    world.start(consumer)
    wait_until(lambda: world.applied(good) == 1 and consumer.stats["dead_lettered"] >= 2)
    errors = dead_letter_errors(world)
    assert any("always fails" in e for e in errors)
    assert any("schema" in e and "seq" in e for e in errors)
    assert world.applied(failing) == 0
    (letter,) = [d for d in world.bus.dead_letters(world.group) if d["subject"] == failing]
    assert letter["type"] == REGISTERED and "always fails" in str(letter["error"])


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
    letters = world.bus.dead_letters(world.group)
    assert all(letter["topic"] == topic_of("registry") for letter in letters)
    return [str(letter["error"]) for letter in letters]


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


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"], indirect=True)
def test_the_in_process_bus_holds_only_what_a_reader_has_yet_to_apply_and_replays_the_outbox(
    engine: Engine, tmp_path
) -> None:
    outbox = Outbox(kernel.outbox, "registry", {REGISTERED: WorkerData})
    topic, store = topic_of("registry"), tmp_path / "bus.db"

    def published(after: int) -> list[OutboxRecord]:
        with Session(engine) as session:
            return outbox.published(session, after)

    bus = InProcessBus(store=store)
    fast, slow = World(engine, bus, outbox), World(engine, bus, outbox)
    fast_reader, slow_reader = fast.consumer(), slow.consumer()
    bus.keep_for([fast_reader, slow_reader])  # as the platform starts: its readers named,
    bus.retain(topic, published)  # then the log loaded from the outbox
    worker = subject()
    fast.write(worker, count=3)
    fast.relay().drain()
    fast.start(fast_reader)
    wait_until(lambda: fast.applied(worker) == 3)
    held = [event.get_subject() for _, event in bus.log(topic)]
    assert held.count(worker) == 3  # the slow reader has not applied them yet

    slow.start(slow_reader)
    wait_until(lambda: slow.applied(worker) == 3)
    wait_until(lambda: bus.log(topic) == [])  # both applied everything: nothing is held
    fast.write(worker, count=2)  # after the log let go of its front
    fast.relay().drain()
    wait_until(lambda: fast.applied(worker) == 5 and slow.applied(worker) == 5)
    wait_until(lambda: bus.log(topic) == [])
    assert (fast_reader.stats["duplicates"], slow_reader.stats["duplicates"]) == (0, 0)

    slow.stop.set()  # a replay of the slow reader's read model, in place
    slow.threads[0].join(timeout=10)
    with engine.begin() as connection:
        connection.execute(effects.delete().where(effects.c.consumer == slow.group))
        connection.execute(kernel.inbox.delete().where(kernel.inbox.c.consumer == slow.group))
    assert bus.replay(slow.consumer()) >= 5  # from the outbox: the log holds none of them
    assert slow.seqs(worker) == [0, 1, 2, 0, 1]

    fast.stop.set()  # a restart: only what a reader has yet to apply is loaded
    fast.threads[0].join(timeout=10)
    fast.write(worker, count=1)
    fast.relay().drain()
    fast.relays.pop().close()
    restarted = InProcessBus(store=store)
    again = World(engine, restarted, outbox, group=fast.group)
    restarted.keep_for([again.consumer(), World(engine, restarted, outbox, slow.group).consumer()])
    restarted.retain(topic, published)
    assert [event.get_subject() for _, event in restarted.log(topic)] == [worker]
    again.start(again.consumer())
    wait_until(lambda: again.applied(worker) == 6)
    again.stop.set()
    again.threads[0].join(timeout=10)
    bus.close()
    restarted.close()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_on_postgresql_a_commit_in_another_process_wakes_the_relay_at_once(engine: Engine) -> None:
    outbox = Outbox(kernel.outbox, "registry", {REGISTERED: WorkerData})
    world = World(engine, InProcessBus(), outbox)
    world.relay().drain()
    relay = world.relay()
    thread = threading.Thread(
        target=relay.run, args=(world.stop, threading.Event(), 30.0), daemon=True
    )
    thread.start()
    world.threads.append(thread)
    writer = create_engine(engine.url)  # its own pool: like the API process
    worker = subject()
    time_to_settle = 0.5
    threading.Event().wait(time_to_settle)  # the relay is now waiting on LISTEN, 30 s poll
    with Session(writer) as session, session.begin():
        outbox.add(session, REGISTERED, worker, {"id": worker, "seq": 0})
    wait_until(
        lambda: any(e.get_subject() == worker for _, e in world.bus.log(topic_of("registry"))),
        timeout=3,
    )
    world.stop.set()
    writer.dispose()


def test_the_relayed_record_equals_the_cloudevents_sdk_mapping_of_the_stored_event(
    engine: Engine,
) -> None:
    outbox = Outbox(kernel.outbox, "registry", {REGISTERED: WorkerData})
    worker = subject()
    with Session(engine) as session, session.begin():
        outbox.add(session, REGISTERED, worker, {"id": worker, "seq": 7})
    captured: list[OutboxRecord] = []

    class Capture:
        def publish(self, topic: str, records: list[OutboxRecord]) -> None:
            captured.extend(r for r in records if r.subject == worker)

    Relay(engine, outbox, Capture()).drain()
    (record,) = captured
    assert record.message() == to_message_by_sdk(record.event())
    assert record.event().get_data() == {"id": worker, "seq": 7}


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_two_relays_on_postgresql_never_publish_in_parallel_and_one_takes_over(
    engine: Engine,
) -> None:
    outbox = Outbox(kernel.outbox, "registry", {REGISTERED: WorkerData})
    Relay(engine, outbox, InProcessBus()).drain()
    other_process = create_engine(engine.url)  # its own pool, as in another worker
    worker = subject()
    with Session(engine) as session, session.begin():
        for seq in range(60):
            outbox.add(session, REGISTERED, worker, {"id": worker, "seq": seq})
    published: list[int] = []

    class Slow:
        def publish(self, topic: str, records: list[OutboxRecord]) -> None:
            time.sleep(0.01)
            published.extend(r.position for r in records if r.subject == worker)

    relays = [
        Relay(engine, outbox, Slow(), batch_size=5),
        Relay(other_process, outbox, Slow(), batch_size=5),
    ]

    def run(relay: Relay) -> None:
        for _ in range(40):
            relay.relay_once()

    threads = [threading.Thread(target=run, args=(relay,)) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(published) == 60 and len(set(published)) == 60
    assert published == sorted(published)

    leader = next(r for r in relays if r._leading)
    follower = next(r for r in relays if r is not leader)
    with Session(engine) as session, session.begin():
        outbox.add(session, REGISTERED, worker, {"id": worker, "seq": 60})
    assert follower.relay_once() == 0  # the leader holds the lock
    leader.close()  # its session ends: PostgreSQL frees the lock as the backend exits
    wait_until(lambda: follower.relay_once() == 1, timeout=10)  # the follower takes over
    follower.close()
    other_process.dispose()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_relay_whose_session_the_database_dropped_leads_again_and_publishes_once(
    engine: Engine,
) -> None:
    """The relay fetches and marks on its own session; a database restart drops it. The batch
    that meets the dropped session fails and leaves its row unpublished; the next connects
    again, takes the lead again, and publishes the row once."""
    outbox = Outbox(kernel.outbox, "registry", {REGISTERED: WorkerData})
    bus = InProcessBus()
    relay = Relay(engine, outbox, bus)
    relay.drain()
    worker = subject()
    with Session(engine) as session, session.begin():
        outbox.add(session, REGISTERED, worker, {"id": worker, "seq": 0})
    with engine.connect() as admin:  # what a restart does to the leader's backend
        terminated = admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND granted AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        ).scalars()
        assert list(terminated) == [True]
    with pytest.raises(psycopg.OperationalError):
        relay.relay_once()
    assert relay.relay_once() == 1
    assert relay.relay_once() == 0  # marked: not published again
    relayed = [e for _, e in bus.log(topic_of("registry")) if e.get_subject() == worker]
    assert len(relayed) == 1
    relay.close()


def test_replay_rebuilds_an_emptied_read_model_and_then_only_new_events_follow(
    world: World,
) -> None:
    worker = subject()
    world.write(worker, count=5)
    world.relay().drain()
    if isinstance(world.bus, InProcessBus):  # embedded: the log is rebuilt from the outbox
        fresh = InProcessBus()
        with Session(world.engine) as session:
            fresh.load(topic_of("registry"), world.outbox.published(session))
        world.bus = fresh  # as after a restart: a new bus, and a relay publishing to it
        world.relays.pop().close()
    consumer = world.consumer()
    world.bus.replay(consumer)  # the read model starts empty: replay fills it
    assert world.seqs(worker) == [0, 1, 2, 3, 4]

    with world.engine.begin() as connection:  # lose the read model and the inbox
        connection.execute(effects.delete().where(effects.c.consumer == world.group))
        connection.execute(kernel.inbox.delete().where(kernel.inbox.c.consumer == world.group))
    world.bus.replay(world.consumer())
    assert world.seqs(worker) == [0, 1, 2, 3, 4]

    world.write(worker, count=1)  # after a replay the group resumes where it ended
    world.relay().drain()
    follower = world.consumer()
    world.start(follower)
    wait_until(lambda: world.applied(worker) == 6)
    assert follower.stats["duplicates"] == 0


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_broker_outage_keeps_rows_unpublished_and_the_same_relay_delivers_after_it(
    engine: Engine, broker
) -> None:
    bus = KafkaBus(broker.bootstrap_servers, delivery_timeout_ms=2000)
    world = World(engine, bus, Outbox(kernel.outbox, "registry", {REGISTERED: WorkerData}))
    worker = subject()
    world.write(subject())
    assert world.relay().drain() >= 1  # a producer that was working, as in production
    world.write(worker, count=2)
    broker.pause()
    try:
        with pytest.raises(PublishFailed):
            world.relay().relay_once()
    finally:
        broker.resume()
    with Session(engine) as session:  # nothing was marked: the rows wait in the outbox
        assert not [r for r in world.outbox.published(session) if r.subject == worker]
    wait_until(lambda: _relays(world) and world.has_published(worker), timeout=30)
    consumer = world.consumer()
    world.start(consumer)
    wait_until(lambda: world.applied(worker) == 2)
    world.stop.set()
    world.relay().close()
    bus.close()


def _relays(world: World) -> bool:
    try:
        world.relay().drain()
        return True
    except PublishFailed:
        return False
