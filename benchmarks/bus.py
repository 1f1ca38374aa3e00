"""The event backbone against raw kafka-python, measured in the same run on the same broker.

    python benchmarks/bus.py [--events 20000] [--rate 200] [--seconds 10] [--database sqlite]

1. Throughput: the relay publishing a filled outbox to Kafka, beside a raw KafkaProducer
   sending the same records, built beforehand (acks=all, 5 ms linger, 64 KiB batches).
2. Latency at a steady rate: outbox commit → the consumer's effect committed, with the writer,
   the relay (woken by the commit's NOTIFY) and the KafkaBus consumer (inbox and effect in one
   transaction) each in its own process as deployed, beside raw produce → consume with the
   same fetch settings, producer and consumer also in separate processes.
A fresh broker is started for each measurement (its memory engine slows as it fills).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repository, not benchmarks/

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from marshmallow import Schema, fields  # noqa: E402
from sqlalchemy import Engine, MetaData, create_engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from shared.db import ping_when_idle  # noqa: E402
from shared.events import Message, new_event, to_message, topic_of  # noqa: E402
from shared.inbox import Consumer, Delivery, Received, Subscription  # noqa: E402
from shared.kafka_bus import KafkaBus  # noqa: E402
from shared.outbox import Outbox  # noqa: E402
from shared.relay import Relay  # noqa: E402
from shared.tables import kernel_tables  # noqa: E402
from tests.support.broker import DevBroker  # noqa: E402
from tests.support.postgres import scratch_database  # noqa: E402

TYPE = "jiangong.worker.registered.v1"
PAYLOAD = "x" * 220  # with the ids, ≈ 300-byte values like the measured notes


class Data(Schema):
    id = fields.String(required=True)
    seq = fields.Integer(required=True)
    note = fields.String()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def deployed_engine(url: str) -> Engine:
    """An engine on PostgreSQL as a service's (``shared.db.configure_database``): its pooled
    connections tried before use only after they rested."""
    engine = create_engine(url, pool_size=10)
    ping_when_idle(engine)
    return engine


@contextmanager
def database(kind: str, tmp: str) -> Iterator[Engine]:
    if kind == "postgresql":
        with scratch_database(prefix="jiangong_bench") as url:
            engine = deployed_engine(url)
            yield engine
            engine.dispose()
    else:
        engine = create_engine(f"sqlite:///{tmp}/bench-{uuid.uuid4().hex[:6]}.db")
        yield engine
        engine.dispose()


def setup(engine: Engine) -> tuple[Outbox, MetaData]:
    metadata = MetaData()
    kernel = kernel_tables(metadata)
    metadata.create_all(engine)
    return Outbox(kernel.outbox, "registry", {TYPE: Data}), metadata


def fill(engine: Engine, outbox: Outbox, count: int) -> None:
    with Session(engine) as session, session.begin():
        for n in range(count):
            outbox.add(
                session, TYPE, f"w{n % 500}", {"id": f"w{n % 500}", "seq": n, "note": PAYLOAD}
            )


def raw_producer_throughput(count: int) -> float:
    with DevBroker() as broker:
        KafkaBus(broker.bootstrap_servers).ensure_topics(["raw"])
        producer = KafkaProducer(
            bootstrap_servers=broker.bootstrap_servers,
            acks="all",
            linger_ms=5,
            batch_size=64 * 1024,
        )
        # the very records the relay sends (key, value, CloudEvents headers), built beforehand
        records = [
            to_message(
                new_event(
                    "registry",
                    TYPE,
                    f"w{n % 500}",
                    {"id": f"w{n % 500}", "seq": n, "note": PAYLOAD},
                )
            )
            for n in range(count)
        ]
        producer.send("raw", key=b"k", value=b"warm").get(timeout=10)  # connected and warm
        start = time.perf_counter()
        for record in records:
            producer.send("raw", key=record.key, value=record.value, headers=record.headers)
        producer.flush()
        elapsed = time.perf_counter() - start
        producer.close()
    return count / elapsed


def relay_throughput(kind: str, tmp: str, count: int) -> float:
    with database(kind, tmp) as engine, DevBroker() as broker:
        outbox, _ = setup(engine)
        fill(engine, outbox, count)
        bus = KafkaBus(broker.bootstrap_servers)
        bus.ensure_topics([topic_of("registry")])
        relay = Relay(engine, outbox, bus, batch_size=2000)
        start = time.perf_counter()
        published = relay.drain()
        elapsed = time.perf_counter() - start
        bus.close()
        assert published == count, published
    return count / elapsed


def steady(rate: float, seconds: float, act: Callable[[int], None]) -> None:
    """Call ``act(n)`` ``rate`` times a second for ``seconds``, on schedule."""
    interval = 1.0 / rate
    start = time.perf_counter()
    for n in range(int(rate * seconds)):
        delay = start + n * interval - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        act(n)


# -- latency: each side in its own process, as deployed (API, relay's worker, consumer's worker)

SPAWN = multiprocessing.get_context("spawn")


def raw_latency(rate: float, seconds: float) -> list[float]:
    """Raw produce → consume: a producer here, a consumer (assign, same fetch wait) in a child."""
    with DevBroker() as broker:
        KafkaBus(broker.bootstrap_servers).ensure_topics(["raw"])
        ready, stop, results = SPAWN.Event(), SPAWN.Event(), SPAWN.Queue()
        child = SPAWN.Process(
            target=_raw_consume, args=(broker.bootstrap_servers, ready, stop, results)
        )
        child.start()
        ready.wait(30)
        producer = KafkaProducer(
            bootstrap_servers=broker.bootstrap_servers, acks="all", linger_ms=0
        )
        sent: dict[str, float] = {}

        def send(n: int) -> None:
            key = f"{n:012d}"
            sent[key] = time.time()
            producer.send("raw", key=key.encode(), value=b"v" * 300)

        steady(rate, seconds, send)
        producer.flush()
        received = _collect(stop, results, len(sent))
        child.join(timeout=30)
        producer.close()
    return [received[key] - sent[key] for key in sent if key in received]


def _raw_consume(bootstrap: str, ready, stop, results) -> None:  # type: ignore[no-untyped-def]
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, fetch_max_wait_ms=10, enable_auto_commit=False
    )
    partitions = [TopicPartition("raw", p) for p in range(4)]
    consumer.assign(partitions)
    consumer.seek_to_end(*partitions)
    for partition in partitions:
        consumer.position(partition)
    ready.set()
    received: dict[str, float] = {}
    while not stop.is_set():
        for batch in consumer.poll(timeout_ms=100).values():
            now = time.time()
            received.update((record.key.decode(), now) for record in batch)
    consumer.close()
    results.put(received)


def _collect(stop, results, expected: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    time.sleep(1.0)  # the tail arrives
    stop.set()
    received: dict[str, Any] = results.get(timeout=60)
    if len(received) < expected:
        print(f"  ({expected - len(received)} of {expected} not received in time)")
    return received


STAGES = (
    ("relay wake-up (commit → relay fetches)", "commit", "fetching"),
    ("relay fetch", "fetching", "fetched"),
    ("publish and flush (acks=all)", "fetched", "published"),
    ("mark published", "published", "marked"),
    ("broker → consumer poll returned", "published", "polled"),
    ("apply (inbox row and effect committed)", "polled", "applied"),
    ("offsets committed after the effect (off the path)", "applied", "committed"),
    ("commit → effect committed", "commit", "applied"),
)


def end_to_end_latency(
    kind: str, tmp: str, rate: float, seconds: float
) -> tuple[list[float], dict[str, list[float]]]:
    """Outbox commit (here) → relay (a child, woken by NOTIFY) → Kafka → consumer (a child)
    whose inbox row and effect are committed; and each stage's durations, from the relay's and
    the consumer's traces."""
    with database(kind, tmp) as engine, DevBroker() as broker:
        outbox, _ = setup(engine)
        KafkaBus(broker.bootstrap_servers).ensure_topics([topic_of("registry")])
        url = engine.url.render_as_string(hide_password=False)
        ready, stop, results, relayed = SPAWN.Event(), SPAWN.Event(), SPAWN.Queue(), SPAWN.Queue()
        children = [
            SPAWN.Process(target=_relay, args=(url, broker.bootstrap_servers, stop, relayed)),
            SPAWN.Process(
                target=_consume, args=(url, broker.bootstrap_servers, ready, stop, results)
            ),
        ]
        for child in children:
            child.start()
        write(engine, outbox, "warm-up", 0)
        ready.wait(60)  # the group has joined and applied the warm-up event
        committed: dict[str, float] = {}

        def act(n: int) -> None:
            subject = f"e{n}"
            write(engine, outbox, subject, n)
            committed[subject] = time.time()

        steady(rate, seconds, act)
        consumed = _collect(stop, results, len(committed))
        relay_stages = relayed.get(timeout=60)
        for child in children:
            child.join(timeout=30)
    totals = [
        consumed[s]["applied"] - committed[s] for s in committed if "applied" in consumed.get(s, {})
    ]
    breakdown: dict[str, list[float]] = {name: [] for name, _, _ in STAGES}
    for subject, at in committed.items():
        times = {"commit": at, **relay_stages.get(subject, {}), **consumed.get(subject, {})}
        for name, begin, end in STAGES:
            if begin in times and end in times:
                breakdown[name].append(times[end] - times[begin])
    return totals, breakdown


def _relay(url: str, bootstrap: str, stop, results) -> None:  # type: ignore[no-untyped-def]
    engine = deployed_engine(url)
    outbox, _ = setup(engine)
    bus = KafkaBus(bootstrap)
    halt = threading.Event()
    threading.Thread(target=lambda: (stop.wait(), halt.set()), daemon=True).start()
    relay = Relay(engine, outbox, bus)
    stages: dict[str, dict[str, float]] = {}
    started = [0.0]

    def trace(stage: str, records) -> None:  # type: ignore[no-untyped-def]
        now = time.time()
        if stage == "fetching":
            started[0] = now
            return
        for record in records:
            times = stages.setdefault(record.subject, {"fetching": started[0]})
            times[stage] = now

    relay.trace = trace
    relay.run(halt, threading.Event(), 0.2)  # woken by NOTIFY
    bus.close()
    results.put(stages)


def _consume(url: str, bootstrap: str, ready, stop, results) -> None:  # type: ignore[no-untyped-def]
    engine = deployed_engine(url)
    _, metadata = setup(engine)

    def apply(_session: Session, _event: Received) -> None:
        pass  # the effect is the inbox row, committed with the batch

    consumer = Consumer(
        "bench", engine, metadata.tables["inbox"], {TYPE: Subscription(Data, apply)}
    )
    stages: dict[str, dict[str, float]] = {}

    uncommitted: list[str] = []

    def trace(stage: str, deliveries) -> None:  # type: ignore[no-untyped-def]
        now = time.time()  # "applied": the batch's transaction has committed
        if stage == "committed":  # the offsets of every batch applied since the last commit
            for subject in uncommitted:
                stages[subject][stage] = now
            uncommitted.clear()
            ready.set()
            return
        for delivery in deliveries:
            subject = _subject_of(delivery)
            stages.setdefault(subject, {})[stage] = now
            if stage == "applied":
                uncommitted.append(subject)

    halt = threading.Event()
    threading.Thread(target=lambda: (stop.wait(), halt.set()), daemon=True).start()
    bus = KafkaBus(bootstrap)
    bus.trace = trace
    bus.run_consumer(consumer, halt)
    results.put(stages)


def _subject_of(delivery: Delivery) -> str:
    assert delivery.message is not None
    return next(v.decode() for k, v in delivery.message.headers if k == "ce_subject")


# -- consumer throughput: a backlog of registry events applied to a replica -------------------


def worker_registered(n: int) -> Message:
    """A ``worker.registered`` as the registry's import stages it (``worker_data``)."""
    worker = f"W{n:08d}"
    return to_message(
        new_event(
            "registry",
            TYPE,
            worker,
            {
                "id": worker,
                "enterprise_id": f"E{n % 400:05d}",
                "name": f"工人{n}",
                "id_number_masked": "3304**********123X",
                "region_code": "330402",
                "gender": "female" if n % 2 else "male",
                "birth_date": "1990-05-01",
                "occupation_code": "6-18-01-01",
                "is_migrant": n % 3 == 0,
                "is_union_member": n % 4 != 0,
                "union_joined_on": "2020-03-01" if n % 4 != 0 else None,
                "hired_on": "2019-01-01",
                "active": True,
                "left_on": None,
            },
        )
    )


def fill_topic(bootstrap: str, count: int) -> None:
    bus = KafkaBus(bootstrap)
    bus.ensure_topics([topic_of("registry")])
    bus.send_messages(topic_of("registry"), (worker_registered(n) for n in range(count)))
    bus.close()


def raw_consume_throughput(count: int) -> float:
    """kafka-python reading the backlog from the beginning, decoding each value's JSON."""
    with DevBroker() as broker:
        fill_topic(broker.bootstrap_servers, count)
        reader = KafkaConsumer(
            bootstrap_servers=broker.bootstrap_servers,
            fetch_max_wait_ms=10,
            max_poll_records=500,
            enable_auto_commit=False,
        )
        partitions = [TopicPartition(topic_of("registry"), p) for p in range(4)]
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        seen, start = 0, time.perf_counter()
        while seen < count:
            for batch in reader.poll(timeout_ms=200).values():
                for record in batch:
                    json.loads(record.value)
                seen += len(batch)
        elapsed = time.perf_counter() - start
        reader.close()
    return count / elapsed


def consumer_throughput(kind: str, tmp: str, count: int) -> tuple[float, int]:
    """The KafkaBus consumer in its group applying the backlog with the dashboard's worker
    replica handler (the row read for update, written if the event is newer, the read side's
    version raised once a transaction), from its first poll to the last batch's transaction
    committed."""
    from services.dashboard.adapters.orm import db
    from services.dashboard.adapters.registry_facts import registry_subscriptions

    with database(kind, tmp) as engine, DevBroker() as broker:
        db.metadata.create_all(engine)
        fill_topic(broker.bootstrap_servers, count)
        consumer = Consumer(
            "dashboard",
            engine,
            db.metadata.tables["inbox"],
            registry_subscriptions(),
            context=lambda session: SimpleNamespace(session=session),
        )
        bus = KafkaBus(broker.bootstrap_servers)
        marks: dict[str, float] = {}
        done = threading.Event()

        def trace(stage: str, deliveries: Any) -> None:
            marks.setdefault(stage, time.perf_counter())
            if stage == "applied":  # the batch's transaction has committed
                marks["last"] = time.perf_counter()
                if consumer.stats["applied"] >= count:
                    done.set()

        bus.trace = trace
        stop = threading.Event()
        worker = threading.Thread(target=bus.run_consumer, args=(consumer, stop), daemon=True)
        worker.start()
        done.wait(600)
        stop.set()
        worker.join(timeout=30)
        bus.close()
        applied = consumer.stats["applied"]
    return applied / (marks["last"] - marks["polled"]), applied


def write(engine: Engine, outbox: Outbox, subject: str, n: int) -> None:
    with Session(engine) as session, session.begin():
        outbox.add(session, TYPE, subject, {"id": subject, "seq": n, "note": PAYLOAD})


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


MS = 1000.0


def latency_report(
    raw_lat: list[float], e2e: list[float], breakdown: dict[str, list[float]]
) -> None:
    def figures(values: list[float]) -> tuple[str, str, str]:
        if not values:
            return ("-", "-", "0")
        return (
            f"{statistics.median(values) * MS:.1f} ms",
            f"{percentile(values, 99) * MS:.1f} ms",
            f"{len(values)}",
        )

    table(
        ("measurement", "p50", "p99", "samples"),
        [
            ("raw produce → consume", *figures(raw_lat)),
            ("outbox commit → effect committed", *figures(e2e)),
        ],
    )
    print("\nwhere the time goes (each event's stages, from the relay's and consumer's traces):")
    table(
        ("stage", "p50", "p99", "samples"), [(name, *figures(v)) for name, v in breakdown.items()]
    )
    raw50, raw99 = statistics.median(raw_lat), percentile(raw_lat, 99)
    bound50, bound99 = 2 * raw50 + 0.005, 3 * raw99
    met50 = statistics.median(e2e) <= bound50
    met99 = percentile(e2e, 99) <= bound99
    verdict = {True: "met", False: "NOT met"}
    print(
        f"goal e2e p50 ≤ 2 × raw p50 + 5 ms ({bound50 * MS:.1f} ms): {verdict[met50]}; "
        f"goal e2e p99 ≤ 3 × raw p99 ({bound99 * MS:.1f} ms): {verdict[met99]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20000, help="events for throughput")
    parser.add_argument("--rate", type=float, default=200, help="events/s for latency")
    parser.add_argument("--seconds", type=float, default=10, help="length of the latency run")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="postgresql",
        help="the outbox's (or, consuming, the replica's) database for throughput; latency is "
        "measured on PostgreSQL (the distributed mode), whose commits wake the relay",
    )
    parser.add_argument("--latency", action="store_true", help="only the latency run")
    parser.add_argument(
        "--throughput-consume",
        action="store_true",
        help="only consumer throughput: --events registry events applied to a replica",
    )
    args = parser.parse_args()
    import tempfile

    tmp = tempfile.mkdtemp(prefix="jiangong-bench-")
    if args.throughput_consume:
        print(
            f"consumer throughput: {args.events} worker.registered events, "
            f"replica on {args.database}",
            flush=True,
        )
        raw = raw_consume_throughput(args.events)
        applied, count = consumer_throughput(args.database, tmp, args.events)
        table(
            ("measurement", "events", "events/s", "share of raw"),
            [
                ("raw kafka-python consume (JSON decoded)", f"{args.events}", f"{raw:,.0f}", ""),
                (
                    "KafkaBus consumer, replica handler",
                    f"{count}",
                    f"{applied:,.0f}",
                    f"{applied / raw:.1%}",
                ),
            ],
        )
        return
    print(
        f"bus benchmark: {args.events} events, latency at {args.rate:.0f}/s for "
        f"{args.seconds:.0f} s, outbox on {args.database}",
        flush=True,
    )
    if not args.latency:
        raw_tp = raw_producer_throughput(args.events)
        relay_tp = relay_throughput(args.database, tmp, args.events)
        table(
            ("measurement", "throughput", "share of raw"),
            [
                ("raw kafka-python producer", f"{raw_tp:,.0f} msg/s", ""),
                ("relay: outbox → Kafka", f"{relay_tp:,.0f} msg/s", f"{relay_tp / raw_tp:.0%}"),
            ],
        )
        print(f"goal relay ≥ 60 % of raw: {'met' if relay_tp >= 0.6 * raw_tp else 'NOT met'}\n")
    raw_lat = raw_latency(args.rate, args.seconds)
    e2e, breakdown = end_to_end_latency("postgresql", tmp, args.rate, args.seconds)
    latency_report(raw_lat, e2e, breakdown)


if __name__ == "__main__":
    main()
