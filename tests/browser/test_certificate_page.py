"""A certificate's verification page, in headless Chromium: what a phone shows after scanning a
printed certificate. The certificate is made through the API of the embedded platform (served
under ``/certification``), the page is screenshot, and the QR code on the screenshot is decoded
back to the page's own URL."""

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
from werkzeug.serving import make_server

from jiangong.platform import EmbeddedPlatform
from shared.auth import issue_token
from shared.clock import today_in_shanghai
from shared.events import new_event, topic_of
from shared.inbox import Delivery
from shared.settings import Settings
from tests.support.broker import free_port

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}


@dataclass
class Served:
    url: str
    secret: str
    platform: EmbeddedPlatform

    def call(self, method: str, path: str, body: dict[str, Any], role: str, scope: Any = None):
        request = urllib.request.Request(
            f"{self.url}/certification/api/v1{path}",
            data=json.dumps(body).encode(),
            method=method,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {issue_token(self.secret, role, scope)}",
            },
        )
        with urllib.request.urlopen(request) as answer:
            return json.loads(answer.read())

    def announce_worker(self, worker_id: str, name: str) -> None:
        """The registry's ``worker.registered``, handed to certification's consumer."""
        data = {
            "id": worker_id,
            "enterprise_id": "ent-browser",
            "name": name,
            "id_number_masked": "330402********123X",
            "region_code": "330402",
            "occupation_code": "6-18-01-01",
            "is_migrant": False,
            "hired_on": "2015-03-01",
            "active": True,
        }
        event = new_event("registry", "jiangong.worker.registered.v1", worker_id, data)
        [worker] = [w for w in self.platform.workers if w.definition.name == "certification"]
        assert worker.consumer is not None
        delivery = Delivery(topic_of("registry"), 0, 1, event=event)
        assert worker.consumer.handle([delivery]) == []

    def certificate(self, worker_id: str, name: str) -> str:
        """A certificate made the way an assessor makes one: a level-5 pass."""
        self.announce_worker(worker_id, name)
        today = today_in_shanghai().isoformat()
        authorisation = {"occupation_code": "6-18-01-01", "levels": [5], "valid_from": today}
        assessor = self.call(
            "POST", "/assessors", {"name": "李评价", "authorisations": [authorisation]}, "admin"
        )
        assessment = {
            "worker_id": worker_id,
            "occupation_code": "6-18-01-01",
            "level": 5,
            "theory_score": 88,
            "practical_score": 91,
            "review_passed": None,
            "assessed_on": today,
        }
        recorded = self.call("POST", "/assessments", assessment, "assessor", assessor["id"])
        return str(recorded["certificate_number"])


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    data_dir = tempfile.mkdtemp(prefix="jiangong-certificate-page-")
    settings = Settings.from_env({"JIANGONG_DATA_DIR": data_dir})
    platform = EmbeddedPlatform(settings, ["certification"])
    server = make_server("127.0.0.1", free_port(), platform.wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(f"http://127.0.0.1:{server.server_port}", settings.secret, platform)
    server.shutdown()
    platform.bus.close()
    shutil.rmtree(data_dir, ignore_errors=True)


def decoded(screenshot: Path) -> list[str]:
    import zxingcpp
    from PIL import Image

    with Image.open(screenshot) as image:
        return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_verification_page_shows_the_masked_name_and_its_qr_code_leads_back_to_it(
    browser, served: Served, tmp_path: Path
) -> None:
    number = served.certificate("wkr-browser-1", "张小强")
    url = f"{served.url}/certification/api/v1/certificates/{number}"
    page = browser.new_page(**PHONE)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or ""))
    answer = page.goto(url)
    assert answer is not None and answer.status == 200
    assert answer.headers["content-type"].startswith("text/html")

    assert page.locator("#name").inner_text() == "张*强"
    assert "张小强" not in page.content()
    assert "有效" in page.locator("#status").inner_text()
    assert page.locator("#number").inner_text() == number
    assert page.locator("svg.segno").is_visible()
    assert hosts == {"127.0.0.1"}  # nothing fetched from elsewhere

    screenshot = tmp_path / "certificate.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert decoded(screenshot) == [url]
    page.close()


def test_the_page_of_a_revoked_certificate_says_so_and_why(
    browser, served: Served, tmp_path: Path
) -> None:
    number = served.certificate("wkr-browser-2", "欧阳小明")
    reason = "以欺骗手段取得"
    served.call("POST", f"/certificates/{number}/revoke", {"reason": reason}, "admin")
    url = f"{served.url}/certification/api/v1/certificates/{number}"
    page = browser.new_page(**PHONE)
    page.goto(url)
    assert "已撤销" in page.locator("#status").inner_text()
    assert reason in page.locator("#reason").inner_text()
    assert page.locator("#name").inner_text() == "欧**明"
    screenshot = tmp_path / "revoked.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert decoded(screenshot) == [url]
    page.close()


def test_an_unknown_number_is_a_page_saying_so(browser, served: Served) -> None:
    page = browser.new_page(**PHONE)
    answer = page.goto(f"{served.url}/certification/api/v1/certificates/S057333330400255999999")
    assert answer is not None and answer.status == 404
    assert "未找到该证书" in page.locator("#status").inner_text()
    page.close()
