"""Workers over HTTP: register, read, correct, list, transfer, leave, the audited ID number."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from services.registry.adapters.orm import IdNumberAudit, WorkerEmployment, db
from shared.identifiers import make_id_number


def test_an_employer_registers_a_worker_with_derived_and_masked_fields(any_db) -> None:
    enterprise = any_db.enterprise()
    number = make_id_number("330481", date(1988, 7, 14), any_db.rng.randint(0, 99), "female")
    body = any_db.worker_body(id_number=number, is_migrant=True)
    own = any_db.headers("enterprise", enterprise["id"])
    answer = any_db.client.post(
        f"/api/v1/enterprises/{enterprise['id']}/workers", json=body, headers=own
    )
    assert answer.status_code == 201
    worker = answer.json
    assert worker["enterprise_id"] == enterprise["id"] and isinstance(worker["id"], str)
    assert worker["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert (worker["gender"], worker["birth_date"]) == ("female", "1988-07-14")
    assert worker["active"] is True and worker["highest_level"] is None
    assert "id_number" not in worker
    read = any_db.client.get(f"/api/v1/workers/{worker['id']}", headers=own)
    assert read.json == worker


@pytest.mark.parametrize(
    ("id_number", "reason"),
    [
        ("33040219900101123", "must be 18 characters, got 17"),
        ("330402199001011230", "check character does not match"),
        ("330402199002301234", "not a real date"),
        ("33040219900101123A", "not allowed"),
    ],
)
def test_a_bad_id_number_is_a_422_with_the_reason(registry, id_number: str, reason: str) -> None:
    enterprise = registry.enterprise()
    if reason.startswith("check"):  # a real body with the wrong check character
        good = registry.id_number()
        id_number = good[:-1] + ("1" if good[-1] != "1" else "2")
    answer = registry.client.post(
        f"/api/v1/enterprises/{enterprise['id']}/workers",
        json=registry.worker_body(id_number=id_number),
        headers=registry.admin,
    )
    assert answer.status_code == 422
    assert reason in answer.json["errors"]["id_number"][0]


def test_a_bad_id_number_is_reported_together_with_the_other_bad_fields(registry) -> None:
    enterprise = registry.enterprise()
    body = registry.worker_body(id_number="33040219900101123", name="", is_migrant="maybe")
    answer = registry.client.post(
        f"/api/v1/enterprises/{enterprise['id']}/workers", json=body, headers=registry.admin
    )
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"id_number", "name", "is_migrant"}
    assert answer.json["instance"] == f"/api/v1/enterprises/{enterprise['id']}/workers"


def test_a_birth_date_in_the_future_is_refused(registry) -> None:
    enterprise = registry.enterprise()
    number = make_id_number("330402", date.today() + timedelta(days=30), 1, "male")
    answer = registry.client.post(
        f"/api/v1/enterprises/{enterprise['id']}/workers",
        json=registry.worker_body(id_number=number),
        headers=registry.admin,
    )
    assert answer.status_code == 422
    assert answer.json["errors"]["id_number"] == ["birth date is in the future"]


def test_dates_and_union_facts_are_checked_together(registry) -> None:
    enterprise = registry.enterprise()
    child = registry.id_number(born=date(2015, 1, 1))
    body = registry.worker_body(
        id_number=child, is_union_member=False, union_joined_on="2021-01-01", hired_on="2020-01-01"
    )
    answer = registry.client.post(
        f"/api/v1/enterprises/{enterprise['id']}/workers", json=body, headers=registry.admin
    )
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"hired_on", "union_joined_on"}
    future = registry.worker_body(hired_on="2999-01-01", union_joined_on=None)
    answer = registry.client.post(
        f"/api/v1/enterprises/{enterprise['id']}/workers", json=future, headers=registry.admin
    )
    assert answer.json["errors"] == {"hired_on": ["must not be in the future"]}


@pytest.mark.parametrize("field", ["id", "status", "enterprise_id", "active", "gender"])
def test_server_set_fields_of_a_worker_are_refused_by_name(registry, field: str) -> None:
    enterprise = registry.enterprise()
    answer = registry.client.post(
        f"/api/v1/enterprises/{enterprise['id']}/workers",
        json=registry.worker_body(**{field: "x"}),
        headers=registry.admin,
    )
    assert answer.status_code == 422 and field in answer.json["errors"]


def test_a_worker_cannot_be_added_to_someone_elses_enterprise(registry) -> None:
    own, other = registry.enterprise(), registry.enterprise()
    answer = registry.client.post(
        f"/api/v1/enterprises/{other['id']}/workers",
        json=registry.worker_body(),
        headers=registry.headers("enterprise", own["id"]),
    )
    assert answer.status_code == 404


def test_writes_need_an_employer_token(registry) -> None:
    enterprise = registry.enterprise()
    url = f"/api/v1/enterprises/{enterprise['id']}/workers"
    assert registry.client.post(url, json=registry.worker_body()).status_code == 401
    reader = registry.headers("reader")
    assert registry.client.post(url, json=registry.worker_body(), headers=reader).status_code == 403
    assert registry.client.get(url, headers=reader).status_code == 403


def test_an_active_worker_cannot_be_registered_again_anywhere(registry) -> None:
    first, second = registry.enterprise(), registry.enterprise()
    body = registry.worker_body()
    worker = registry.worker(first["id"], **body)

    def register(enterprise_id: str, headers: dict):
        url = f"/api/v1/enterprises/{enterprise_id}/workers"
        return registry.client.post(url, json=body, headers=headers)

    as_enterprise = register(second["id"], registry.headers("enterprise", second["id"]))
    assert as_enterprise.status_code == 409
    detail = as_enterprise.json["detail"]
    assert "another enterprise" in detail and "transfer" in detail
    assert first["id"] not in detail and worker["id"] not in detail
    assert as_enterprise.json["errors"] == {"id_number": [detail]}
    as_admin = register(second["id"], registry.admin)
    assert as_admin.status_code == 409 and first["id"] in as_admin.json["detail"]
    same = register(first["id"], registry.admin)
    assert same.status_code == 409 and "this enterprise" in same.json["detail"]


def test_someone_who_left_is_hired_again_and_keeps_their_worker_id(registry) -> None:
    first, second = registry.enterprise(), registry.enterprise()
    body = registry.worker_body()
    worker = registry.worker(first["id"], **body)
    registry.client.post(f"/api/v1/workers/{worker['id']}/leave", headers=registry.admin)
    again = registry.client.post(
        f"/api/v1/enterprises/{second['id']}/workers",
        json={**body, "hired_on": date.today().isoformat()},
        headers=registry.admin,
    )
    assert again.status_code == 201
    assert again.json["id"] == worker["id"] and again.json["enterprise_id"] == second["id"]
    assert again.json["active"] is True and again.json["left_on"] is None


def test_another_enterprises_worker_is_404_for_every_verb(registry) -> None:
    own, other = registry.enterprise(), registry.enterprise()
    worker = registry.worker(other["id"])
    headers = registry.headers("enterprise", own["id"])
    url = f"/api/v1/workers/{worker['id']}"
    assert registry.client.get(url, headers=headers).status_code == 404
    assert registry.client.patch(url, json={"name": "x"}, headers=headers).status_code == 404
    transfer = {"enterprise_id": own["id"]}
    assert (
        registry.client.post(url + "/transfer", json=transfer, headers=headers).status_code == 404
    )
    assert registry.client.post(url + "/leave", headers=headers).status_code == 404
    assert registry.client.get("/api/v1/workers/nope", headers=registry.admin).status_code == 404


def test_a_worker_is_corrected_and_leaving_the_union_clears_the_joining_date(registry) -> None:
    enterprise = registry.enterprise()
    worker = registry.worker(enterprise["id"])
    url = f"/api/v1/workers/{worker['id']}"
    own = registry.headers("enterprise", enterprise["id"])
    changed = registry.client.patch(
        url,
        json={"name": " 张  伟强 ", "is_union_member": False, "occupation_code": "6-20-01-02"},
        headers=own,
    )
    assert changed.status_code == 200
    assert changed.json["name"] == "张 伟强" and changed.json["union_joined_on"] is None
    for body in (
        {"id_number": registry.id_number()},
        {"enterprise_id": "x"},
        {"hired_on": "2020-01-01"},
    ):
        refused = registry.client.patch(url, json=body, headers=own)
        assert refused.status_code == 422 and set(refused.json["errors"]) == set(body)
    bad = registry.client.patch(url, json={"union_joined_on": "2022-01-01"}, headers=own)
    assert bad.status_code == 422 and "union_joined_on" in bad.json["errors"]


def test_the_enterprises_workers_are_listed_and_filtered_by_active(registry) -> None:
    enterprise = registry.enterprise()
    staying, leaving = registry.worker(enterprise["id"]), registry.worker(enterprise["id"])
    registry.client.post(f"/api/v1/workers/{leaving['id']}/leave", headers=registry.admin)
    url = f"/api/v1/enterprises/{enterprise['id']}/workers"
    own = registry.headers("enterprise", enterprise["id"])
    every = registry.client.get(url, headers=own).json
    assert every["total"] == 2
    active = registry.client.get(url + "?active=true", headers=own).json
    assert [w["id"] for w in active["items"]] == [staying["id"]]
    former = registry.client.get(url + "?active=false", headers=own).json
    assert [w["id"] for w in former["items"]] == [leaving["id"]]


def test_a_transfer_moves_the_worker_and_keeps_the_history(any_db) -> None:
    source, target = any_db.enterprise(), any_db.enterprise(region_code="330483")
    worker = any_db.worker(source["id"])
    answer = any_db.client.post(
        f"/api/v1/workers/{worker['id']}/transfer",
        json={"enterprise_id": target["id"]},
        headers=any_db.headers("enterprise", source["id"]),
    )
    assert answer.status_code == 200
    assert answer.json["enterprise_id"] == target["id"] and answer.json["id"] == worker["id"]
    gone = any_db.client.get(
        f"/api/v1/workers/{worker['id']}", headers=any_db.headers("enterprise", source["id"])
    )
    assert gone.status_code == 404
    with any_db.app.app_context():
        history = db.session.scalars(
            select(WorkerEmployment)
            .where(WorkerEmployment.worker_id == worker["id"])
            .order_by(WorkerEmployment.id)
        ).all()
        assert [(e.enterprise_id, e.ended_by) for e in history] == [
            (source["id"], "transfer"),
            (target["id"], None),
        ]


def test_a_transfer_needs_an_active_other_target_and_the_current_employer(registry) -> None:
    source, target, closed = registry.enterprise(), registry.enterprise(), registry.enterprise()
    registry.client.post(f"/api/v1/enterprises/{closed['id']}/deregister", headers=registry.admin)
    worker = registry.worker(source["id"])
    url = f"/api/v1/workers/{worker['id']}/transfer"

    def transfer(body: dict, headers: dict | None = None):
        return registry.client.post(url, json=body, headers=headers or registry.admin)

    assert transfer({"enterprise_id": "nope"}).status_code == 422
    assert transfer({"enterprise_id": source["id"]}).json["errors"] == {
        "enterprise_id": ["The worker already works for this enterprise."]
    }
    assert transfer({"enterprise_id": closed["id"]}).status_code == 409
    assert transfer({}).status_code == 422
    as_target = transfer(
        {"enterprise_id": target["id"]}, registry.headers("enterprise", target["id"])
    )
    assert as_target.status_code == 404
    early = transfer({"enterprise_id": target["id"], "transferred_on": "2000-01-01"})
    assert early.status_code == 422 and "transferred_on" in early.json["errors"]


def test_leaving_closes_the_worker_once(registry) -> None:
    enterprise = registry.enterprise()
    worker = registry.worker(enterprise["id"])
    url = f"/api/v1/workers/{worker['id']}/leave"
    own = registry.headers("enterprise", enterprise["id"])
    too_early = registry.client.post(url, json={"left_on": "2001-01-01"}, headers=own)
    assert too_early.status_code == 422 and "left_on" in too_early.json["errors"]
    left = registry.client.post(url, json={"left_on": "2024-12-31"}, headers=own)
    assert left.status_code == 200
    assert (left.json["active"], left.json["left_on"]) == (False, "2024-12-31")
    assert registry.client.post(url, headers=own).status_code == 409
    patch = registry.client.patch(
        f"/api/v1/workers/{worker['id']}", json={"name": "x"}, headers=own
    )
    assert patch.status_code == 409
    transfer = registry.client.post(
        f"/api/v1/workers/{worker['id']}/transfer",
        json={"enterprise_id": registry.enterprise()["id"]},
        headers=registry.admin,
    )
    assert transfer.status_code == 409


def test_the_full_id_number_is_for_admins_with_a_reason_and_is_audited(registry) -> None:
    enterprise = registry.enterprise()
    body = registry.worker_body()
    worker = registry.worker(enterprise["id"], **body)
    url = f"/api/v1/workers/{worker['id']}/id-number"
    own = registry.headers("enterprise", enterprise["id"])
    assert registry.client.get(url + "?reason=payroll", headers=own).status_code == 403
    assert registry.client.get(url, headers=registry.admin).status_code == 422
    answer = registry.client.get(url + "?reason=social+insurance+filing", headers=registry.admin)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert answer.json == {"worker_id": worker["id"], "id_number": body["id_number"]}
    with registry.app.app_context():
        audit = db.session.scalars(select(IdNumberAudit)).all()
        assert [(a.worker_id, a.role, a.reason) for a in audit] == [
            (worker["id"], "admin", "social insurance filing")
        ]
        assert audit[0].viewer.startswith("admin:") and audit[0].viewed_at is not None
