"""The whole life of a competition through the API, on SQLite and PostgreSQL: entries, marks,
the live board moved by the service's own events, publication, results and awards."""

from __future__ import annotations

from typing import Any


def _scored_competition(world: Any) -> dict[str, Any]:
    a, b = world.enterprise("330402"), world.enterprise("330481")
    workers = {e: [world.worker(e, e and "330402"), world.worker(e)] for e in (a, b)}
    competition = world.competition()
    world.move(competition, "open")
    entries = {}
    for name, enterprise, worker in (("a1", a, 0), ("a2", a, 1), ("b1", b, 0)):
        answer = world.enter(competition, enterprise, workers[enterprise][worker])
        assert answer.status_code == 201, answer.json
        entries[name] = answer.json["id"]
    world.move(competition, "close")
    judges = [world.judge(competition) for _ in range(2)]
    marks = {"a1": (80, 90), "a2": (95, 70), "b1": (60, 60)}
    for name, (quality, safety) in marks.items():
        for judge in judges:
            answer = world.score(competition, entries[name], judge, quality=quality, safety=safety)
            assert answer.status_code == 200, answer.json
    world.pump()
    return {"competition": competition, "entries": entries, "a": a, "b": b, "judges": judges}


def test_a_competition_runs_from_draft_to_published_results_with_a_live_board(any_world) -> None:
    world = any_world
    case = _scored_competition(world)
    competition, entries = case["competition"], case["entries"]

    live = world.board(competition)
    assert live.status_code == 200
    assert live.json["status"] == "closed" and live.json["final"] is False
    assert [(r["rank"], r["entry_id"], r["score"]) for r in live.json["rows"]] == [
        (1, entries["a2"], 85.0),
        (2, entries["a1"], 84.0),
        (3, entries["b1"], 60.0),
    ]
    assert all(r["award"] is None for r in live.json["rows"])

    published = world.move(competition, "publish")
    assert published["status"] == "published"
    world.pump()
    final = world.board(competition)
    assert final.json["final"] is True and final.json["status"] == "published"
    assert final.json["version"] > live.json["version"]
    assert [(r["entry_id"], r["award"]) for r in final.json["rows"]] == [
        (entries["a2"], "一等奖"),
        (entries["a1"], "二等奖"),
        (entries["b1"], "三等奖"),
    ]

    [results] = world.published("jiangong.results.published.v1")
    ranking = results["ranking"]
    assert [(r["rank"], r["entry_id"], r["award"]) for r in ranking] == [
        (row["rank"], row["entry_id"], row["award"]) for row in final.json["rows"]
    ]
    awards = world.published("jiangong.award.granted.v1")
    assert [a["award"] for a in awards] == ["一等奖", "二等奖", "三等奖"]
    first = awards[0]
    assert first["ranked_entries"] == 3 and first["rank"] == 1
    assert first["enterprise_id"] == case["a"] and first["year"] == 2025
    assert first["kind"] == "skill_contest" and first["contest_class"] == 1
    assert len(first["published_on"]) == 10

    updates = world.published("jiangong.leaderboard.updated.v1")
    versions = [u["version"] for u in updates]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert updates[-1]["final"] is True

    enterprises = world.client.get("/api/v1/leaderboards/enterprises?year=2025")
    assert [(e["enterprise_id"], e["points"], e["rank"]) for e in enterprises.json["items"]] == [
        (case["a"], 5, 1),
        (case["b"], 1, 2),
    ]
