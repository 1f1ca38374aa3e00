"""Each command writes its rows and exactly its events in one transaction; a refused command
writes neither; the consumer keeps a worker's highest level whatever the order of delivery."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from services.registry.adapters.orm import Enterprise, db, kernel
from services.registry.commands import RegisterEnterprise
from services.registry.consumers import SKILL_PROMOTED, subscriptions
from services.registry.handlers import HANDLERS
from shared.events import new_event
from shared.handling import handle
from shared.inbox import Consumer, Delivery
from shared.runtime import engine_of, runtime_of

# An ID number on its own, not 18 digits that happen to stand together in a hexadecimal id.
FULL_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def types(events) -> list[str]:
    return [event_type.removeprefix("jiangong.") for event_type, _, _ in events]


def test_every_command_writes_exactly_its_event(any_db) -> None:
    enterprise = any_db.enterprise()
    target = any_db.enterprise(region_code="330482")
    eid = enterprise["id"]
    assert types(any_db.events(eid)) == ["enterprise.registered.v1"]
    any_db.client.patch(
        f"/api/v1/enterprises/{eid}", json={"employee_count": 99}, headers=any_db.admin
    )
    any_db.client.patch(
        f"/api/v1/enterprises/{eid}", json={"employee_count": 99}, headers=any_db.admin
    )
    assert types(any_db.events(eid)) == ["enterprise.registered.v1", "enterprise.updated.v1"]

    worker = any_db.worker(eid)
    wid = worker["id"]
    any_db.client.patch(f"/api/v1/workers/{wid}", json={"is_migrant": True}, headers=any_db.admin)
    any_db.client.post(
        f"/api/v1/workers/{wid}/transfer",
        json={"enterprise_id": target["id"]},
        headers=any_db.admin,
    )
    any_db.client.post(f"/api/v1/workers/{wid}/leave", headers=any_db.admin)
    any_db.client.post(f"/api/v1/enterprises/{eid}/deregister", headers=any_db.admin)
    events = any_db.events(wid)
    assert types(events) == [
        "worker.registered.v1",
        "worker.updated.v1",
        "worker.transferred.v1",
        "worker.left.v1",
    ]
    registered, updated, transferred, left = (data for _, _, data in events)
    assert registered["region_code"] == "330402" and registered["enterprise_id"] == eid
    assert registered["id_number_masked"] == worker["id_number_masked"]
    assert updated["is_migrant"] is True
    assert transferred["from_enterprise_id"] == eid
    assert (transferred["enterprise_id"], transferred["region_code"]) == (target["id"], "330482")
    assert left["active"] is False and left["left_on"]
    assert types(any_db.events(eid))[-1] == "enterprise.deregistered.v1"
    assert any_db.events(eid)[-1][2]["active"] is False


def test_an_import_writes_one_registered_event_per_created_worker(any_db) -> None:
    enterprise = any_db.enterprise(region_code="330424")
    rows = "\n".join(
        [
            "id_number,name,occupation_code,is_migrant,is_union_member,union_joined_on,hired_on",
            any_db.csv_row(),
            any_db.csv_row(),
            any_db.csv_row(id_number="bad"),
        ]
    )
    before = len(any_db.events())
    answer = any_db.client.post(
        f"/api/v1/enterprises/{enterprise['id']}/workers/import",
        data=rows,
        content_type="text/csv",
        headers=any_db.admin,
    )
    assert answer.json["created"] == 2
    new = any_db.events()[before:]
    assert types(new) == ["worker.registered.v1"] * 2
    assert {data["enterprise_id"] for _, _, data in new} == {enterprise["id"]}
    assert {data["region_code"] for _, _, data in new} == {"330424"}
    assert len({subject for _, subject, _ in new}) == 2


def test_a_refused_command_writes_neither_row_nor_event(registry) -> None:
    enterprise = registry.enterprise()
    registry.worker(enterprise["id"])
    before = len(registry.events())
    duplicate = registry.enterprise_body(uscc=enterprise["uscc"])
    assert (
        registry.client.post(
            "/api/v1/enterprises", json=duplicate, headers=registry.admin
        ).status_code
        == 409
    )
    refused_deregistration = registry.client.post(
        f"/api/v1/enterprises/{enterprise['id']}/deregister", headers=registry.admin
    )
    assert refused_deregistration.status_code == 409
    atomic = registry.client.post(
        f"/api/v1/enterprises/{enterprise['id']}/workers/import?atomic=true",
        data="id_number,name,occupation_code,is_migrant,is_union_member,union_joined_on,hired_on\n"
        + registry.csv_row()
        + "\n"
        + registry.csv_row(name="")
        + "\n",
        content_type="text/csv",
        headers=registry.admin,
    )
    assert atomic.json["created"] == 0
    assert len(registry.events()) == before
    with registry.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 1


def test_rows_and_events_commit_or_roll_back_together(registry) -> None:
    runtime = runtime_of(registry.app)
    with registry.app.app_context():
        details = {**registry.enterprise_body(), "union_founded_on": date(2015, 5, 1)}
        ctx = runtime.context(db.session)
        handle(HANDLERS, ctx, RegisterEnterprise(**details))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0
        assert db.session.scalar(select(func.count()).select_from(kernel.outbox)) == 0
        handle(HANDLERS, ctx, RegisterEnterprise(**details))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 1
        assert db.session.scalar(select(func.count()).select_from(kernel.outbox)) == 1


def test_events_never_carry_the_full_id_number(registry) -> None:
    enterprise = registry.enterprise()
    for _ in range(3):
        registry.worker(enterprise["id"])
    assert len(registry.events()) == 4
    for _, _, data in registry.events():
        assert not FULL_ID_NUMBER.search(str(data)), data


def promoted(worker_id: str, level: int, occupation: str = "6-18-01-01"):
    return new_event(
        "certification",
        SKILL_PROMOTED,
        worker_id,
        {
            "worker_id": worker_id,
            "occupation_code": occupation,
            "from_level": level + 1,
            "to_level": level,
            "route": "assessment",
            "year": 2025,
            "region_code": "330402",
            "enterprise_id": "e",
        },
    )


def consumer_of(app) -> Consumer:
    """The registry's consumer, its handlers given the service's context for each batch."""
    context = runtime_of(app).context
    return Consumer("registry", engine_of(app), kernel.inbox, subscriptions(), context=context)


def test_promotions_delivered_twice_and_out_of_order_keep_the_highest_level(any_db) -> None:
    worker = any_db.worker(any_db.enterprise()["id"])
    consumer = consumer_of(any_db.app)
    to_three, to_four = promoted(worker["id"], 3), promoted(worker["id"], 4)
    deliveries = [
        Delivery("jiangong.certification", 0, offset, event=event)
        for offset, event in enumerate([to_three, to_four, to_three, to_four])
    ]
    assert consumer.handle(deliveries[:2]) == []
    assert consumer.handle(deliveries[2:]) == []
    assert (
        consumer.handle(
            [
                Delivery(
                    "jiangong.certification", 0, 9, event=promoted(worker["id"], 5, "4-02-01-01")
                )
            ]
        )
        == []
    )
    assert consumer.stats["duplicates"] == 2
    read = any_db.client.get(f"/api/v1/workers/{worker['id']}", headers=any_db.admin).json
    assert read["highest_level"] == 3
    assert read["skills"] == [
        {"occupation_code": "6-18-01-01", "level": 3},
        {"occupation_code": "4-02-01-01", "level": 5},
    ]


def test_a_promotion_with_an_impossible_level_is_dead_lettered(registry) -> None:
    consumer = consumer_of(registry.app)
    dead = consumer.handle([Delivery("jiangong.certification", 0, 0, event=promoted("w", 0))])
    assert len(dead) == 1 and "to_level" in dead[0].error
