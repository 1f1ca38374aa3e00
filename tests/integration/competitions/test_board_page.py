"""The public board page over HTTP (the browser test drives it live): the competition's title,
status and the public board with names, every name escaped, every URL under the mount point;
the frozen and the final board; a 404 page for an unknown or draft competition."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from markupsafe import escape

from tests.integration.competitions.conftest import World

MOUNTED = "http://localhost/competitions"  # as the embedded platform mounts the service


def _page(world: World, path: str) -> Any:
    """A page as a browser asks for it."""
    headers = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    return world.client.get(path, base_url=MOUNTED, headers=headers)


def _closed(world: World, team: str, **spec: Any) -> dict[str, Any]:
    enterprise = world.enterprise(name="嘉兴<b>恒达</b>纺织有限公司")
    workers = [world.worker(enterprise, name=n) for n in ("张<i>三</i>", "李四")]
    competition = world.competition(
        title="2025年嘉兴市数控车工职业技能竞赛", team_size={"min": 1, "max": 2}, **spec
    )
    world.move(competition, "open")
    body = {"enterprise_id": enterprise, "worker_ids": workers, "team_name": team}
    path = f"/api/v1/competitions/{competition}/entries"
    entry = world.client.post(path, json=body, headers=world.auth()).json["id"]
    world.move(competition, "close")
    return {"competition": competition, "entry": entry, "judge": world.judge(competition)}


def test_the_page_shows_the_title_status_and_named_board_with_every_name_escaped(world) -> None:
    case = _closed(world, "<script>alert('x')</script>")
    world.score(case["competition"], case["entry"], case["judge"], quality=90, safety=80)
    world.pump()
    answer = _page(world, f"/{case['competition']}")
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    text = answer.get_data(as_text=True)
    assert "2025年嘉兴市数控车工职业技能竞赛" in text
    assert "评分中" in text and "Scoring" in text and "实时暂定" in text
    assert "<script>alert" not in text and "<b>恒达" not in text and "<i>三" not in text
    assert escape("<script>alert('x')</script>") in text
    assert escape("嘉兴<b>恒达</b>纺织有限公司") in text
    assert f"{escape('张<i>三</i>')}、李四" in text
    assert "86.00" in text
    # every URL under the mount point, nothing from elsewhere
    api = f"/competitions/api/v1/competitions/{case['competition']}/leaderboard?per_page=100"
    assert f'data-api="{api}"' in text
    assert 'src="/competitions/board-assets/board.js"' in text
    assert 'href="/competitions/board-assets/board.css"' in text
    assert "http://" not in text and "https://" not in text
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    etag = world.board(case["competition"]).headers["ETag"]
    assert f'data-etag="{escape(etag)}"' in text
    for asset in ("board.js", "board.css"):
        assert _page(world, f"/board-assets/{asset}").status_code == 200


def test_while_a_freeze_holds_the_page_shows_the_frozen_board_then_the_final_one(world) -> None:
    freeze_at = world.now + timedelta(hours=1)
    case = _closed(world, "钳工一班", freeze_at=freeze_at.isoformat())
    world.score(case["competition"], case["entry"], case["judge"], quality=60, safety=60)
    world.now = freeze_at + timedelta(minutes=5)
    world.score(case["competition"], case["entry"], case["judge"], quality=99, safety=99)
    world.pump()
    frozen = _page(world, f"/{case['competition']}").get_data(as_text=True)
    assert "封榜" in frozen and "Frozen" in frozen and 'id="frozen-note" class="note">' in frozen
    assert "60.00" in frozen and "99.00" not in frozen  # the marks recorded after it wait

    world.move(case["competition"], "publish")
    world.pump()
    final = _page(world, f"/{case['competition']}").get_data(as_text=True)
    assert "最终成绩" in final and "已发布" in final and "一等奖" in final
    assert 'id="rows-table" class="final"' in final and "99.00" in final


def test_an_unknown_or_draft_competition_is_a_404_page(world) -> None:
    for path in ("/no-such-competition", f"/{world.competition()}"):
        answer = _page(world, path)
        assert answer.status_code == 404 and answer.mimetype == "text/html"
        text = answer.get_data(as_text=True)
        assert "未找到该竞赛" in text and "/problems/not-found" in text
        # a client that asks for JSON gets the problem document itself
        as_json = world.client.get(path, headers={"Accept": "application/json"})
        assert as_json.status_code == 404 and as_json.mimetype == "application/problem+json"
        assert as_json.json["type"] == "/problems/not-found"


def test_the_root_lists_the_announced_competitions_with_links_to_their_boards(world) -> None:
    opened = world.competition(title="嘉兴市班组创先争优竞赛")
    world.move(opened, "open")
    world.competition(title="尚未公布的竞赛")
    text = _page(world, "/").get_data(as_text=True)
    assert f'href="/competitions/{opened}"' in text and "嘉兴市班组创先争优竞赛" in text
    assert "尚未公布的竞赛" not in text
