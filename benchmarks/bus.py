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
import multiprocessing
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from marshmallow import Schema, fields  # noqa: E402
from sqlalchemy import Engine, MetaData, create_engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from shared.events import new_event, to_message, topic_of  # noqa: E402
from shared.inbox import Consumer, Received, Subscription  # noqa: E402
from shared.kafka_bus import KafkaBus  # noqa: E402
from shared.outbox import Outbox, Relay  # noqa: E402
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


@contextmanager
def database(kind: str, tmp: str) -> Iterator[Engine]:
    if kind == "postgresql":
        with scratch_database(prefix="jiangong_bench") as url:
            engine = create_engine(url, pool_size=10)
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


def _collect(stop, results, expected: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    time.sleep(1.0)  # the tail arrives
    stop.set()
    received: dict[str, float] = results.get(timeout=60)
    if len(received) < expected:
        print(f"  ({expected - len(received)} of {expected} not received in time)")
    return received


def end_to_end_latency(kind: str, tmp: str, rate: float, seconds: float) -> list[float]:
    """Outbox commit (here) → relay (a child, woken by NOTIFY) → Kafka → consumer (a child)
    whose inbox row and effect are committed."""
    with database(kind, tmp) as engine, DevBroker() as broker:
        outbox, _ = setup(engine)
        KafkaBus(broker.bootstrap_servers).ensure_topics([topic_of("registry")])
        url = engine.url.render_as_string(hide_password=False)
        ready, stop, results = SPAWN.Event(), SPAWN.Event(), SPAWN.Queue()
        children = [
            SPAWN.Process(target=_relay, args=(url, broker.bootstrap_servers, stop)),
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
        done = _collect(stop, results, len(committed))
        for child in children:
            child.join(timeout=30)
    return [done[s] - committed[s] for s in committed if s in done]


def _relay(url: str, bootstrap: str, stop) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    outbox, _ = setup(engine)
    bus = KafkaBus(bootstrap)
    halt = threading.Event()
    threading.Thread(target=lambda: (stop.wait(), halt.set()), daemon=True).start()
    Relay(engine, outbox, bus).run(halt, threading.Event(), 0.2)  # woken by NOTIFY
    bus.close()


def _consume(url: str, bootstrap: str, ready, stop, results) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    _, metadata = setup(engine)
    done: dict[str, float] = {}

    def apply(_session: Session, _event: Received) -> None:
        pass  # the effect is the inbox row, committed with the batch

    consumer = Consumer(
        "bench", engine, metadata.tables["inbox"], {TYPE: Subscription(Data, apply)}
    )
    handle = consumer.handle

    def timed(deliveries):  # type: ignore[no-untyped-def]
        dead = handle(deliveries)  # returns once the batch's transaction has committed
        now = time.time()
        done.update((d.decode().get_subject(), now) for d in deliveries)
        ready.set()
        return dead

    consumer.handle = timed  # type: ignore[method-assign]
    halt = threading.Event()
    threading.Thread(target=lambda: (stop.wait(), halt.set()), daemon=True).start()
    bus = KafkaBus(bootstrap)
    bus.run_consumer(consumer, halt)
    results.put(done)


def write(engine: Engine, outbox: Outbox, subject: str, n: int) -> None:
    with Session(engine) as session, session.begin():
        outbox.add(session, TYPE, subject, {"id": subject, "seq": n, "note": PAYLOAD})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20000, help="events for throughput")
    parser.add_argument("--rate", type=float, default=200, help="events/s for latency")
    parser.add_argument("--seconds", type=float, default=10, help="length of the latency run")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="postgresql",
        help="the outbox's database for throughput; latency is measured on "
        "PostgreSQL (the distributed mode), whose commits wake the relay",
    )
    args = parser.parse_args()
    import tempfile

    tmp = tempfile.mkdtemp(prefix="jiangong-bench-")
    print(
        f"bus benchmark: {args.events} events, latency at {args.rate:.0f}/s for "
        f"{args.seconds:.0f} s, outbox on {args.database}",
        flush=True,
    )
    raw_tp = raw_producer_throughput(args.events)
    relay_tp = relay_throughput(args.database, tmp, args.events)
    raw_lat = raw_latency(args.rate, args.seconds)
    e2e = end_to_end_latency("postgresql", tmp, args.rate, args.seconds)
    ms = 1000.0
    rows = [
        ("raw kafka-python producer", f"{raw_tp:,.0f} msg/s", "", "", ""),
        (
            "relay: outbox → Kafka",
            f"{relay_tp:,.0f} msg/s",
            f"{relay_tp / raw_tp:.0%} of raw",
            "",
            "",
        ),
        (
            "raw produce → consume",
            "",
            f"{statistics.median(raw_lat) * ms:.1f} ms",
            f"{percentile(raw_lat, 99) * ms:.1f} ms",
            f"{len(raw_lat)}",
        ),
        (
            "outbox commit → effect committed",
            "",
            f"{statistics.median(e2e) * ms:.1f} ms",
            f"{percentile(e2e, 99) * ms:.1f} ms",
            f"{len(e2e)}",
        ),
    ]
    header = ("measurement", "throughput", "p50 / share", "p99", "samples")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    goal_tp = relay_tp >= 0.6 * raw_tp
    goal_lat = percentile(e2e, 99) <= 2 * percentile(raw_lat, 99) + 0.020
    print(
        f"goal relay ≥ 60 % of raw: {'met' if goal_tp else 'NOT met'}; "
        f"goal e2e p99 ≤ 2 × raw p99 + 20 ms "
        f"({(2 * percentile(raw_lat, 99) + 0.020) * ms:.1f} ms): "
        f"{'met' if goal_lat else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
