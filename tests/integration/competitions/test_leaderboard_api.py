"""A competition's board over HTTP: public, paged, cached by ETag, frozen for the public at
``freeze_at`` until results are published; admins see the live board too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any


def _closed_with_entries(world, count: int, **spec: Any) -> dict[str, Any]:
    competition = world.competition(max_entries_per_enterprise=None, **spec)
    world.move(competition, "open")
    entries = []
    for _ in range(count):
        enterprise = world.enterprise()
        entries.append(world.enter(competition, enterprise, world.worker(enterprise)).json["id"])
    world.move(competition, "close")
    return {"competition": competition, "entries": entries, "judge": world.judge(competition)}


def _rows(answer: Any) -> list[tuple[int, str, float]]:
    return [(row["rank"], row["entry_id"], row["score"]) for row in answer.json["rows"]]


def test_the_board_is_public_paged_and_ranked_with_ties_sharing_a_rank(world) -> None:
    case = _closed_with_entries(world, 4)
    competition, entries, judge = case["competition"], case["entries"], case["judge"]
    for entry, mark in zip(entries, (50, 90, 70, 90), strict=True):
        assert world.score(competition, entry, judge, quality=mark, safety=mark).status_code == 200
    world.pump()
    whole = world.board(competition)
    assert whole.status_code == 200 and whole.json["total"] == 4
    # equal scores and first criteria: the earlier registration first (one clock: then by id)
    assert [rank for rank, _, _ in _rows(whole)] == [1, 1, 3, 4]
    page = world.board(competition, page=2, per_page=3)
    assert _rows(page) == _rows(whole)[3:] and page.json["page"] == 2
    assert world.board(competition, per_page=500).status_code == 422


def test_the_board_answers_with_an_etag_and_304_until_it_changes(world) -> None:
    case = _closed_with_entries(world, 2)
    competition, entries, judge = case["competition"], case["entries"], case["judge"]
    world.score(competition, entries[0], judge, quality=60, safety=60)
    world.pump()
    first = world.board(competition)
    tag = first.headers["ETag"]
    assert tag == f'W/"{competition}-{first.json["version"]}-live"'
    assert "no-cache" in first.headers["Cache-Control"]
    same = world.board(competition, headers={"If-None-Match": tag})
    assert same.status_code == 304 and same.data == b"" and same.headers["ETag"] == tag
    world.score(competition, entries[1], judge, quality=80, safety=80)
    assert world.board(competition, headers={"If-None-Match": tag}).status_code == 304
    world.pump()  # the board moves when the consumer has applied the score, not before
    changed = world.board(competition, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert changed.json["version"] > first.json["version"]
    assert [row["entry_id"] for row in changed.json["rows"]] == [entries[1], entries[0]]


def test_a_board_before_any_fact_is_empty_at_version_zero(world) -> None:
    competition = world.competition()
    answer = world.board(competition)
    assert answer.json["version"] == 0 and answer.json["rows"] == []
    assert answer.json["status"] == "draft"
    assert world.board("no-such-competition").status_code == 404


def test_the_live_view_is_for_admins(world) -> None:
    competition = world.competition()
    assert world.board(competition, view="live").status_code == 401
    as_reader = world.auth("reader")
    assert world.board(competition, view="live", headers=as_reader).status_code == 403
    assert world.board(competition, view="live", headers=world.auth()).status_code == 200
    bad = world.board(competition, headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401


def test_with_a_freeze_the_public_sees_the_board_as_it_stood_until_publication(world) -> None:
    freeze_at = world.now + timedelta(hours=2)
    case = _closed_with_entries(world, 2, freeze_at=freeze_at.isoformat())
    competition, (slow, fast), judge = case["competition"], case["entries"], case["judge"]
    world.score(competition, slow, judge, quality=70, safety=70)
    world.score(competition, fast, judge, quality=60, safety=60)
    world.pump()
    before = world.board(competition)
    assert before.json["frozen"] is False and before.json["view"] == "live"
    assert [row["entry_id"] for row in before.json["rows"]] == [slow, fast]

    world.now = freeze_at + timedelta(minutes=5)  # marks recorded after the freeze
    world.score(competition, fast, judge, quality=95, safety=95)
    world.pump()
    public = world.board(competition)
    assert public.json["frozen"] is True and public.json["view"] == "frozen"
    assert _rows(public) == [(1, slow, 70.0), (2, fast, 60.0)]
    assert public.headers["ETag"].endswith('-frozen"')
    live = world.board(competition, view="live", headers=world.auth())
    assert live.json["frozen"] is False
    assert _rows(live) == [(1, fast, 95.0), (2, slow, 70.0)]
    assert live.headers["ETag"] != public.headers["ETag"]
    [*_, update] = world.published("jiangong.leaderboard.updated.v1")
    assert [row["entry_id"] for row in update["rows"]] == [slow, fast]  # the public top rows

    world.move(competition, "publish")
    world.pump()
    final = world.board(competition)
    assert final.json["final"] is True and final.json["frozen"] is False
    assert _rows(final) == [(1, fast, 95.0), (2, slow, 70.0)]
    assert final.json["rows"][0]["award"] == "一等奖"


def test_a_withdrawn_entry_leaves_the_board(world) -> None:
    competition = world.competition()
    world.move(competition, "open")
    enterprise = world.enterprise()
    entry = world.enter(competition, enterprise, world.worker(enterprise)).json["id"]
    world.client.delete(f"/api/v1/competitions/{competition}/entries/{entry}", headers=world.auth())
    world.move(competition, "close")
    world.pump()
    board = world.board(competition)
    assert board.json["rows"] == [] and board.json["status"] == "closed"


def test_enterprises_are_ranked_by_award_points_of_the_year(world) -> None:
    awards = [{"name": n, "places": 1} for n in ("一等奖", "二等奖", "三等奖", "优秀奖")]
    enterprises = [world.enterprise() for _ in range(5)]
    for year, marks in (
        (2025, (90, 80, 70, 60, 50)),
        (2025, (50, 90, 80, 70, 60)),
        (2024, (99,) * 5),
    ):
        competition = world.competition(year=year, awards=awards)
        world.move(competition, "open")
        entries = [world.enter(competition, e, world.worker(e)).json["id"] for e in enterprises]
        world.move(competition, "close")
        judge = world.judge(competition)
        for entry, mark in zip(entries, marks, strict=True):
            world.score(competition, entry, judge, quality=mark, safety=mark)
        world.move(competition, "publish")
    world.pump()
    table = world.client.get("/api/v1/leaderboards/enterprises?year=2025").json
    points = {item["enterprise_id"]: (item["points"], item["rank"]) for item in table["items"]}
    # first competition: 3, 2, 1, 1, -; second: -, 3, 2, 1, 1
    assert points == {
        enterprises[1]: (5, 1),
        enterprises[2]: (3, 2),
        enterprises[0]: (3, 2),
        enterprises[3]: (2, 4),
        enterprises[4]: (1, 5),
    }
    assert table["total"] == 5 and table["items"][0]["name"]
    assert world.client.get("/api/v1/leaderboards/enterprises").status_code == 422
