"""The workbench in headless Chromium, against the registry and the workbench embedded: a clerk
signs in, sees 单位信息 and signs out; five wrong passwords lock the account; a POST without its
CSRF token is refused; an idle session ends (the workbench's clock moved); a service that does
not answer gives its page; the session cookie is new at sign-in and out of script's reach; a
signed-out session's cookie and a disabled account's open session are refused; one's other
session ends from 我的账号 through htmx; and every page passes axe-core's WCAG 2.2 AA rules
with no serious or critical violation at 390 and at 1280 px.

Screenshots of each page at both widths are saved in the test's ``tmp_path`` (``pytest -s``
prints where)."""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.support.broker import free_port
from tests.support.workbench import PASSWORD, Bench, workbench_platform

PHONE = {"viewport": {"width": 390, "height": 844}}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
DEADLINE_MS = 15_000


@dataclass
class Served:
    bench: Bench
    url: str

    def page(self, browser: Any, size: dict[str, Any] = PHONE) -> Page:
        context = browser.new_context(**size, locale="zh-CN")
        context.set_default_timeout(DEADLINE_MS)
        return context.new_page()

    def sign_in(self, page: Page, login: str, password: str = PASSWORD) -> None:
        page.goto(f"{self.url}/workbench/login")
        page.get_by_label("账号").fill(login)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()


def serve(stack: ExitStack, **environ: str) -> Served:
    data_dir = Path(tempfile.mkdtemp(prefix="jiangong-workbench-page-"))
    stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
    bench = stack.enter_context(workbench_platform(data_dir, **environ))
    server = make_server("127.0.0.1", free_port(), bench.platform.wsgi, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stack.callback(server.shutdown)
    return Served(bench, f"http://127.0.0.1:{server.server_port}")


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with ExitStack() as stack:
        yield serve(stack)


@pytest.fixture(scope="module")
def registry_down() -> Iterator[Served]:
    """A workbench told that the registry is at a port where nothing answers."""
    with ExitStack() as stack:
        yield serve(stack, JIANGONG_REGISTRY_BASE_URL=f"http://127.0.0.1:{free_port()}")


def test_a_clerk_signs_in_sees_the_enterprise_and_signs_out(browser: Any, served: Served) -> None:
    login, enterprise = served.bench.clerk()
    page = served.page(browser)
    served.sign_in(page, login)
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()
    expect(page.locator("header")).to_contain_text("王经办")
    page.get_by_role("link", name="单位信息").click()
    expect(page.get_by_role("heading", name="单位信息", exact=True)).to_be_visible()
    expect(page.locator("dl")).to_contain_text(enterprise["name"])
    expect(page.locator("dl")).to_contain_text("秀洲区")
    own_page = page.url
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("status")).to_have_text("您已退出登录。")
    page.goto(own_page)
    expect(page).to_have_url(re.compile(r"/workbench/login\?next="))


def test_five_wrong_passwords_lock_the_account(browser: Any, served: Served) -> None:
    login, _ = served.bench.clerk()
    page = served.page(browser)
    for _ in range(4):
        served.sign_in(page, login, "not-the-password")
        expect(page.get_by_role("alert")).to_contain_text("账号或密码不正确")
    served.sign_in(page, login, "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("账号已锁定至")
    served.sign_in(page, login)
    expect(page.get_by_role("alert")).to_contain_text("账号已锁定至")


def test_a_post_without_its_csrf_token_is_refused(browser: Any, served: Served) -> None:
    login, _ = served.bench.clerk()
    page = served.page(browser)
    page.goto(f"{served.url}/workbench/login")
    form = {"login": login, "password": PASSWORD}
    answer = page.request.post(f"{served.url}/workbench/login", form=form, max_redirects=0)
    assert answer.status == 400 and "表单已失效" in answer.text()
    page.goto(f"{served.url}/workbench/")
    expect(page).to_have_url(re.compile(r"/workbench/login"))


def test_an_idle_session_ends(browser: Any, served: Served) -> None:
    login, _ = served.bench.clerk()
    page = served.page(browser)
    served.sign_in(page, login)
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()
    served.bench.clock.move(minutes=31)
    page.reload()
    expect(page.get_by_role("heading", name="登录工作台")).to_be_visible()


def test_a_service_that_does_not_answer_gives_its_page(browser: Any, registry_down: Served) -> None:
    login, _ = registry_down.bench.clerk()
    page = registry_down.page(browser)
    registry_down.sign_in(page, login)
    with page.expect_response(re.compile(r"/workbench/enterprises/")) as answer:
        page.get_by_role("link", name="单位信息").click()
    assert answer.value.status == 503
    expect(page.get_by_role("heading", name="暂时无法使用")).to_be_visible()
    expect(page.get_by_text("仍可使用的功能")).to_be_visible()


def session_cookie(page: Page) -> dict[str, Any]:
    [cookie] = [c for c in page.context.cookies() if c["name"] == "jiangong_workbench"]
    return dict(cookie)


def test_the_session_cookie_is_new_at_sign_in_http_only_and_same_site_lax(
    browser: Any, served: Served
) -> None:
    login, _ = served.bench.clerk()
    page = served.page(browser)
    planted = {"name": "jiangong_workbench", "value": "planted", "domain": "127.0.0.1"}
    page.context.add_cookies([{**planted, "path": "/workbench"}])
    served.sign_in(page, login)
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()
    cookie = session_cookie(page)
    assert cookie["value"] != "planted" and len(cookie["value"]) >= 40
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/workbench"
    assert page.evaluate("document.cookie").find("jiangong_workbench=") == -1  # no script reads it


def test_a_signed_out_sessions_cookie_is_refused_by_the_server(
    browser: Any, served: Served
) -> None:
    login, _ = served.bench.clerk()
    page = served.page(browser)
    served.sign_in(page, login)
    kept = session_cookie(page)
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("status")).to_have_text("您已退出登录。")
    replayed = served.page(browser)
    replayed.context.add_cookies([kept])
    replayed.goto(f"{served.url}/workbench/account")
    expect(replayed.get_by_role("heading", name="登录工作台")).to_be_visible()


def test_a_disabled_accounts_open_session_ends_at_its_next_page(
    browser: Any, served: Served
) -> None:
    from services.workbench.commands import DisableAccount
    from shared.runtime import run

    login, _ = served.bench.clerk()
    page = served.page(browser)
    served.sign_in(page, login)
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()
    run(served.bench.workbench, DisableAccount(login))
    page.get_by_role("link", name="我的账号").first.click()
    expect(page.get_by_role("heading", name="登录工作台")).to_be_visible()


def test_one_ends_ones_other_session_from_my_account_without_a_reload(
    browser: Any, served: Served
) -> None:
    login, _ = served.bench.clerk()
    phone, desktop = served.page(browser), served.page(browser, DESKTOP)
    served.sign_in(phone, login)
    served.sign_in(desktop, login)
    desktop.goto(f"{served.url}/workbench/account")
    rows = desktop.locator("#sessions tbody tr")
    expect(rows).to_have_count(2)
    desktop.get_by_role("button", name="结束此会话").click()  # sent by htmx, its CSRF header
    expect(rows).to_have_count(1)
    phone.reload()
    expect(phone.get_by_role("heading", name="登录工作台")).to_be_visible()


def serious(page: Page) -> list[str]:
    results = Axe().run(page, options=WCAG)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_every_workbench_page_passes_wcag_aa_with_no_serious_violation(
    browser: Any, served: Served, registry_down: Served, size: dict[str, Any], tmp_path: Path
) -> None:
    login, enterprise = served.bench.clerk()
    page = served.page(browser, size)
    pages: dict[str, str] = {"login": "/workbench/login", "certificates": "/workbench/certificates"}
    found: dict[str, list[str]] = {}
    for name, path in pages.items():
        page.goto(served.url + path)
        found[name] = serious(page)
    served.sign_in(page, login, "wrong-password")  # the form with its refusal
    found["refused sign-in"] = serious(page)
    served.sign_in(page, login)
    signed_in = {
        "workbench": "/workbench/",
        "enterprise": f"/workbench/enterprises/{enterprise['id']}",
        "account": "/workbench/account",
        "not found": "/workbench/enterprises/someone-else",
    }
    for name, path in signed_in.items():
        page.goto(served.url + path)
        page.screenshot(path=tmp_path / f"{name}-{size['viewport']['width']}.png", full_page=True)
        found[name] = serious(page)
    down = registry_down.page(browser, size)
    clerk, other = registry_down.bench.clerk()
    registry_down.sign_in(down, clerk)
    down.goto(f"{registry_down.url}/workbench/enterprises/{other['id']}")
    found["unavailable"] = serious(down)
    print(f"screenshots in {tmp_path}")
    assert {name: v for name, v in found.items() if v} == {}
