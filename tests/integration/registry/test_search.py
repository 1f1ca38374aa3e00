"""Finding enterprises and workers: by name fragment, credit code, or a full ID number."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from services.registry.adapters.orm import Worker, db


def search(registry, path: str, q: str, headers=None, **params):
    answer = registry.client.get(
        path, query_string={"q": q, **params}, headers=headers or registry.admin
    )
    return answer


def test_enterprises_are_found_by_name_fragment_or_credit_code(any_db) -> None:
    tag = any_db.rng.choice(["甲", "乙", "丙"]) + str(any_db.rng.randint(10_000, 99_999))
    wanted = any_db.enterprise(name=f"嘉兴{tag}纺织有限公司")
    any_db.enterprise(name="嘉兴另一家有限公司")
    answer = search(any_db, "/api/v1/enterprises", tag + "纺织")
    assert answer.status_code == 200, answer.json
    assert [e["id"] for e in answer.json["items"]] == [wanted["id"]]
    assert answer.json["total"] == 1 and answer.json["page"] == 1
    for code in (wanted["uscc"], wanted["uscc"][:12], wanted["uscc"][:12].lower()):
        found = search(any_db, "/api/v1/enterprises", code).json
        assert wanted["id"] in [e["id"] for e in found["items"]], code
    assert search(any_db, "/api/v1/enterprises", wanted["uscc"]).json["total"] == 1
    assert search(any_db, "/api/v1/enterprises", "没有这样的公司xyz").json["total"] == 0


def test_an_enterprise_token_searches_only_its_own(any_db) -> None:
    own = any_db.enterprise(name="嘉兴自己的搜索有限公司")
    any_db.enterprise(name="嘉兴别人的搜索有限公司")
    headers = any_db.headers("enterprise", own["id"])
    answer = search(any_db, "/api/v1/enterprises", "搜索有限公司", headers=headers)
    assert [e["id"] for e in answer.json["items"]] == [own["id"]]


def test_enterprise_search_is_paged_and_like_characters_are_literal(registry) -> None:
    for n in range(3):
        registry.enterprise(name=f"嘉兴分页{n}有限公司")
    answer = search(registry, "/api/v1/enterprises", "分页", page=2, per_page=2)
    assert answer.json["total"] == 3 and len(answer.json["items"]) == 1
    assert search(registry, "/api/v1/enterprises", "%").json["total"] == 0
    assert search(registry, "/api/v1/enterprises", "_").json["total"] == 0


def test_workers_of_an_enterprise_are_found_by_name_fragment(any_db) -> None:
    enterprise = any_db.enterprise()
    wang = any_db.worker(enterprise["id"], name="王小明")
    any_db.worker(enterprise["id"], name="李大山")
    other = any_db.enterprise()
    any_db.worker(other["id"], name="王小明")
    answer = search(any_db, f"/api/v1/enterprises/{enterprise['id']}/workers", "小明")
    assert answer.status_code == 200, answer.json
    assert [w["id"] for w in answer.json["items"]] == [wang["id"]]
    assert answer.json["items"][0]["name"] == "王小明"
    headers = any_db.headers("enterprise", enterprise["id"])
    own = search(any_db, f"/api/v1/enterprises/{enterprise['id']}/workers", "王", headers=headers)
    assert own.json["total"] == 1


def test_a_worker_is_found_by_the_full_id_number_through_its_hash(any_db, caplog) -> None:
    enterprise = any_db.enterprise()
    number = any_db.id_number(born=date(1988, 8, 8))
    wanted = any_db.worker(enterprise["id"], id_number=number)
    any_db.worker(enterprise["id"])
    caplog.set_level(logging.DEBUG)
    for path in (f"/api/v1/enterprises/{enterprise['id']}/workers", "/api/v1/workers"):
        answer = search(any_db, path, number)
        assert answer.status_code == 200, answer.json
        assert [w["id"] for w in answer.json["items"]] == [wanted["id"]]
        assert number not in answer.get_data(as_text=True)
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    assert search(any_db, "/api/v1/workers", spaced).json["total"] == 1
    assert number not in caplog.text
    with any_db.app.app_context():
        stored = db.session.get(Worker, wanted["id"])
        assert number not in {stored.id_number_encrypted, stored.id_number_hash}


def test_the_other_enterprise_does_not_find_a_worker_by_id_number(registry) -> None:
    enterprise, other = registry.enterprise(), registry.enterprise()
    number = registry.worker_body()["id_number"]
    registry.worker(enterprise["id"], id_number=number)
    answer = search(registry, f"/api/v1/enterprises/{other['id']}/workers", number)
    assert answer.json["total"] == 0


@pytest.mark.parametrize("q", ["330402", "33040219900101123", "330402199001011235"])
def test_digits_that_are_no_valid_id_number_are_refused_naming_q(registry, q: str) -> None:
    answer = search(registry, "/api/v1/workers", q)
    assert answer.status_code == 422, answer.json
    assert list(answer.json["errors"]) == ["q"]
    assert q not in answer.get_data(as_text=True)


def test_a_bad_id_number_in_q_is_explained_in_chinese(registry) -> None:
    answer = search(
        registry,
        "/api/v1/workers",
        "330402199001011235",
        headers={**registry.admin, "Accept-Language": "zh"},
    )
    assert answer.status_code == 422
    assert answer.json["errors"]["q"] == ["校验码不符"]


def test_the_admin_list_of_all_workers_is_paged_and_admin_only(registry) -> None:
    enterprise = registry.enterprise()
    for name in ("赵一", "赵二", "钱三"):
        registry.worker(enterprise["id"], name=name)
    answer = registry.client.get("/api/v1/workers?per_page=2", headers=registry.admin)
    assert answer.status_code == 200
    assert answer.json["total"] == 3 and len(answer.json["items"]) == 2
    assert search(registry, "/api/v1/workers", "赵").json["total"] == 2
    assert search(registry, "/api/v1/workers", "赵", active="false").json["total"] == 0
    refused = registry.client.get(
        "/api/v1/workers", headers=registry.headers("enterprise", enterprise["id"])
    )
    assert refused.status_code == 403
    unknown = registry.client.get("/api/v1/workers?name=x", headers=registry.admin)
    assert unknown.status_code == 422 and "name" in unknown.json["errors"]
