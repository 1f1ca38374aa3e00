"""The competitions' live boards on the dashboard: kept per competition by the board's own
version from ``leaderboard.updated``, titled by ``competition.*``, answered by ``GET
/api/v1/boards`` with names, pushed on the stream as ``boards`` and shown on the page."""

from __future__ import annotations

import random
import uuid
from typing import Any

from sqlalchemy import select

from services.dashboard.adapters.orm import BoardFact, ReadSideVersion
from shared.events import restore_event
from shared.service import ServiceWorker
from tests.integration.dashboard.conftest import World, build_world, new_id
from tests.integration.dashboard.test_stream import streaming

TITLE = "嘉兴市数控车工技能比武"


def competition_data(competition_id: str, status: str, **data: Any) -> dict[str, Any]:
    return {
        "id": competition_id,
        "title": TITLE,
        "status": status,
        "kind": "skill_contest",
        "level": "city",
        "contest_class": 1,
        "region_code": "330400",
        "occupation_code": "6-18-01-01",
        "year": 2026,
        "published_on": None,
        **data,
    }


def row(rank: int, score: float, **data: Any) -> dict[str, Any]:
    return {
        "rank": rank,
        "entry_id": data.pop("entry_id", None) or f"entry-{rank}",
        "enterprise_id": "ent-1",
        "enterprise_name": "嘉兴精工机械有限公司",
        "team_name": "精工班组",
        "worker_names": ["张小强", "李明"],
        "score": score,
        "award": None,
        **data,
    }


def board_data(competition_id: str, version: int, *rows: dict[str, Any], **data: Any) -> dict:
    return {
        "competition_id": competition_id,
        "version": version,
        "status": "closed",
        "final": False,
        "frozen": False,
        "total": len(rows),
        "rows": list(rows),
        **data,
    }


def competition(world: World, competition_id: str, status: str, **data: Any) -> Any:
    event_type = {"open": "opened", "closed": "closed", "published": "published"}[status]
    return world.send(
        f"competition.{event_type}",
        competition_id,
        competition_data(competition_id, status, **data),
    )


def board(world: World, competition_id: str, version: int, *rows: Any, **data: Any) -> Any:
    return world.send(
        "leaderboard.updated", competition_id, board_data(competition_id, version, *rows, **data)
    )


def boards(world: World) -> list[dict[str, Any]]:
    answer = world.client.get("/api/v1/boards")
    assert answer.status_code == 200, answer.json
    return answer.json["boards"]  # type: ignore[no-any-return]


def version(world: World) -> int:
    with world.engine.connect() as connection:
        return connection.execute(select(ReadSideVersion.version)).scalar_one()


def test_a_competition_being_scored_shows_its_board_with_its_title_and_names(any_world) -> None:
    competition(any_world, "c1", "open")
    competition(any_world, "c1", "closed")
    no_team = row(2, 88.25, enterprise_name="平湖精密", team_name=None)
    board(any_world, "c1", 3, row(1, 91.5), no_team)

    [shown] = boards(any_world)

    assert shown["competition_id"] == "c1"
    assert (shown["title"], shown["status"], shown["final"], shown["total"]) == (
        TITLE,
        "closed",
        False,
        2,
    )
    assert shown["board_version"] == 3
    first, second = shown["rows"]
    assert first == {
        "rank": 1,
        "entry_id": "entry-1",
        "enterprise_id": "ent-1",
        "enterprise_name": "嘉兴精工机械有限公司",
        "team_name": "精工班组",
        "worker_names": ["张小强", "李明"],
        "score": 91.5,
        "award": None,
    }
    assert (second["enterprise_name"], second["team_name"]) == ("平湖精密", None)


def test_an_older_or_repeated_version_changes_nothing(any_world, tmp_path) -> None:
    in_order = build_world(tmp_path / "in-order")
    events = [
        in_order.make("competition.closed", "c1", competition_data("c1", "closed")),
        *(
            in_order.make(
                "leaderboard.updated",
                "c1",
                board_data("c1", v, row(1, 80 + v), row(2, 70 + v, entry_id="entry-x")),
            )
            for v in range(1, 5)
        ),
    ]
    in_order.deliver(*events)

    shuffled = events * 2
    random.Random(4).shuffle(shuffled)
    for event in shuffled:  # each a batch of its own: twice, and out of order
        any_world.deliver(event)

    assert boards(any_world) == boards(in_order)
    [shown] = boards(any_world)
    assert shown["board_version"] == 4
    assert [r["score"] for r in shown["rows"]] == [84, 74]


def test_only_a_newer_board_raises_the_read_sides_version(world) -> None:
    board(world, "c1", 2, row(1, 80))
    after_first = version(world)
    board(world, "c1", 2, row(1, 99))  # the same version again, under a new event id
    board(world, "c1", 1, row(1, 50))  # an older one, late
    assert version(world) == after_first
    assert boards(world)[0]["rows"][0]["score"] == 80

    board(world, "c1", 3, row(1, 85))
    assert version(world) == after_first + 1
    assert boards(world)[0]["rows"][0]["score"] == 85


def test_a_board_from_before_rows_had_names_reads_as_unnamed(world) -> None:
    """The producer's rows before it named them: rank, entry_id, enterprise_id, score, award."""
    data = board_data("c1", 1, {"rank": 1, "entry_id": "n1", "enterprise_id": "e1", "score": 70})
    data["rows"][0]["award"] = None
    event = restore_event(
        id=str(uuid.uuid4()),
        source="/jiangong/competitions",
        type="jiangong.leaderboard.updated.v1",
        subject="c1",
        time=world.now,
        data=data,
    )
    world.deliver(event)

    [shown] = boards(world)
    assert shown["title"] is None  # no competition event yet
    assert shown["rows"] == [
        {
            "rank": 1,
            "entry_id": "n1",
            "enterprise_id": "e1",
            "enterprise_name": None,
            "team_name": None,
            "worker_names": [],
            "score": 70,
            "award": None,
        }
    ]


def test_the_boards_shown_are_those_scoring_then_those_published_lately(world) -> None:
    # 1 July 2026 in Jiaxing; a published board is shown for 30 days
    competition(world, "open", "open")
    board(world, "open", 1, status="open")
    competition(world, "scoring-a", "closed", title="甲")
    board(world, "scoring-a", 2, row(1, 60))
    competition(world, "recent", "published", title="乙", published_on="2026-06-20")
    board(world, "recent", 5, row(1, 95, award="一等奖"), status="published", final=True)
    competition(world, "old", "published", title="丙", published_on="2026-05-01")
    board(world, "old", 5, row(1, 95, award="一等奖"), status="published", final=True)
    competition(world, "no-board-yet", "closed", title="丁")
    board(world, "untitled", 1, row(1, 75))
    board(world, "scoring-b", 4, row(1, 66))  # the latest change of all

    shown = boards(world)

    assert [b["competition_id"] for b in shown] == [
        "scoring-b",
        "untitled",
        "scoring-a",
        "no-board-yet",
        "recent",
    ]
    by_id = {b["competition_id"]: b for b in shown}
    assert by_id["no-board-yet"]["rows"] == [] and by_id["no-board-yet"]["total"] == 0
    assert by_id["recent"]["final"] and by_id["recent"]["rows"][0]["award"] == "一等奖"
    assert by_id["recent"]["published_on"] == "2026-06-20"
    assert world.client.get("/api/v1/boards?year=2026").status_code == 422


def test_a_competition_published_after_its_board_was_scoring_shows_as_published(world) -> None:
    competition(world, "c1", "closed")
    board(world, "c1", 3, row(1, 80))
    competition(world, "c1", "published", published_on="2026-07-01")

    [shown] = boards(world)
    assert shown["status"] == "published"
    assert shown["final"] is False  # the final board has not come yet: its rows are provisional


def test_replay_rebuilds_the_boards(any_world) -> None:
    competition(any_world, "c1", "closed")
    for v in (1, 2, 3):
        board(any_world, "c1", v, row(1, 60 + v))
    board(any_world, "c2", 1, row(1, 55, enterprise_name="海宁纺织"))
    before = boards(any_world)

    replayed = ServiceWorker(any_world.app, any_world.bus).replay()

    assert replayed == 5
    assert boards(any_world) == before
    with any_world.engine.connect() as connection:
        assert connection.execute(select(BoardFact.version).order_by(BoardFact.version)).all() == [
            (1,),
            (3,),
        ]


def test_the_stream_pushes_boards_when_a_board_changes(world) -> None:
    with streaming(world) as stream:
        first = stream.message()
        assert first["event"] == "targets"  # no boards yet: nothing said of them

        competition(world, "c1", "closed")
        board(world, "c1", 1, row(1, 70))
        message = stream.message()
        assert message["event"] == "boards"
        assert int(message["id"]) == message["data"]["version"] > int(first["id"])
        [shown] = message["data"]["boards"]
        assert shown["title"] == TITLE
        assert shown["rows"][0]["worker_names"] == ["张小强", "李明"]

        world.promotion(new_id("wkr"))  # a count moves, the boards do not
        assert stream.message()["event"] == "targets"

    with streaming(world) as again:  # a new client hears both at once
        assert [again.message()["event"], again.message()["event"]] == ["targets", "boards"]


def test_the_page_shows_the_boards_with_names_and_escapes_them(world) -> None:
    competition(world, "c1", "closed", title="<b>技能</b>比武")
    rows = [
        row(1, 91.5),
        row(2, 80, team_name="<script>alert(1)</script>", worker_names=["王芳"]),
    ]
    board(world, "c1", 1, *rows)

    text = world.client.get("/").get_data(as_text=True)

    assert "嘉兴精工机械有限公司" in text
    assert "精工班组 · 张小强、李明" in text
    assert "王芳" in text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>技能</b>" not in text
    assert text.index("竞赛实时榜单") < text.index("Competitions now scoring")


def test_the_page_takes_its_script_styles_and_chart_library_from_this_package(world) -> None:
    text = world.client.get("/").get_data(as_text=True)

    for path in ("assets/dashboard.css", "assets/vendor/chart.umd.min.js", "assets/dashboard.js"):
        assert f'"{path}"' in text  # relative: the page works under any prefix
        served = world.client.get(f"/{path}")
        assert served.status_code == 200
        assert len(served.data) > 1000
    assert "http://" not in text.replace("http://www.w3.org", "")
    assert "https://" not in text
    assert world.client.get("/assets/vendor/chart.js.LICENSE.md").status_code == 200
