"""The front page, in headless Chromium, against the whole embedded platform (all four services,
no demo data): facts made through the services' APIs reach the page through the stream, without
a reload; the page reads on a phone and on a projector; and it says when it lost the stream and
when it is back.

Screenshots at 390 px and 1920 px are saved in the test's ``tmp_path`` (the paths are printed:
``pytest -s`` shows them)."""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from jiangong.platform import EmbeddedPlatform
from shared.auth import issue_token
from shared.clock import today_in_shanghai
from shared.identifiers import MALE, USCC_ALPHABET, make_id_number, make_uscc
from shared.settings import Settings
from tests.support.bodies import competition_body
from tests.support.broker import free_port

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
DEADLINE_MS = 15_000
STREAM = {  # a stream ends (and EventSource reconnects) every 4 s: the outage shows sooner
    "JIANGONG_DASHBOARD_STREAM_SECONDS": "4",
    "JIANGONG_DASHBOARD_HEARTBEAT_SECONDS": "1",
}
ENTERPRISE = "嘉兴精工机械有限公司"
TEAM = "精工班组"
WORKERS = ("张小强", "李明华", "王芳")
TITLE = "嘉兴市数控车工技能比武"
OCCUPATION = "6-18-01-01"


@dataclass
class Served:
    """The platform on a port of its own, and the calls a test makes to its APIs."""

    platform: EmbeddedPlatform
    secret: str
    port: int
    server: BaseWSGIServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.platform.wsgi, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def halt(self) -> None:
        """Stop answering: no new connection is taken (an open stream runs to its end)."""
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()
        self.server = None

    def call(
        self, method: str, path: str, body: Any = None, role: str = "admin", scope: Any = None
    ) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {issue_token(self.secret, role, scope)}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def made_once(self, method: str, path: str, body: Any, expect: int = 201, **kw: Any) -> Any:
        status, answer = self.call(method, path, body, **kw)
        assert status == expect, answer
        return answer

    def eventually(self, method: str, path: str, body: Any, expect: int = 201, **kw: Any) -> Any:
        """A call that needs another service's replica: tried again until the events arrive."""
        deadline = time.monotonic() + DEADLINE_MS / 1000
        while True:
            status, answer = self.call(method, path, body, **kw)
            if status == expect or time.monotonic() > deadline:
                assert status == expect, answer
                return answer
            time.sleep(0.1)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    data_dir = tempfile.mkdtemp(prefix="jiangong-dashboard-page-")
    settings = Settings.from_env({"JIANGONG_DATA_DIR": data_dir, **STREAM})
    platform = EmbeddedPlatform(settings)
    assert set(platform.apps) >= {"registry", "competitions", "certification", "dashboard"}
    platform.start()
    running = Served(platform, settings.secret, free_port())
    running.serve()
    yield running
    if running.server is not None:
        running.halt()
    platform.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


def open_page(browser: Any, served: Served, hosts: set[str], **options: Any) -> Any:
    page = browser.new_page(**options)
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or ""))
    page.goto(f"{served.url}/")
    page.wait_for_selector('body[data-live="open"]', timeout=DEADLINE_MS)
    # marks the document: a reload would lose both; the observer keeps every live state shown
    page.evaluate(
        """() => {
            window.notReloaded = true;
            window.liveStates = [document.body.dataset.live];
            new MutationObserver(() => window.liveStates.push(document.body.dataset.live))
                .observe(document.body, {attributes: true, attributeFilter: ["data-live"]});
        }"""
    )
    return page


def wait_for_text(page: Any, selector: str, text: str) -> None:
    page.wait_for_function(
        "([selector, text]) => [...document.querySelectorAll(selector)]"
        ".some((e) => e.textContent.includes(text))",
        arg=[selector, text],
        timeout=DEADLINE_MS,
    )


def promoted_figure(page: Any) -> str:
    text: str = page.locator('.target[data-key="yearly_promotions"] .current').inner_text()
    return text


def make_workers(served: Served) -> tuple[str, list[str]]:
    """An enterprise and three workers, through the registry's API."""
    uscc = make_uscc("91330402" + "".join(random.choices(USCC_ALPHABET, k=9)))
    enterprise = served.made_once(
        "POST",
        "/registry/api/v1/enterprises",
        {
            "uscc": uscc,
            "name": ENTERPRISE,
            "region_code": "330402",
            "has_union": True,
            "union_founded_on": "2015-05-01",
            "above_designated_size": True,
            "ownership": "non_public",
            "employee_count": 120,
        },
    )
    workers = []
    for sequence, name in enumerate(WORKERS):
        worker = served.made_once(
            "POST",
            f"/registry/api/v1/enterprises/{enterprise['id']}/workers",
            {
                "id_number": make_id_number("330402", date(1990, 5, 12), 10 + sequence, MALE),
                "name": name,
                "occupation_code": OCCUPATION,
                "is_migrant": False,
                "is_union_member": True,
                "union_joined_on": "2021-03-01",
                "hired_on": "2015-03-01",
            },
        )
        workers.append(worker["id"])
    return enterprise["id"], workers


def promote(served: Served, worker_id: str) -> dict[str, Any]:
    """An assessor's level-5 pass: the worker's first level, a promotion."""
    today = today_in_shanghai().isoformat()
    authorisation = {"occupation_code": OCCUPATION, "levels": [5], "valid_from": today}
    body = {"name": "李评价", "authorisations": [authorisation]}
    assessor = served.made_once("POST", "/certification/api/v1/assessors", body)
    assessment = {
        "worker_id": worker_id,
        "occupation_code": OCCUPATION,
        "level": 5,
        "theory_score": 88,
        "practical_score": 91,
        "review_passed": None,
        "assessed_on": today,
    }
    recorded: dict[str, Any] = served.eventually(
        "POST",
        "/certification/api/v1/assessments",
        assessment,
        role="assessor",
        scope=assessor["id"],
    )
    assert recorded["promotion"] is not None, recorded
    return recorded


def competition_under_way(
    served: Served, enterprise_id: str, workers: list[str]
) -> tuple[str, str, list[str]]:
    """A competition with two entries, closed for judging, with a judge: (id, judge, entries)."""
    body = competition_body(
        title=TITLE,
        occupation_code=OCCUPATION,
        year=today_in_shanghai().year,
        awards=[{"name": "一等奖", "places": 1}, {"name": "二等奖", "places": 1}],
    )
    competition = served.made_once("POST", "/competitions/api/v1/competitions", body)["id"]
    base = f"/competitions/api/v1/competitions/{competition}"
    served.made_once("POST", f"{base}/open", None, expect=200)
    entries = [
        served.eventually(
            "POST",
            f"{base}/entries",
            {"enterprise_id": enterprise_id, "worker_ids": names, "team_name": team},
        )["id"]
        for names, team in ((workers[:2], TEAM), (workers[2:], None))
    ]
    served.made_once("POST", f"{base}/close", None, expect=200)
    judge = "judge-browser-1"
    served.made_once("POST", f"{base}/judges", {"judge_id": judge, "enterprise_id": None})
    return competition, judge, entries


def score(served: Served, competition: str, entry: str, judge: str, **marks: float) -> None:
    path = f"/competitions/api/v1/competitions/{competition}/entries/{entry}/scores"
    served.made_once("PUT", path, {"marks": marks}, expect=200, role="judge", scope=judge)


def no_horizontal_overflow(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth"
            " && document.body.scrollWidth <= window.innerWidth"
        )
    )


def screenshot(page: Any, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    print(f"\nscreenshot: {path}")


def test_facts_made_through_the_apis_reach_the_page_live_with_names(
    browser: Any, served: Served, tmp_path: Path
) -> None:
    hosts: set[str] = set()
    page = open_page(browser, served, hosts, **PROJECTOR)
    assert promoted_figure(page) == "0"
    assert "当前没有正在评分的竞赛" in page.locator("#boards").inner_text()
    assert page.locator("canvas#promotions-chart").is_visible()

    enterprise_id, workers = make_workers(served)
    promote(served, workers[0])

    page.wait_for_function(
        """() => document.querySelector('.target[data-key="yearly_promotions"] .current')
            .textContent === "1" """,
        timeout=DEADLINE_MS,
    )

    competition, judge, entries = competition_under_way(served, enterprise_id, workers)
    score(served, competition, entries[0], judge, quality=90, safety=85)  # 88

    board = f'.board[data-competition="{competition}"]'
    wait_for_text(page, f"{board} h3", TITLE)
    names = f"{TEAM} · {WORKERS[0]}、{WORKERS[1]}"
    wait_for_text(page, f"{board} tbody tr:first-child .names", names)
    first = page.locator(f"{board} tbody tr:first-child")
    assert ENTERPRISE in first.locator(".enterprise").inner_text()
    assert first.locator(".score").inner_text().startswith("88.00")
    assert entries[0] not in page.locator(board).inner_text()  # names, not ids

    score(served, competition, entries[1], judge, quality=95, safety=95)  # 95: it goes first
    wait_for_text(page, f"{board} tbody tr:first-child .names", WORKERS[2])
    rows = page.locator(f"{board} tbody tr")
    assert rows.count() == 2
    assert WORKERS[0] in rows.nth(1).inner_text()

    assert page.evaluate("() => window.notReloaded === true")
    assert "lost" not in page.evaluate("() => window.liveStates")  # streams ended, none shown
    assert hosts == {"127.0.0.1"}  # the chart library too came from this host

    screenshot(page, tmp_path / "dashboard-1920.png")
    page.close()

    phone = open_page(browser, served, hosts, **PHONE)
    wait_for_text(phone, f"{board} h3", TITLE)
    assert no_horizontal_overflow(phone), phone.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert phone.locator("h1").bounding_box()["width"] <= 390
    screenshot(phone, tmp_path / "dashboard-390.png")
    phone.close()


def test_the_page_says_when_it_lost_the_stream_and_when_it_is_back(
    browser: Any, served: Served, tmp_path: Path
) -> None:
    page = open_page(browser, served, set(), **PHONE)
    banner = page.locator("#banner")
    assert banner.is_hidden()

    served.halt()  # the open stream ends within 4 s; reconnecting finds nobody
    try:
        # the stream ends within 4 s, the page waits 5 s more before it calls it lost
        page.wait_for_selector('body[data-live="lost"]', timeout=DEADLINE_MS + 5000)
        assert banner.is_visible()
        assert "实时连接中断" in banner.inner_text()
        assert "live connection lost" in banner.inner_text()
        assert "实时连接中断" in page.locator("#live").inner_text()
        screenshot(page, tmp_path / "dashboard-390-lost.png")
    finally:
        served.serve()

    page.wait_for_selector('body[data-live="open"]', timeout=DEADLINE_MS)
    assert "实时连接已恢复" in banner.inner_text()
    assert "live connection restored" in banner.inner_text()
    page.wait_for_selector("#banner", state="hidden", timeout=DEADLINE_MS)  # then it goes
    assert page.evaluate("() => window.notReloaded === true")
    page.close()
