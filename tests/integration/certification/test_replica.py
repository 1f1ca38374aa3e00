"""The worker replica, fed by the registry's events: redelivery and late arrival leave the
newest state, and a worker who left cannot be assessed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from services.certification.adapters.orm import WorkerReplica, db
from shared.events import restore_event, source_of, topic_of
from tests.support.facts import worker_facts

REGISTRY = topic_of("registry")


def facts(worker_id: str, **changes: Any) -> dict[str, Any]:
    return worker_facts(worker_id, "ent-1", union_joined_on=None) | changes


def event(event_type: str, data: dict[str, Any], minute: int) -> Any:
    """A registry event at 08:00 + ``minute`` (UTC) on the world's day: explicit times, so
    which one is newer never depends on the clock's resolution."""
    return restore_event(
        id=str(uuid.uuid4()),
        source=source_of("registry"),
        type=f"jiangong.{event_type}.v1",
        subject=data["id"],
        time=datetime(2025, 6, 1, 8, tzinfo=UTC) + timedelta(minutes=minute),
        data=data,
    )


def replica(world, worker_id: str) -> WorkerReplica | None:
    with world.app.app_context():
        row = db.session.get(WorkerReplica, worker_id)
        if row is not None:
            db.session.expunge(row)
        return row


def test_a_registered_worker_is_in_the_replica_without_an_id_number(any_world) -> None:
    worker = any_world.worker(enterprise_id="ent-9", region_code="330483", is_migrant=True)
    row = replica(any_world, worker)
    assert row is not None
    assert (row.enterprise_id, row.region_code, row.is_migrant, row.active) == (
        "ent-9",
        "330483",
        True,
        True,
    )
    assert row.id_number_masked == "330402********123X"
    assert not hasattr(row, "id_number")


def test_an_event_delivered_twice_and_an_older_one_after_a_newer_leave_the_newest_state(
    any_world,
) -> None:
    worker = "wkr-replayed"
    registered = event("worker.registered", facts(worker), 0)
    updated = event("worker.updated", facts(worker, name="张晓强", region_code="330411"), 1)
    moved = facts(worker, name="张晓强", enterprise_id="ent-2")
    transferred = event("worker.transferred", moved, 2)
    any_world.deliver(registered, topic=REGISTRY)
    any_world.deliver(transferred, topic=REGISTRY)
    any_world.deliver(transferred, topic=REGISTRY)  # the same event again
    any_world.deliver(updated, updated, topic=REGISTRY)  # older than the transfer, twice
    any_world.deliver(registered, topic=REGISTRY)  # the oldest, again
    row = replica(any_world, worker)
    assert row is not None
    assert (row.name, row.enterprise_id, row.region_code) == ("张晓强", "ent-2", "330402")


def test_a_worker_who_left_cannot_be_assessed_even_if_an_older_event_arrives_late(
    any_world,
) -> None:
    worker = "wkr-left"
    registered = event("worker.registered", facts(worker), 0)
    left = event("worker.left", facts(worker, active=False, left_on="2025-05-31"), 5)
    any_world.deliver(left, topic=REGISTRY)
    any_world.deliver(registered, topic=REGISTRY)  # late: older than the leaving
    row = replica(any_world, worker)
    assert row is not None and row.active is False
    answer = any_world.assess(any_world.assessor(), worker)
    assert answer.status_code == 422 and answer.json["rule"] == "worker_not_active"


def test_a_worker_hired_again_can_be_assessed_again(world) -> None:
    worker = world.worker()
    world.worker(id=worker, event_type="worker.left", active=False, left_on="2025-05-01")
    world.worker(id=worker, event_type="worker.registered", enterprise_id="ent-again")
    row = replica(world, worker)
    assert row is not None and row.active and row.enterprise_id == "ent-again"
    assert world.assess(world.assessor(), worker).status_code == 201
