"""The interactive API docs, in headless Chromium: they render from the service's own files,
and "Try it out" calls the service where it is mounted."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

from jiangong.platform import EmbeddedPlatform, available
from shared.auth import issue_token
from shared.settings import Settings
from tests.support.broker import free_port

SETTINGS = Settings.from_env({"JIANGONG_DATA_DIR": tempfile.mkdtemp(prefix="jiangong-ui-")})


@pytest.fixture(scope="module")
def platform_url() -> Iterator[str]:
    platform = EmbeddedPlatform(SETTINGS)
    server = make_server("127.0.0.1", free_port(), platform.wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize("service", ["registry", "competitions"])
def test_the_docs_render_every_operation_without_leaving_this_host(
    browser, platform_url: str, service: str
) -> None:
    page = browser.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or ""))
    page.goto(f"{platform_url}/{service}/api/docs")
    page.wait_for_selector(".opblock", timeout=15000)  # Swagger UI drew the operations
    assert page.locator(".opblock-summary-path").filter(has_text="/api/v1/").count() > 3
    assert page.locator("button.authorize").is_visible()  # bearer tokens can be entered
    assert hosts == {"127.0.0.1"}
    page.close()


TRY = {  # a GET of each service, and whether it needs a token
    "registry": ("/api/v1/regions", True),
    "competitions": ("/api/v1/competitions", True),
    "certification": ("/api/v1/assessors", True),
    "dashboard": ("/api/v1/targets", False),
}


@pytest.mark.parametrize("service", [name for name in TRY if name in available()])
def test_try_it_out_calls_the_service_where_it_is_mounted_and_gets_a_200(
    browser, platform_url: str, service: str
) -> None:
    path, needs_token = TRY[service]
    base = "" if service == "dashboard" else f"/{service}"
    page = browser.new_page()
    calls: list[str] = []
    page.on("request", lambda request: calls.append(request.url))
    page.goto(f"{platform_url}{base}/api/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    if needs_token:  # the Authorize dialog, as a person would
        page.click("button.authorize")
        page.locator(".auth-container input").first.fill(issue_token(SETTINGS.secret, "admin"))
        page.locator(".auth-btn-wrapper button.authorize").click()
        page.locator(".auth-btn-wrapper button.btn-done").click()
    operation = (
        page.locator(".opblock-get")
        .filter(has=page.locator(f'.opblock-summary-path[data-path="{path}"]'))
        .first
    )
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=15000)
    assert status.inner_text().strip() == "200"
    assert f"{platform_url}{base}{path}" in " ".join(calls)  # with the prefix it is mounted at
    assert f"{base}{path}" in operation.locator(".request-url").inner_text()
    page.close()
