"""Judges' marks over HTTP: only assigned judges, never for their own enterprise, only while
the competition is closed for judging, every criterion within its range; a re-score replaces
the judge's marks and the history keeps both."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from services.competitions.adapters.orm import ScoreHistoryRow, ScoresheetRow


@pytest.fixture
def case(world) -> dict[str, Any]:
    enterprise = world.enterprise()
    competition = world.competition()
    world.move(competition, "open")
    entry = world.enter(competition, enterprise, world.worker(enterprise)).json["id"]
    world.enterprise(id="ent-elsewhere")  # the judge's enterprise, announced by the registry
    return {
        "competition": competition,
        "entry": entry,
        "enterprise": enterprise,
        "judge": world.judge(competition, enterprise_id="ent-elsewhere"),
    }


def _closed(world, case) -> None:
    world.move(case["competition"], "close")


def test_an_assigned_judge_scores_and_a_rescore_replaces_the_marks_keeping_both(
    world, case
) -> None:
    _closed(world, case)
    first = world.score(case["competition"], case["entry"], case["judge"], quality=70, safety=80)
    assert first.status_code == 200, first.json
    assert first.json["marks"] == {"quality": 70.0, "safety": 80.0}
    assert first.json["judge_id"] == case["judge"] and first.json["recorded_at"]
    second = world.score(case["competition"], case["entry"], case["judge"], quality=75.5, safety=80)
    assert second.status_code == 200
    with world.engine.connect() as connection:
        sheets = connection.execute(select(ScoresheetRow.__table__)).all()
        history = connection.execute(
            select(ScoreHistoryRow.__table__).order_by(ScoreHistoryRow.id)
        ).all()
    assert [sheet.marks for sheet in sheets] == [{"quality": 75.5, "safety": 80.0}]
    assert [row.marks["quality"] for row in history] == [70.0, 75.5]
    events = world.published("jiangong.score.recorded.v1")
    assert [e["marks"]["quality"] for e in events] == [70.0, 75.5]
    assert (
        events[0]["entry_id"] == case["entry"] and events[0]["enterprise_id"] == case["enterprise"]
    )


def test_a_score_on_a_draft_competition_is_refused(world, case) -> None:
    draft = world.competition()
    judge = world.judge(draft)
    answer = world.score(draft, case["entry"], judge, quality=1, safety=1)
    assert answer.status_code == 409 and answer.json["rule"] == "not_scorable"
    assert "draft" in answer.json["detail"]


def test_a_score_while_registration_is_open_is_refused(world, case) -> None:
    answer = world.score(case["competition"], case["entry"], case["judge"], quality=1, safety=1)
    assert answer.status_code == 409 and answer.json["rule"] == "not_scorable"


def test_a_score_after_publication_is_refused(world, case) -> None:
    _closed(world, case)
    world.move(case["competition"], "publish", query="?force=true")  # its judge marked nothing
    answer = world.score(case["competition"], case["entry"], case["judge"], quality=1, safety=1)
    assert answer.status_code == 409 and answer.json["rule"] == "not_scorable"


def test_a_judge_of_the_entrys_enterprise_may_not_score_it(world, case) -> None:
    colleague = world.judge(case["competition"], enterprise_id=case["enterprise"])
    _closed(world, case)
    answer = world.score(case["competition"], case["entry"], colleague, quality=90, safety=90)
    assert answer.status_code == 403 and answer.json["rule"] == "judge_own_enterprise"


def test_a_judge_not_assigned_to_the_competition_is_refused(world, case) -> None:
    _closed(world, case)
    answer = world.score(case["competition"], case["entry"], "judge-stranger", quality=9, safety=9)
    assert answer.status_code == 403 and answer.json["rule"] == "judge_not_assigned"


@pytest.mark.parametrize(
    ("marks", "rule"),
    [
        ({"quality": 100.5, "safety": 10}, "marks_out_of_range"),
        ({"quality": -1, "safety": 10}, "marks_out_of_range"),
        ({"quality": 10}, "missing_criterion"),
        ({"quality": 10, "safety": 10, "style": 5}, "unknown_criterion"),
    ],
)
def test_marks_outside_the_criteria_are_refused(world, case, marks, rule) -> None:
    _closed(world, case)
    answer = world.score(case["competition"], case["entry"], case["judge"], **marks)
    assert answer.status_code == 422 and answer.json["rule"] == rule
    assert "marks" in answer.json["errors"]
    assert world.published("jiangong.score.recorded.v1") == []


@pytest.mark.parametrize(
    "marks", [{"quality": "ten", "safety": 1}, {"quality": True, "safety": 1}, {}]
)
def test_marks_that_are_not_numbers_are_refused(world, case, marks) -> None:
    _closed(world, case)
    answer = world.client.put(
        f"/api/v1/competitions/{case['competition']}/entries/{case['entry']}/scores",
        json={"marks": marks},
        headers=world.auth("judge", case["judge"]),
    )
    assert answer.status_code == 422
    assert any(field.startswith("marks") for field in answer.json["errors"])


def test_only_judges_record_scores(world, case) -> None:
    _closed(world, case)
    path = f"/api/v1/competitions/{case['competition']}/entries/{case['entry']}/scores"
    body = {"marks": {"quality": 1, "safety": 1}}
    assert world.client.put(path, json=body, headers=world.auth()).status_code == 403
    as_enterprise = world.auth("enterprise", case["enterprise"])
    assert world.client.put(path, json=body, headers=as_enterprise).status_code == 403
    assert world.client.put(path, json=body).status_code == 401


def test_a_score_for_an_unknown_or_withdrawn_entry_is_404(world, case) -> None:
    enterprise = world.enterprise()
    withdrawn = world.enter(case["competition"], enterprise, world.worker(enterprise)).json["id"]
    path = f"/api/v1/competitions/{case['competition']}/entries/{withdrawn}"
    assert world.client.delete(path, headers=world.auth()).status_code == 204
    _closed(world, case)
    for entry in (withdrawn, "no-such-entry"):
        answer = world.score(case["competition"], entry, case["judge"], quality=1, safety=1)
        assert answer.status_code == 404
