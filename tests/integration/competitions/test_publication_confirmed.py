"""Publishing is refused while an assigned judge marked nothing or a registered entry has no
marks (``publication_incomplete``, naming them), unless the admin confirms with ``force=true``."""

from __future__ import annotations

from typing import Any


def _closed_with_gaps(world: Any) -> dict[str, Any]:
    enterprise = world.enterprise("330402")
    workers = [world.worker(enterprise), world.worker(enterprise)]
    competition = world.competition()
    world.move(competition, "open")
    entries = []
    for worker in workers:
        answer = world.enter(competition, enterprise, worker)
        assert answer.status_code == 201, answer.json
        entries.append(answer.json["id"])
    world.move(competition, "close")
    busy, idle = world.judge(competition), world.judge(competition)
    answer = world.score(competition, entries[0], busy, quality=80, safety=70)
    assert answer.status_code == 200, answer.json
    return {"competition": competition, "entries": entries, "busy": busy, "idle": idle}


def test_publishing_with_an_idle_judge_and_an_unmarked_entry_is_refused_naming_them(
    world,
) -> None:
    case = _closed_with_gaps(world)
    refused = world.move(case["competition"], "publish", expect=409)
    assert refused["rule"] == "publication_incomplete"
    assert refused["type"] == "/problems/publication-incomplete"
    assert refused["idle_judges"] == [case["idle"]]
    assert refused["unmarked_entries"] == [case["entries"][1]]
    assert refused["errors"] == {"judges": [case["idle"]], "entries": [case["entries"][1]]}
    assert "force=true" in refused["detail"]
    assert (
        world.client.get(f"/api/v1/competitions/{case['competition']}", headers=world.auth()).json[
            "status"
        ]
        == "closed"
    )


def test_the_refusal_is_in_chinese_when_asked(world) -> None:
    case = _closed_with_gaps(world)
    answer = world.client.post(
        f"/api/v1/competitions/{case['competition']}/publish",
        headers={**world.auth(), "Accept-Language": "zh"},
    )
    assert answer.status_code == 409
    assert answer.json["title"] == "发布前评分未完成"
    assert answer.json["detail"].startswith("尚未评分的评委：1 名")


def test_force_true_publishes_as_before(world) -> None:
    case = _closed_with_gaps(world)
    published = world.move(case["competition"], "publish", query="?force=true")
    assert published["status"] == "published"


def test_force_false_and_unknown_query_parameters(world) -> None:
    case = _closed_with_gaps(world)
    refused = world.move(case["competition"], "publish", expect=409, query="?force=false")
    assert refused["rule"] == "publication_incomplete"
    world.move(case["competition"], "publish", expect=422, query="?forced=true")
    world.move(case["competition"], "publish", expect=422, query="?force=maybe")


def test_a_fully_marked_competition_publishes_without_confirmation(world) -> None:
    enterprise = world.enterprise("330402")
    competition = world.competition()
    world.move(competition, "open")
    entry = world.enter(competition, enterprise, world.worker(enterprise)).json["id"]
    world.move(competition, "close")
    judge = world.judge(competition)
    assert world.score(competition, entry, judge, quality=80, safety=70).status_code == 200
    assert world.move(competition, "publish")["status"] == "published"
