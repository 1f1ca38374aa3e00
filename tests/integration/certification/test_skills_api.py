"""A worker's skills and history: for admins and the worker's own enterprise only."""

from __future__ import annotations

from datetime import UTC, datetime

from services.certification.adapters.orm import ContestDecision, db

X, Y = "6-18-01-01", "4-04-05-03"


def skills(world, worker: str, headers: dict[str, str] | None = None):
    return world.client.get(f"/api/v1/workers/{worker}/skills", headers=headers or world.auth())


def test_skills_show_the_level_held_per_occupation_with_its_certificate(any_world) -> None:
    assessor = any_world.assessor()
    other = any_world.assessor(occupation_code=Y)
    worker = any_world.worker(enterprise_id="ent-a")
    first = any_world.assess(assessor, worker, level=5, assessed_on="2021-03-01").json
    second = any_world.assess(assessor, worker, level=4, assessed_on="2024-04-01").json
    in_y = any_world.assess(other, worker, level=5, occupation_code=Y).json

    answer = skills(any_world, worker)
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["worker_id"] == worker and body["name"] == "张小强"
    assert body["skills"] == [
        {
            "occupation_code": Y,
            "level": 5,
            "level_name": "五级/初级工",
            "since": "2025-05-20",
            "certificate_number": in_y["certificate_number"],
            "route": "assessment",
        },
        {
            "occupation_code": X,
            "level": 4,
            "level_name": "四级/中级工",
            "since": "2024-04-01",
            "certificate_number": second["certificate_number"],
            "route": "assessment",
        },
    ]
    assert first["certificate_number"] not in {s["certificate_number"] for s in body["skills"]}


def test_the_history_lists_promotions_assessments_and_contest_decisions_newest_first(
    any_world,
) -> None:
    assessor = any_world.assessor()
    worker = any_world.worker()
    failed = any_world.assess(assessor, worker, level=5, theory=40, assessed_on="2023-01-10")
    passed = any_world.assess(assessor, worker, level=5, assessed_on="2023-02-10")
    with any_world.app.app_context():
        db.session.add(
            ContestDecision(
                competition_id="cmp-1",
                worker_id=worker,
                occupation_code=X,
                award="一等奖",
                rank=12,
                published_on=datetime(2024, 9, 1).date(),
                year=2024,
                granted=False,
                from_level=5,
                to_level=None,
                rule="not_eligible_for_contest_promotion",
                detail="The award falls in no band of the contest promotion rules.",
                rules_version=1,
                decided_at=datetime(2024, 9, 1, 3, tzinfo=UTC),
            )
        )
        db.session.commit()

    history = skills(any_world, worker).json["history"]
    assert [(item["kind"], item["on"]) for item in history] == [
        ("contest_decision", "2024-09-01"),
        ("promotion", "2023-02-10"),
        ("assessment", "2023-02-10"),
        ("assessment", "2023-01-10"),
    ]
    decision, promotion, passing, failing = history
    assert decision["granted"] is False
    assert decision["rule"] == "not_eligible_for_contest_promotion" and decision["detail"]
    assert decision["competition_id"] == "cmp-1" and decision["rank"] == 12
    assert promotion["route"] == "assessment" and promotion["to_level"] == 5
    assert promotion["certificate_number"] == passed.json["certificate_number"]
    assert passing["passed"] is True and passing["assessment_id"] == passed.json["id"]
    assert failing["passed"] is False and failing["assessment_id"] == failed.json["id"]
    assert "certificate_number" not in failing and "granted" not in failing


def test_a_worker_with_no_skills_has_empty_lists(world) -> None:
    worker = world.worker()
    body = skills(world, worker).json
    assert body["skills"] == [] and body["history"] == []


def test_the_workers_own_enterprise_sees_them(world) -> None:
    worker = world.worker(enterprise_id="ent-own")
    answer = skills(world, worker, world.auth("enterprise", "ent-own"))
    assert answer.status_code == 200


def test_another_enterprises_worker_is_a_404(any_world) -> None:
    worker = any_world.worker(enterprise_id="ent-own")
    answer = skills(any_world, worker, any_world.auth("enterprise", "ent-other"))
    assert answer.status_code == 404
    assert answer.json["rule"] == "worker_not_found"
    assert "张" not in answer.get_data(as_text=True)


def test_after_a_transfer_the_new_enterprise_sees_the_worker_and_the_old_one_does_not(
    world,
) -> None:
    worker = world.worker(enterprise_id="ent-old")
    world.worker(id=worker, enterprise_id="ent-new", event_type="worker.transferred")
    assert skills(world, worker, world.auth("enterprise", "ent-new")).status_code == 200
    assert skills(world, worker, world.auth("enterprise", "ent-old")).status_code == 404


def test_an_unknown_worker_is_a_404(world) -> None:
    assert skills(world, "wkr-nobody").status_code == 404


def test_assessors_and_readers_may_not_read_skills(world) -> None:
    worker = world.worker()
    assert skills(world, worker, world.auth("assessor", "a")).status_code == 403
    assert skills(world, worker, world.auth("reader")).status_code == 403
    assert world.client.get(f"/api/v1/workers/{worker}/skills").status_code == 401
