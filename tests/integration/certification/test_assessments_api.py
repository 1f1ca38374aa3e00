"""Assessments through the API: passes, promotions and certificates, fails, and every refusal
(which records nothing and publishes nothing)."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from services.certification.adapters.orm import (
    Assessment,
    Certificate,
    LedgerEntry,
    db,
)
from services.certification.adapters.rules_store import store_rules
from services.certification.events import (
    ASSESSMENT_RECORDED,
    CERTIFICATE_ISSUED,
    SKILL_PROMOTED,
)

X, Y = "6-18-01-01", "4-04-05-03"
NUMBER = re.compile(r"S0573" r"33" r"330400" r"25" r"5" r"\d{6}")


def count(world, model: Any, **where: Any) -> int:
    with world.app.app_context():
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return db.session.scalar(stmt)


def nothing_recorded(world, worker_id: str) -> bool:
    return (
        count(world, Assessment, worker_id=worker_id) == 0
        and count(world, LedgerEntry, worker_id=worker_id) == 0
        and count(world, Certificate, worker_id=worker_id) == 0
        and world.published(ASSESSMENT_RECORDED) == []
        and world.published(SKILL_PROMOTED) == []
    )


# -- a pass, a promotion, a certificate --------------------------------------------------------


def test_a_first_pass_gives_level_five_and_a_numbered_certificate(any_world) -> None:
    enterprise = "ent-pass"
    worker = any_world.worker(enterprise_id=enterprise, region_code="330481")
    answer = any_world.assess(any_world.assessor(), worker, level=5)
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["passed"] is True
    assert body["promotion"] == {"from_level": None, "to_level": 5}
    assert NUMBER.fullmatch(body["certificate_number"])
    assert answer.headers["Location"].endswith(f"/api/v1/assessments/{body['id']}")

    [recorded] = any_world.published(ASSESSMENT_RECORDED)
    assert recorded == {
        "id": body["id"],
        "worker_id": worker,
        "enterprise_id": enterprise,
        "region_code": "330481",
        "occupation_code": X,
        "level": 5,
        "passed": True,
        "assessed_on": "2025-05-20",
        "year": 2025,
    }
    [promoted] = any_world.published(SKILL_PROMOTED)
    assert promoted["route"] == "assessment" and promoted["to_level"] == 5
    assert promoted["source_id"] == body["id"]
    assert promoted["certificate_number"] == body["certificate_number"]
    [issued] = any_world.published(CERTIFICATE_ISSUED)
    assert issued["number"] == body["certificate_number"] and issued["name_masked"] == "张*强"


def test_a_fail_is_recorded_and_published_with_no_promotion(any_world) -> None:
    worker = any_world.worker()
    answer = any_world.assess(any_world.assessor(), worker, theory=59.5, practical=90)
    assert answer.status_code == 201, answer.json
    assert answer.json["passed"] is False
    assert answer.json["promotion"] is None and answer.json["certificate_number"] is None
    [recorded] = any_world.published(ASSESSMENT_RECORDED)
    assert recorded["passed"] is False
    assert any_world.published(SKILL_PROMOTED) == []
    assert count(any_world, LedgerEntry, worker_id=worker) == 0


def test_scores_of_exactly_sixty_pass(world) -> None:
    answer = world.assess(world.assessor(), world.worker(), theory=60, practical=60)
    assert answer.json["passed"] is True


def test_levels_two_and_one_without_the_review_panel_fail_and_are_recorded(world) -> None:
    worker = world.worker()
    answer = world.assess(world.assessor(), worker, level=2, review_passed=None)
    assert answer.status_code == 201
    assert answer.json["passed"] is False and answer.json["promotion"] is None


def test_a_pass_one_level_up_after_exactly_the_years_promotes(any_world) -> None:
    assessor, worker = any_world.assessor(), any_world.worker()
    first = any_world.assess(assessor, worker, level=5, assessed_on="2023-05-20")
    assert first.status_code == 201, first.json
    answer = any_world.assess(assessor, worker, level=4, assessed_on="2025-05-20")
    assert answer.status_code == 201, answer.json
    assert answer.json["promotion"] == {"from_level": 5, "to_level": 4}
    assert answer.json["certificate_number"] != first.json["certificate_number"]
    assert answer.json["certificate_number"][15] == "4"  # the level digit of the number
    promoted = any_world.published(SKILL_PROMOTED)
    assert [(p["from_level"], p["to_level"]) for p in promoted] == [(None, 5), (5, 4)]


def test_a_pass_too_early_is_refused_with_the_date_it_becomes_possible(any_world) -> None:
    assessor, worker = any_world.assessor(), any_world.worker()
    any_world.assess(assessor, worker, level=5, assessed_on="2024-02-29")
    before = count(any_world, Assessment, worker_id=worker)
    answer = any_world.assess(assessor, worker, level=4, assessed_on="2025-06-01")
    assert answer.status_code == 409, answer.json
    assert answer.json["rule"] == "too_early_for_promotion"
    assert answer.json["possible_on"] == "2026-02-28"  # 29 February + 2 years
    assert "assessed_on" in answer.json["errors"]
    assert answer.content_type == "application/problem+json"
    assert count(any_world, Assessment, worker_id=worker) == before
    assert len(any_world.published(ASSESSMENT_RECORDED)) == 1  # only the first one's


def test_a_pass_that_skips_a_level_is_refused_naming_the_next_one(any_world) -> None:
    assessor, worker = any_world.assessor(), any_world.worker()
    any_world.assess(assessor, worker, level=5, assessed_on="2020-05-20")
    answer = any_world.assess(assessor, worker, level=3)
    assert answer.status_code == 409
    assert answer.json["rule"] == "level_skipped" and answer.json["next_level"] == 4
    assert count(any_world, Assessment, worker_id=worker) == 1


def test_a_first_pass_above_level_five_is_refused(world) -> None:
    worker = world.worker()
    answer = world.assess(world.assessor(), worker, level=4)
    assert answer.status_code == 409 and answer.json["rule"] == "level_skipped"
    assert nothing_recorded(world, worker)


def test_a_pass_at_the_level_already_held_is_refused(world) -> None:
    assessor, worker = world.assessor(), world.worker()
    world.assess(assessor, worker, level=5, assessed_on="2025-05-01")
    answer = world.assess(assessor, worker, level=5)
    assert answer.status_code == 409 and answer.json["rule"] == "already_at_level"


def test_a_fail_at_a_skipped_level_is_still_recorded(world) -> None:
    worker = world.worker()
    answer = world.assess(world.assessor(), worker, level=3, theory=30)
    assert answer.status_code == 201 and answer.json["passed"] is False


def test_an_assessment_dated_last_year_counts_in_that_year(world) -> None:
    answer = world.assess(world.assessor(), world.worker(), assessed_on="2024-12-31")
    assert answer.status_code == 201
    [recorded] = world.published(ASSESSMENT_RECORDED)
    assert recorded["year"] == 2024
    [promoted] = world.published(SKILL_PROMOTED)
    assert promoted["year"] == 2024 and promoted["promoted_on"] == "2024-12-31"


# -- the rules table in force ----------------------------------------------------------------


def store(world, body: dict[str, Any]) -> int:
    with world.app.app_context():
        version = store_rules(db.session, "promotion", body, "admin:test", world.now)
        db.session.commit()
        return version


def test_the_promotion_rules_table_in_force_sets_the_years(any_world) -> None:
    version = store(any_world, {"years_before": {"4": 1, "3": 4, "2": 4, "1": 4}})
    assert version == 1
    assessor, worker = any_world.assessor(), any_world.worker()
    any_world.assess(assessor, worker, level=5, assessed_on="2024-05-20")
    answer = any_world.assess(assessor, worker, level=4, assessed_on="2025-05-20")
    assert answer.status_code == 201, answer.json
    assert answer.json["promotion"] == {"from_level": 5, "to_level": 4}
    with any_world.app.app_context():
        line = db.session.scalar(select(LedgerEntry).where(LedgerEntry.level == 4))
        assert line.rules_version == 1


def test_years_in_the_occupation_may_allow_a_first_level_above_five(world) -> None:
    store(world, {"first_level_years": {X: {"4": 5}}})
    veteran = world.worker(hired_on="2015-03-01", occupation_code=X)
    newcomer = world.worker(hired_on="2023-03-01", occupation_code=X)
    assessor = world.assessor()
    answer = world.assess(assessor, veteran, level=4)
    assert answer.status_code == 201, answer.json
    assert answer.json["promotion"] == {"from_level": None, "to_level": 4}
    assert world.assess(assessor, newcomer, level=4).status_code == 409


# -- the authorisation, looked up at each request ----------------------------------------------


@pytest.mark.parametrize(
    ("occupation", "level"), [(X, 5), (Y, 3)], ids=["another level", "another occupation"]
)
def test_outside_the_authorisation_is_a_403_with_no_row_and_no_event(
    any_world, occupation: str, level: int
) -> None:
    assessor = any_world.assessor(occupation_code=X, levels=(3,))
    worker = any_world.worker()
    answer = any_world.assess(assessor, worker, level=level, occupation_code=occupation)
    assert answer.status_code == 403, answer.json
    assert answer.json["rule"] == "not_authorised"
    assert nothing_recorded(any_world, worker)


def test_an_assessment_dated_before_the_authorisation_is_a_403(world) -> None:
    worker = world.worker()
    answer = world.assess(world.assessor(), worker, assessed_on="2019-12-31")
    assert answer.status_code == 403
    assert nothing_recorded(world, worker)


def test_an_ended_authorisation_is_a_403_from_the_day_it_ended(any_world) -> None:
    assessor = any_world.assessor()
    record = any_world.client.get(f"/api/v1/assessors/{assessor}", headers=any_world.auth())
    authorisation_id = record.json["authorisations"][0]["id"]
    url = f"/api/v1/assessors/{assessor}/authorisations/{authorisation_id}/end"
    assert any_world.client.post(url, json={}, headers=any_world.auth()).status_code == 200
    worker = any_world.worker()
    answer = any_world.assess(assessor, worker, assessed_on="2025-05-20")
    assert answer.status_code == 403
    assert answer.json["rule"] == "authorisation_ended"
    assert nothing_recorded(any_world, worker)


def test_an_authorisation_past_its_validity_is_a_403(world) -> None:
    body = {
        "name": "老评价",
        "authorisations": [
            {
                "occupation_code": X,
                "levels": [5],
                "valid_from": "2020-01-01",
                "valid_until": "2025-05-31",
            },
        ],
    }
    assessor = world.client.post("/api/v1/assessors", json=body, headers=world.auth()).json["id"]
    answer = world.assess(assessor, world.worker(), assessed_on="2025-05-20")
    assert answer.status_code == 403 and answer.json["rule"] == "authorisation_ended"


def test_an_authorisation_added_later_is_honoured_at_once(world) -> None:
    assessor = world.assessor(occupation_code=X, levels=(5,))
    worker = world.worker()
    assert world.assess(assessor, worker, occupation_code=Y).status_code == 403
    new = {"occupation_code": Y, "levels": [5], "valid_from": "2025-01-01"}
    url = f"/api/v1/assessors/{assessor}/authorisations"
    assert world.client.post(url, json=new, headers=world.auth()).status_code == 201
    assert world.assess(assessor, worker, occupation_code=Y).status_code == 201


def test_a_token_for_an_unknown_assessor_is_a_403(world) -> None:
    worker = world.worker()
    answer = world.assess("no-such-assessor", worker)
    assert answer.status_code == 403
    assert nothing_recorded(world, worker)


@pytest.mark.parametrize("role", ["admin", "enterprise", "reader"])
def test_only_assessors_record_assessments(world, role: str) -> None:
    body = {
        "worker_id": world.worker(),
        "occupation_code": X,
        "level": 5,
        "theory_score": 80,
        "practical_score": 80,
        "review_passed": None,
        "assessed_on": "2025-05-20",
    }
    headers = world.auth(role, "ent-1" if role == "enterprise" else None)
    assert world.client.post("/api/v1/assessments", json=body, headers=headers).status_code == 403


# -- the worker, from the replica --------------------------------------------------------------


def test_an_unknown_worker_is_refused_with_the_rule(world) -> None:
    answer = world.assess(world.assessor(), "wkr-nobody")
    assert answer.status_code == 404
    assert answer.json["rule"] == "worker_not_found"
    assert "worker_id" in answer.json["errors"]


def test_a_worker_who_left_is_refused_and_nothing_is_recorded(any_world) -> None:
    worker = any_world.worker()
    any_world.worker(id=worker, event_type="worker.left", active=False, left_on="2025-05-31")
    answer = any_world.assess(any_world.assessor(), worker)
    assert answer.status_code == 422
    assert answer.json["rule"] == "worker_not_active"
    assert nothing_recorded(any_world, worker)


# -- the request body --------------------------------------------------------------------------


def post(world, assessor: str, **change: Any) -> Any:
    body = {
        "worker_id": world.worker(),
        "occupation_code": X,
        "level": 5,
        "theory_score": 80,
        "practical_score": 80,
        "review_passed": None,
        "assessed_on": "2025-05-20",
    } | change
    headers = world.auth("assessor", assessor)
    return world.client.post("/api/v1/assessments", json=body, headers=headers)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"theory_score": 100.5}, "theory_score"),
        ({"practical_score": -1}, "practical_score"),
        ({"theory_score": True}, "theory_score"),
        ({"theory_score": "eighty"}, "theory_score"),
        ({"level": 6}, "level"),
        ({"level": 0}, "level"),
        ({"level": "5"}, "level"),
        ({"level": 4.5}, "level"),
        ({"assessed_on": "2025-13-01"}, "assessed_on"),
        ({"worker_id": ""}, "worker_id"),
        ({"passed": True}, "passed"),
        ({"certificate_number": "S05733333040025500001"}, "certificate_number"),
        ({"promotion": {"to_level": 1}}, "promotion"),
        ({"id": "mine"}, "id"),
        ({"comment": "good"}, "comment"),
    ],
)
def test_a_bad_field_is_a_422_naming_it_and_nothing_is_recorded(world, change, field) -> None:
    assessor = world.assessor()
    answer = post(world, assessor, **change)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"], answer.json
    assert world.published(ASSESSMENT_RECORDED) == []


@pytest.mark.parametrize(
    "missing", ["worker_id", "occupation_code", "level", "theory_score", "assessed_on"]
)
def test_a_missing_field_is_a_422_naming_it(world, missing: str) -> None:
    body = {
        "worker_id": "w",
        "occupation_code": X,
        "level": 5,
        "theory_score": 80,
        "practical_score": 80,
        "assessed_on": "2025-05-20",
    }
    del body[missing]
    answer = world.client.post(
        "/api/v1/assessments", json=body, headers=world.auth("assessor", "a")
    )
    assert answer.status_code == 422 and missing in answer.json["errors"]


def test_a_score_that_is_not_a_number_is_refused(world) -> None:
    assessor = world.assessor()
    body = (
        '{"worker_id": "w", "occupation_code": "6-18-01-01", "level": 5, "theory_score": NaN,'
        ' "practical_score": 80, "assessed_on": "2025-05-20"}'
    )
    answer = world.client.post(
        "/api/v1/assessments",
        data=body,
        content_type="application/json",
        headers=world.auth("assessor", assessor),
    )
    assert answer.status_code == 422
    assert "theory_score" in answer.json["errors"]


def test_an_assessment_dated_tomorrow_is_a_422(world) -> None:
    worker = world.worker()
    answer = world.assess(world.assessor(), worker, assessed_on="2025-06-03")
    assert answer.status_code == 422
    assert answer.json["rule"] == "assessment_in_future"
    assert "assessed_on" in answer.json["errors"]
    assert nothing_recorded(world, worker)


def test_an_assessment_dated_today_in_jiaxing_is_accepted(world) -> None:
    answer = world.assess(world.assessor(), world.worker(), assessed_on="2025-06-02")
    assert answer.status_code == 201


# -- reading one back --------------------------------------------------------------------------


def test_an_assessment_is_read_by_an_admin_and_its_assessor_only(world) -> None:
    assessor, other = world.assessor(), world.assessor()
    created = world.assess(assessor, world.worker()).json
    url = f"/api/v1/assessments/{created['id']}"
    assert world.client.get(url, headers=world.auth()).json == created
    assert world.client.get(url, headers=world.auth("assessor", assessor)).status_code == 200
    assert world.client.get(url, headers=world.auth("assessor", other)).status_code == 404
    assert world.client.get("/api/v1/assessments/none", headers=world.auth()).status_code == 404


# -- concurrency (PostgreSQL) ----------------------------------------------------------------


def in_threads(world, calls: list[tuple[str, str]]) -> list[Any]:
    """Each ``(assessor, worker)`` assessed at level 5 at the same moment, one thread each."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(index: int, assessor: str, worker: str) -> None:
        client = world.app.test_client()
        body = {
            "worker_id": worker,
            "occupation_code": X,
            "level": 5,
            "theory_score": 80,
            "practical_score": 80,
            "review_passed": None,
            "assessed_on": "2025-05-20",
        }
        barrier.wait()
        answers[index] = client.post(
            "/api/v1/assessments", json=body, headers=world.auth("assessor", assessor)
        )

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.mark.postgres
def test_one_worker_assessed_twice_at_once_gets_one_promotion_and_one_certificate(
    pg_world,
) -> None:
    assessor, worker = pg_world.assessor(), pg_world.worker()
    answers = in_threads(pg_world, [(assessor, worker), (assessor, worker)])
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201, 409], [answer.json for answer in answers]
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert refused.json["rule"] in {"already_at_level", "concurrent_change"}
    assert count(pg_world, Certificate, worker_id=worker) == 1
    assert count(pg_world, LedgerEntry, worker_id=worker) == 1
    assert count(pg_world, Assessment, worker_id=worker) == 1


@pytest.mark.postgres
def test_workers_promoted_at_the_same_moment_get_distinct_serials(pg_world) -> None:
    assessor = pg_world.assessor()
    workers = [pg_world.worker() for _ in range(8)]
    answers = in_threads(pg_world, [(assessor, worker) for worker in workers])
    assert [answer.status_code for answer in answers] == [201] * 8, [a.json for a in answers]
    numbers = [answer.json["certificate_number"] for answer in answers]
    assert len(set(numbers)) == 8
    assert sorted(int(number[-6:]) for number in numbers) == list(range(1, 9))


def test_sequential_promotions_get_consecutive_serials(any_world) -> None:
    assessor = any_world.assessor()
    numbers = [
        any_world.assess(assessor, any_world.worker()).json["certificate_number"] for _ in range(3)
    ]
    assert [int(number[-6:]) for number in numbers] == [1, 2, 3]
