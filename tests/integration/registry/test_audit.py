"""The audited reads of full ID numbers, listed for an admin; the audit stays append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from services.registry.adapters.orm import IdNumberAudit, db


def reveal(registry, worker_id: str, reason: str) -> None:
    answer = registry.client.get(
        f"/api/v1/workers/{worker_id}/id-number",
        query_string={"reason": reason},
        headers=registry.admin,
    )
    assert answer.status_code == 200, answer.json


def test_the_audit_lists_who_looked_when_at_whom_and_why_newest_first(any_db) -> None:
    enterprise = any_db.enterprise()
    first = any_db.worker(enterprise["id"], name="周一")
    second = any_db.worker(enterprise["id"], name="吴二")
    reveal(any_db, first["id"], "核对社保登记")
    reveal(any_db, second["id"], "劳动争议调解")
    reveal(any_db, first["id"], "技能证书复核")
    answer = any_db.client.get(
        "/api/v1/id-number-audit", query_string={"worker_id": first["id"]}, headers=any_db.admin
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["total"] == 2
    items = answer.json["items"]
    assert [item["reason"] for item in items] == ["技能证书复核", "核对社保登记"]
    assert {item["worker_id"] for item in items} == {first["id"]}
    assert items[0]["worker_name"] == "周一"
    assert items[0]["role"] == "admin" and items[0]["viewer"]
    assert items[0]["viewed_at"].endswith("+00:00")
    assert items[0]["viewed_at"] >= items[1]["viewed_at"]
    body = answer.get_data(as_text=True)
    assert 'id_number"' not in body and "id_number_encrypted" not in body


def test_the_audit_is_paged_and_admin_only(registry) -> None:
    enterprise = registry.enterprise()
    worker = registry.worker(enterprise["id"])
    for n in range(3):
        reveal(registry, worker["id"], f"第{n}次核对")
    page = registry.client.get(
        "/api/v1/id-number-audit?page=2&per_page=2", headers=registry.admin
    ).json
    assert page["total"] == 3 and [i["reason"] for i in page["items"]] == ["第0次核对"]
    for headers in (
        registry.headers("enterprise", enterprise["id"]),
        registry.headers("reader"),
    ):
        assert registry.client.get("/api/v1/id-number-audit", headers=headers).status_code == 403
    unknown = registry.client.get("/api/v1/id-number-audit?viewer=x", headers=registry.admin)
    assert unknown.status_code == 422 and "viewer" in unknown.json["errors"]


def test_the_audit_has_no_path_to_change_it(registry) -> None:
    for method in ("post", "put", "patch", "delete"):
        answer = getattr(registry.client, method)("/api/v1/id-number-audit", headers=registry.admin)
        assert answer.status_code == 405


def test_the_database_refuses_to_update_or_delete_audit_rows(any_db) -> None:
    worker = any_db.worker(any_db.enterprise()["id"])
    reveal(any_db, worker["id"], "核对")
    with any_db.app.app_context():
        for statement in (
            update(IdNumberAudit).values(reason="rewritten"),
            delete(IdNumberAudit),
        ):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(statement.where(IdNumberAudit.worker_id == worker["id"]))
            db.session.rollback()
        if db.engine.dialect.name == "postgresql":
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(text("TRUNCATE id_number_audit CASCADE"))
            db.session.rollback()
        count = db.session.query(IdNumberAudit).filter_by(worker_id=worker["id"]).count()
        assert count == 1
