"""Replicas of the registry's enterprises and workers: registry events delivered twice and out
of order leave them as the registry's latest event describes; entries follow them."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from services.competitions.adapters.read_tables import EnterpriseReplica, WorkerReplica
from shared.events import restore_event, source_of
from shared.inbox import Delivery


def _history(steps: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """Registry events one second apart, in the order the registry wrote them."""
    start = datetime(2025, 3, 1, tzinfo=UTC)
    return [
        restore_event(
            id=str(uuid.uuid4()),
            source=source_of("registry"),
            type=f"jiangong.{kind}.v1",
            subject=data["id"],
            time=start + timedelta(seconds=n),
            data=data,
        )
        for n, (kind, data) in enumerate(steps)
    ]


def _replicas(world) -> dict[str, Any]:
    with world.engine.connect() as connection:
        enterprises = connection.execute(
            select(
                EnterpriseReplica.id,
                EnterpriseReplica.name,
                EnterpriseReplica.region_code,
                EnterpriseReplica.active,
            ).order_by(EnterpriseReplica.id)
        ).all()
        workers = connection.execute(
            select(
                WorkerReplica.id,
                WorkerReplica.enterprise_id,
                WorkerReplica.name,
                WorkerReplica.region_code,
                WorkerReplica.is_migrant,
                WorkerReplica.active,
            ).order_by(WorkerReplica.id)
        ).all()
    return {"enterprises": [tuple(r) for r in enterprises], "workers": [tuple(r) for r in workers]}


def test_registry_events_twice_and_out_of_order_leave_the_final_registry_state(world) -> None:
    a, b, c = (f"ent-{uuid.uuid4().hex[:6]}" for _ in range(3))
    w1, w2 = (f"wkr-{uuid.uuid4().hex[:6]}" for _ in range(2))
    worker = {"name": "张三", "region_code": "330402", "is_migrant": False}
    events = _history(
        [
            (
                "enterprise.registered",
                {"id": a, "name": "甲", "region_code": "330402", "uscc": "x"},
            ),
            ("enterprise.registered", {"id": b, "name": "乙", "region_code": "330411"}),
            ("enterprise.registered", {"id": c, "name": "丙", "region_code": "330421"}),
            ("worker.registered", {"id": w1, "enterprise_id": a, **worker}),
            ("worker.registered", {"id": w2, "enterprise_id": a, **worker, "name": "李四"}),
            ("enterprise.updated", {"id": a, "name": "甲公司", "region_code": "330402"}),
            ("worker.updated", {"id": w1, "enterprise_id": a, **worker, "is_migrant": True}),
            (
                "worker.transferred",
                {
                    "id": w1,
                    "enterprise_id": b,
                    **worker,
                    "region_code": "330411",
                    "is_migrant": True,
                    "from_enterprise_id": a,
                },
            ),
            ("worker.left", {"id": w2, "enterprise_id": a, **worker, "name": "李四"}),
            ("enterprise.deregistered", {"id": c, "name": "丙", "region_code": "330421"}),
        ]
    )
    final = {
        "enterprises": sorted(
            [(a, "甲公司", "330402", True), (b, "乙", "330411", True), (c, "丙", "330421", False)]
        ),
        "workers": sorted(
            [(w1, b, "张三", "330411", True, True), (w2, a, "李四", "330402", False, False)]
        ),
    }
    shuffled = events * 2
    random.Random(3).shuffle(shuffled)
    for n, event in enumerate(shuffled):  # one by one, and then all at once below
        assert world.consumer.handle([Delivery("jiangong.registry", 0, n, event=event)]) == []
    assert _replicas(world) == final
    assert world.consumer.stats["duplicates"] == len(events)

    fresh = [
        restore_event(
            id=str(uuid.uuid4()),
            source=e.get_source(),
            type=e.get_type(),
            subject=e.get_subject(),
            time=e.get_time(),
            data=e.get_data(),
        )
        for e in reversed(events)
    ]
    world.consumer.handle(
        [Delivery("jiangong.registry", 0, n, event=e) for n, e in enumerate(fresh)]
    )
    assert _replicas(world) == final


def test_entries_follow_a_transfer_in_the_registry(world) -> None:
    old, new = world.enterprise(), world.enterprise()
    worker = world.worker(old)
    competition = world.competition()
    world.move(competition, "open")
    world.registry_event("worker.transferred", {"id": worker, "enterprise_id": new})
    refused = world.enter(competition, old, worker)
    assert refused.status_code == 422 and refused.json["rule"] == "worker_not_in_enterprise"
    assert world.enter(competition, new, worker).status_code == 201


def test_a_registry_event_without_an_id_is_dead_lettered_and_unknown_fields_ignored(world) -> None:
    from shared.events import new_event

    ok = new_event(
        "registry",
        "jiangong.enterprise.registered.v1",
        "e",
        {
            "id": "e-extra",
            "name": "有新字段",
            "region_code": "330402",
            "employee_count": 7,
        },
    )
    poison = new_event("registry", "jiangong.worker.registered.v1", "w", {"name": "无名"})
    dead = world.consumer.handle(
        [
            Delivery("jiangong.registry", 0, 1, event=ok),
            Delivery("jiangong.registry", 0, 2, event=poison),
        ]
    )
    assert [letter.delivery.offset for letter in dead] == [2]
    assert "id" in dead[0].error
    assert ("e-extra", "有新字段", "330402", True) in _replicas(world)["enterprises"]
