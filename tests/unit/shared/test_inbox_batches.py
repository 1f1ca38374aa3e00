"""A consumer applies a batch in one transaction, and falls back to one transaction an event
when the batch fails, so a poison event is dead-lettered alone (SQLite, no bus)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from marshmallow import Schema, fields
from sqlalchemy import Column, Engine, MetaData, String, Table, create_engine, event, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from shared.events import new_event
from shared.inbox import Consumer, Delivery, Received, Subscription
from shared.tables import kernel_tables

REGISTERED = "jiangong.worker.registered.v1"

metadata = MetaData()
kernel = kernel_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("subject", String(64), nullable=False),
)


class WorkerData(Schema):
    id = fields.String(required=True)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'consumer.db'}")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def consumer(engine: Engine, fail_on: str | None = None) -> Consumer:
    def apply(session: Session, received: Received) -> None:
        if received.subject == fail_on:
            raise RuntimeError(f"this handler always fails for {received.subject}")
        session.execute(insert(effects).values(event_id=received.id, subject=received.subject))

    return Consumer(
        f"test-{uuid.uuid4().hex[:8]}",
        engine,
        kernel.inbox,
        {REGISTERED: Subscription(WorkerData, apply)},
        retry_delay=0.001,
    )


def deliveries(*subjects: str) -> list[Delivery]:
    return [
        Delivery("jiangong.registry", 0, n, event=new_event("registry", REGISTERED, s, {"id": s}))
        for n, s in enumerate(subjects)
    ]


def applied(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(select(effects.c.subject)).scalars())


def transactions(engine: Engine) -> list[int]:
    """A counter of the transactions begun on ``engine`` from now on."""
    begun = [0]
    event.listen(engine, "begin", lambda _connection: begun.__setitem__(0, begun[0] + 1))
    return begun


def test_a_batch_is_applied_in_one_transaction(engine: Engine) -> None:
    reader = consumer(engine)
    begun = transactions(engine)
    assert reader.handle(deliveries(*(f"w{n}" for n in range(50)))) == []
    assert begun[0] == 1
    assert len(applied(engine)) == 50 and reader.stats["applied"] == 50


def test_a_poison_event_in_a_batch_is_dead_lettered_alone_and_the_rest_applied_once(
    engine: Engine,
) -> None:
    reader = consumer(engine, fail_on="w2")
    batch = deliveries("w0", "w1", "w2", "w3")
    (letter,) = reader.handle(batch)
    assert letter.delivery == batch[2] and "always fails for w2" in letter.error
    assert applied(engine) == ["w0", "w1", "w3"]
    assert reader.stats["applied"] == 3 and reader.stats["dead_lettered"] == 1


def test_an_event_twice_in_one_batch_and_again_later_is_applied_once(engine: Engine) -> None:
    reader = consumer(engine)
    (once,) = deliveries("w0")
    assert reader.handle([once, once]) == []
    assert reader.handle([once]) == []
    assert applied(engine) == ["w0"]
    assert reader.stats["applied"] == 1 and reader.stats["duplicates"] == 2


def test_undecodable_data_is_dead_lettered_without_failing_the_batch(engine: Engine) -> None:
    reader = consumer(engine)
    bad = Delivery(
        "jiangong.registry", 0, 9, event=new_event("registry", REGISTERED, "w9", {"no": "id"})
    )
    begun = transactions(engine)
    (letter,) = reader.handle([*deliveries("w0", "w1"), bad])
    assert begun[0] == 1
    assert letter.delivery == bad and letter.error.startswith("schema:")
    assert applied(engine) == ["w0", "w1"]


def test_when_the_database_is_away_the_batch_fails_rather_than_dead_lettering(
    tmp_path: Path,
) -> None:
    away = create_engine(f"sqlite:///{tmp_path / 'missing' / 'consumer.db'}")
    reader = consumer(away)
    with pytest.raises(OperationalError):
        reader.handle(deliveries("w0", "w1"))
    assert reader.stats["dead_lettered"] == 0 and reader.stats["applied"] == 0
