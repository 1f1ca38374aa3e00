"""A competition's public board page, in headless Chromium, against a running embedded platform
(the competitions service under ``/competitions``, its relay and consumer threads running): the
page names every entry (a team name that looks like a script stays text), a judge's marks
recorded through the API move the board on the open page without a reload, a lost connection
is said and so is its return, and the page fits a phone (390 px) and a projector (1920 px)."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from jiangong.platform import EmbeddedPlatform
from shared.auth import issue_token
from shared.events import new_event, topic_of
from shared.inbox import Delivery
from shared.settings import Settings
from tests.support.bodies import competition_body
from tests.support.broker import free_port
from tests.support.polling import wait_until

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
SCRIPTED_TEAM = "<script>window.injected = 1</script>"
DEADLINE_MS = 15_000


@dataclass
class Served:
    url: str
    secret: str
    platform: EmbeddedPlatform

    def call(self, method: str, path: str, body: Any, role: str = "admin", scope: Any = None):
        request = urllib.request.Request(
            f"{self.url}/competitions/api/v1{path}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {issue_token(self.secret, role, scope)}",
            },
        )
        with urllib.request.urlopen(request) as answer:
            return json.loads(answer.read())

    def registry(self, event_type: str, data: dict[str, Any]) -> None:
        """A registry event, handed to the competitions consumer (the registry is not running)."""
        event = new_event("registry", f"jiangong.{event_type}.v1", data["id"], data)
        [worker] = [w for w in self.platform.workers if w.definition.name == "competitions"]
        assert worker.consumer is not None
        assert worker.consumer.handle([Delivery(topic_of("registry"), 0, 1, event=event)]) == []

    def enterprise(self, enterprise_id: str, name: str, workers: dict[str, str]) -> None:
        self.registry(
            "enterprise.registered", {"id": enterprise_id, "name": name, "region_code": "330402"}
        )
        for worker_id, worker_name in workers.items():
            data = {
                "id": worker_id,
                "enterprise_id": enterprise_id,
                "name": worker_name,
                "id_number_masked": "330402********123X",
                "region_code": "330402",
                "is_migrant": False,
            }
            self.registry("worker.registered", data)

    def board(self, competition_id: str) -> dict[str, Any]:
        url = f"{self.url}/competitions/api/v1/competitions/{competition_id}/leaderboard"
        with urllib.request.urlopen(url) as answer:
            return dict(json.loads(answer.read()))


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    data_dir = tempfile.mkdtemp(prefix="jiangong-board-page-")
    settings = Settings.from_env({"JIANGONG_DATA_DIR": data_dir})
    platform = EmbeddedPlatform(settings, ["competitions"])
    platform.start()
    server = make_server("127.0.0.1", free_port(), platform.wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(f"http://127.0.0.1:{server.server_port}", settings.secret, platform)
    server.shutdown()
    platform.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def contest(served: Served) -> dict[str, Any]:
    """A closed skill contest with three entries (one a team whose name looks like a script)
    and a judge; the first entry already marked, so the board has a row."""
    served.enterprise(
        "ent-page-1", "嘉兴恒达精密机械有限公司", {"wkr-p1": "王建国", "wkr-p2": "李秀英"}
    )
    served.enterprise("ent-page-2", "海宁新凯电子股份有限公司", {"wkr-p3": "陈晓燕"})
    served.enterprise("ent-page-3", "桐乡禾丰纺织有限公司", {"wkr-p4": "欧阳明轩"})
    spec = competition_body(
        title="2025年嘉兴市数控车工职业技能竞赛",
        criteria=[
            {"code": "theory", "name": "理论知识", "weight": 0.3, "max_marks": 100},
            {"code": "practical", "name": "实际操作", "weight": 0.7, "max_marks": 100},
        ],
        awards=[{"name": "一等奖", "places": 1}],
    )
    competition = served.call("POST", "/competitions", spec)["id"]
    served.call("POST", f"/competitions/{competition}/open", None)
    entries = [
        served.call(
            "POST",
            f"/competitions/{competition}/entries",
            {"enterprise_id": enterprise, "worker_ids": workers, "team_name": team},
        )["id"]
        for enterprise, workers, team in (
            ("ent-page-1", ["wkr-p2", "wkr-p1"], SCRIPTED_TEAM),
            ("ent-page-2", ["wkr-p3"], None),
            ("ent-page-3", ["wkr-p4"], "精益求精队"),
        )
    ]
    served.call("POST", f"/competitions/{competition}/close", None)
    served.call("POST", f"/competitions/{competition}/judges", {"judge_id": "judge-page"})
    case = {"competition": competition, "entries": entries}
    score(served, case, 0, theory=70, practical=72)
    wait_until(lambda: served.board(competition)["total"] == 1, timeout=15)
    return case


def score(served: Served, contest: dict[str, Any], entry: int, **marks: float) -> None:
    path = f"/competitions/{contest['competition']}/entries/{contest['entries'][entry]}/scores"
    served.call("PUT", path, {"marks": marks}, "judge", "judge-page")


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def row_names(page: Any) -> list[str]:
    return list(page.locator("#rows tr td.who").all_inner_texts())


def test_the_board_names_every_entry_and_moves_live_when_a_judge_scores(
    browser: Any, served: Served, contest: dict[str, Any], tmp_path: Path
) -> None:
    page = browser.new_page(**PROJECTOR)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or ""))
    answer = page.goto(f"{served.url}/competitions/{contest['competition']}")
    assert answer is not None and answer.status == 200
    assert page.locator("#title").inner_text() == "2025年嘉兴市数控车工职业技能竞赛"
    assert "评分中" in page.locator("#status").inner_text()
    [first] = row_names(page)
    assert SCRIPTED_TEAM in first  # the team's name, as text
    assert "李秀英、王建国" in first and "嘉兴恒达精密机械有限公司" in first
    assert page.evaluate("window.injected") is None
    page.evaluate("window.sameDocument = true")  # gone if the page reloads

    score(served, contest, 1, theory=95, practical=96)  # a new row, ahead of the first
    expect(page.locator("#rows tr")).to_have_count(2, timeout=DEADLINE_MS)
    names = row_names(page)
    assert "陈晓燕" in names[0] and "海宁新凯电子股份有限公司" in names[0]
    assert SCRIPTED_TEAM in names[1]
    assert page.locator("#rows tr").first.locator("td.rank").inner_text() == "1"

    score(served, contest, 2, theory=99, practical=99)  # and another that overtakes both
    leader = page.locator("#rows tr td.who").first
    expect(leader).to_contain_text("欧阳明轩", timeout=DEADLINE_MS)
    assert "精益求精队" in row_names(page)[0] and "桐乡禾丰纺织有限公司" in row_names(page)[0]
    assert page.locator("#count").inner_text() == "3"
    assert page.evaluate("window.sameDocument") is True
    assert page.evaluate("window.injected") is None
    assert hosts == {"127.0.0.1"}  # nothing fetched from elsewhere

    assert fits(page)
    page.screenshot(path=str(tmp_path / "board-1920.png"), full_page=True)
    page.close()


def test_the_page_says_when_the_server_is_out_of_reach_and_when_it_is_back(
    browser: Any, served: Served, contest: dict[str, Any], tmp_path: Path
) -> None:
    page = browser.new_page(**PHONE)
    page.goto(f"{served.url}/competitions/{contest['competition']}")
    banner = page.locator("#connection")
    assert banner.is_hidden()
    page.route("**/leaderboard*", lambda route: route.abort("connectionrefused"))
    banner.filter(has_text="连接中断").wait_for(state="visible", timeout=DEADLINE_MS)
    assert "Connection lost" in banner.inner_text()
    page.screenshot(path=str(tmp_path / "board-390-offline.png"), full_page=True)
    page.unroute("**/leaderboard*")
    banner.filter(has_text="已恢复连接").wait_for(state="visible", timeout=DEADLINE_MS)
    banner.wait_for(state="hidden", timeout=DEADLINE_MS)
    page.close()


def test_the_page_fits_a_phone_and_a_projector(
    browser: Any, served: Served, contest: dict[str, Any], tmp_path: Path
) -> None:
    for name, size in (("390", PHONE), ("1920", PROJECTOR)):
        page = browser.new_page(**size)
        page.goto(f"{served.url}/competitions/{contest['competition']}")
        page.locator("#rows tr").first.wait_for(timeout=DEADLINE_MS)
        assert fits(page), f"horizontal overflow at {name} px"
        assert page.locator("#rows tr td.who").first.is_visible()
        assert page.locator("#rows tr td.score").first.is_visible()
        page.screenshot(path=str(tmp_path / f"board-{name}.png"), full_page=True)
        page.close()


def test_an_unknown_competition_is_a_404_page(browser: Any, served: Served) -> None:
    page = browser.new_page(**PHONE)
    answer = page.goto(f"{served.url}/competitions/no-such-competition")
    assert answer is not None and answer.status == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "未找到该竞赛" in page.locator("#title").inner_text()
    assert "/problems/not-found" in page.locator("#problem").inner_text()
    assert fits(page)
    page.close()
