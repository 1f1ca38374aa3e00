"""Every replica of the registry's workers, on SQLite and on PostgreSQL: two events about one
worker with the same time and different ids leave the same row whichever comes first, and
whether they are applied one after the other or at once by two consumers (two threads, each
its own session), with the row already there or not yet.

Same time, different ids: the row takes the event with the greater id, in every service."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from services.certification.adapters.orm import WorkerReplica as CertificationWorker
from services.certification.service import SERVICE as CERTIFICATION
from services.competitions.adapters.read_tables import WorkerReplica as CompetitionsWorker
from services.competitions.service import SERVICE as COMPETITIONS
from services.dashboard.adapters.orm import WorkerFact
from services.dashboard.service import SERVICE as DASHBOARD
from shared.events import restore_event, source_of, topic_of
from shared.inbox import Consumer, Delivery
from shared.runtime import ServiceDefinition, engine_of, runtime_of
from tests.support.at_once import at_once
from tests.support.postgres import scratch_database
from tests.support.worlds import service_app

REGISTRY = topic_of("registry")
AT = datetime(2025, 6, 1, 8, tzinfo=UTC)
ROUNDS = 4

# each service's worker replica, and its columns that tell the two events apart
REPLICAS: dict[str, tuple[ServiceDefinition, Any, tuple[str, ...]]] = {
    "competitions": (COMPETITIONS, CompetitionsWorker, ("enterprise_id", "name", "region_code")),
    "certification": (CERTIFICATION, CertificationWorker, ("enterprise_id", "name", "region_code")),
    "dashboard": (DASHBOARD, WorkerFact, ("enterprise_id", "county_code", "is_union_member")),
}


@dataclass
class Replica:
    """One service's app and two consumers of the registry's events (one session each)."""

    engine: Engine
    consumers: tuple[Consumer, Consumer]
    model: Any
    columns: tuple[str, ...]
    offset: int = 0

    def deliver(self, consumer: Consumer, *events: Any) -> None:
        self.offset += len(events)
        deliveries = [Delivery(REGISTRY, 0, self.offset + n, event=e) for n, e in enumerate(events)]
        assert consumer.handle(deliveries) == []

    def row(self, worker_id: str) -> tuple[Any, ...] | None:
        columns = [getattr(self.model, name) for name in self.columns]
        with self.engine.connect() as connection:
            query = select(*columns).where(self.model.id == worker_id)
            found = connection.execute(query).first()
        return None if found is None else tuple(found)


def _consumer(app: Any, definition: ServiceDefinition) -> Consumer:
    runtime = runtime_of(app)
    return Consumer(
        definition.name,
        engine_of(app),
        definition.kernel.inbox,
        definition.consumes(),
        context=runtime.context,
    )


@pytest.fixture(
    params=[
        pytest.param(
            (service, backend),
            id=f"{service}-{backend}",
            marks=[pytest.mark.postgres] if backend == "postgresql" else [],
        )
        for service in REPLICAS
        for backend in ("sqlite", "postgresql")
    ]
)
def replica(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Replica]:
    service, backend = request.param
    definition, model, columns = REPLICAS[service]

    def built(url: str | None) -> Iterator[Replica]:
        app = service_app(definition, tmp_path, url)
        consumers = (_consumer(app, definition), _consumer(app, definition))
        yield Replica(engine_of(app), consumers, model, columns)
        engine_of(app).dispose()

    if backend == "sqlite":
        yield from built(None)
        return
    with scratch_database(request.getfixturevalue("postgres_url")) as url:
        yield from built(url)


def _worker(worker_id: str, enterprise_id: str, name: str, region_code: str, member: bool) -> dict:
    return {
        "id": worker_id,
        "enterprise_id": enterprise_id,
        "name": name,
        "id_number_masked": "330402********123X",
        "region_code": region_code,
        "occupation_code": "6-18-01-01",
        "is_migrant": False,
        "is_union_member": member,
        "union_joined_on": None,
        "hired_on": "2015-03-01",
        "active": True,
    }


def _event(kind: str, data: dict[str, Any], event_id: str, at: datetime = AT) -> Any:
    return restore_event(
        id=event_id,
        source=source_of("registry"),
        type=f"jiangong.{kind}.v1",
        subject=data["id"],
        time=at,
        data=data,
    )


def _two_updates(worker_id: str) -> tuple[Any, Any]:
    """Two updates of the same time: the first (smaller id) to 330402, the second to 330411."""
    smaller, greater = sorted(str(uuid.uuid4()) for _ in range(2))
    first = _worker(worker_id, "ent-a", "张甲", "330402", True)
    second = _worker(worker_id, "ent-b", "张乙", "330411", False)
    return _event("worker.updated", first, smaller), _event("worker.updated", second, greater)


def _at_once(replica: Replica, first: Any, second: Any) -> None:
    """Each event applied by its own consumer, in its own thread and session, at once."""
    consumers = replica.consumers
    at_once(
        [
            lambda: replica.deliver(consumers[0], first),
            lambda: replica.deliver(consumers[1], second),
        ]
    )


def _registered(replica: Replica, worker_id: str) -> None:
    data = _worker(worker_id, "ent-0", "张零", "330421", False)
    earlier = AT.replace(hour=7)
    replica.deliver(
        replica.consumers[0], _event("worker.registered", data, str(uuid.uuid4()), earlier)
    )


def _of_the_greater_id(replica: Replica) -> tuple[Any, ...]:
    """The row as the second update (the greater id) describes the worker."""
    second = _worker("", "ent-b", "张乙", "330411", False) | {"county_code": "330411"}
    return tuple(second[name] for name in replica.columns)


def test_two_events_of_the_same_time_leave_the_same_row_in_either_order(replica) -> None:
    rows = []
    for flip in (False, True):
        worker_id = f"wkr-{uuid.uuid4().hex[:10]}"
        first, second = _two_updates(worker_id)
        replica.deliver(replica.consumers[0], *((second, first) if flip else (first, second)))
        rows.append(replica.row(worker_id))
    assert rows == [_of_the_greater_id(replica)] * 2


@pytest.mark.parametrize("known", [False, True], ids=["row-absent", "row-present"])
def test_two_events_of_the_same_time_applied_at_once_leave_the_row_of_the_greater_id(
    replica, known: bool
) -> None:
    rows = []
    for round_ in range(ROUNDS):
        worker_id = f"wkr-{uuid.uuid4().hex[:10]}"
        if known:
            _registered(replica, worker_id)
        first, second = _two_updates(worker_id)
        _at_once(replica, *((second, first) if round_ % 2 else (first, second)))
        rows.append(replica.row(worker_id))
    assert rows == [_of_the_greater_id(replica)] * ROUNDS
