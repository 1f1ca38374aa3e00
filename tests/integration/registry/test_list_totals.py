"""A list's total is cheap: from the union counts where they answer it, else counted only up to
a limit, past which the answer says so (``total_exact: false``) and still serves every page."""

from __future__ import annotations

import pytest

from services.registry import listing


def listed(registry, query: str) -> dict:
    answer = registry.client.get(f"/api/v1/{query}", headers=registry.admin)
    assert answer.status_code == 200, answer.json
    return answer.json


@pytest.fixture
def staffed(any_db) -> tuple:
    enterprise = any_db.enterprise()
    workers = [any_db.worker(enterprise["id"], name=f"王{n}") for n in "一二三四五"]
    leaver = any_db.worker(enterprise["id"], name="王六")
    any_db.client.post(f"/api/v1/workers/{leaver['id']}/leave", headers=any_db.admin)
    return any_db, enterprise, workers, leaver


def test_every_workers_total_comes_exact_from_the_kept_counts(staffed) -> None:
    registry, _enterprise, _workers, _leaver = staffed
    every, current = listed(registry, "workers"), listed(registry, "workers?active=true")
    former = listed(registry, "workers?active=false")
    assert every["total_exact"] and current["total_exact"] and former["total_exact"]
    assert every["total"] == current["total"] + former["total"]
    assert current["total"] >= 5 and former["total"] >= 1


def test_past_the_count_limit_the_total_says_there_are_more(staffed, monkeypatch) -> None:
    registry, enterprise, workers, leaver = staffed
    monkeypatch.setattr(listing, "COUNT_LIMIT", 3)
    mine = f"enterprises/{enterprise['id']}/workers?per_page=2"
    first = listed(registry, mine)
    assert first["total"] == 3 and first["total_exact"] is False
    last = listed(registry, f"{mine}&page=3")  # past the counted total: still served
    seen = [w["id"] for p in (1, 2, 3) for w in listed(registry, f"{mine}&page={p}")["items"]]
    assert seen == [w["id"] for w in workers] + [leaver["id"]] and len(last["items"]) == 2
    few = listed(registry, f"enterprises/{enterprise['id']}/workers?active=false")
    assert few["total"] == 1 and few["total_exact"] is True
    searched = listed(registry, "workers?q=王&per_page=100&active=true")
    assert searched["total_exact"] is False and len(searched["items"]) >= 5


def test_a_deep_page_holds_the_same_rows_in_the_same_order(staffed, monkeypatch) -> None:
    registry, enterprise, workers, leaver = staffed
    mine = f"enterprises/{enterprise['id']}/workers?per_page=2"
    shallow = [listed(registry, f"{mine}&page={p}")["items"] for p in (1, 2, 3, 4)]
    monkeypatch.setattr(listing, "DEEP_OFFSET", 1)
    deep = [listed(registry, f"{mine}&page={p}")["items"] for p in (1, 2, 3, 4)]
    assert deep == shallow and shallow[3] == []
    assert [w["id"] for page in deep for w in page] == [w["id"] for w in workers] + [leaver["id"]]


def test_the_enterprise_list_counts_up_to_the_limit_too(staffed, monkeypatch) -> None:
    registry, enterprise, _workers, _leaver = staffed
    for _ in range(3):
        registry.enterprise()
    monkeypatch.setattr(listing, "COUNT_LIMIT", 2)
    page = listed(registry, "enterprises?per_page=1")
    assert page["total"] == 2 and page["total_exact"] is False and len(page["items"]) == 1
    one = listed(registry, f"enterprises?q={enterprise['uscc']}")
    assert one["total"] == 1 and one["total_exact"] is True


def test_a_worker_is_found_by_the_name_they_have_now(any_db) -> None:
    enterprise = any_db.enterprise()
    tag = any_db.rng.choice("甲乙丙丁戊") + any_db.rng.choice("子丑寅卯辰")
    worker = any_db.worker(enterprise["id"], name=f"欧阳{tag}")
    renamed = any_db.client.patch(
        f"/api/v1/workers/{worker['id']}", json={"name": f"司马{tag}"}, headers=any_db.admin
    )
    assert renamed.status_code == 200, renamed.json

    def found(q: str) -> list[str]:
        return [w["id"] for w in listed(any_db, f"workers?q={q}&per_page=100")["items"]]

    assert worker["id"] in found(f"司马{tag}") and worker["id"] in found(tag)
    assert worker["id"] not in found(f"欧阳{tag}")
