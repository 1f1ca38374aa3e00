"""The interactive API docs, in headless Chromium: they render from the service's own files."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

from jiangong.platform import EmbeddedPlatform
from shared.settings import Settings
from tests.support.broker import free_port

CHROMIUM = os.environ.get("JIANGONG_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def platform_url() -> Iterator[str]:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": tempfile.mkdtemp(prefix="jiangong-ui-")})
    platform = EmbeddedPlatform(settings)
    server = make_server("127.0.0.1", free_port(), platform.wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


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
