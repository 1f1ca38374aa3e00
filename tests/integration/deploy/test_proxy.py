"""The reverse proxy of the distributed platform (``deploy/nginx/nginx.conf``), run by Debian's
nginx in front of each service served on its own loopback port, as ``jiangong serve`` serves it
(at ``/``, believing one proxy): every path the embedded platform serves a service under reaches
that service, its API, its documents and its pages, and the service knows its prefix. Skipped,
saying why, where nginx is not installed."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from jiangong.services import definition
from jiangong.serving import HttpServer, trusting_proxies
from shared.auth import issue_token
from shared.runtime import engine_of, runtime_of
from shared.settings import SERVICE_PORTS, Settings
from tests.support.broker import free_port
from tests.support.http import call
from tests.support.polling import wait_until
from tests.support.worlds import service_app

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "deploy/nginx/nginx.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SERVICES = ("registry", "competitions", "certification", "dashboard")
WORKBENCH_PORT = 8004

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="Debian's nginx is not installed (`make test` installs it as root)"
)


def rendered(upstreams: dict[str, int], port: int) -> str:
    """The proxy's configuration with each service's address replaced by its loopback port,
    listening on ``port`` of loopback, its access log left out."""
    text = CONFIG.read_text()
    for name, upstream in upstreams.items():
        text, replaced = re.subn(rf"\b{name}:\d+;", f"127.0.0.1:{upstream};", text)
        assert replaced == 1, name
    text = text.replace("listen 80;", f"listen 127.0.0.1:{port};")
    return text.replace("access_log /dev/stdout;", "access_log off;")


def nginx(prefix: Path, *arguments: str, config: Path | None = None) -> list[str]:
    """Debian's nginx on ``prefix``'s configuration (or ``config``), its files kept there."""
    assert NGINX
    config = config or prefix / "nginx.conf"
    pid = f"pid {prefix}/nginx.pid;"
    return [NGINX, "-p", f"{prefix}/", "-c", str(config), "-g", pid, *arguments]


class Served:
    """A service's app on a loopback port of its own, believing one proxy."""

    def __init__(self, app: Flask):
        self.app = app
        self.listening = socket.create_server(("127.0.0.1", 0))
        self.server = HttpServer(trusting_proxies(app, 1), self.listening, threads=4)
        self.thread = threading.Thread(target=self.server.serve, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.stop()
        self.thread.join(5)
        self.server.close()
        self.listening.close()
        engine_of(self.app).dispose()


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Served]]:
    data = tmp_path_factory.mktemp("services")
    served = {name: Served(service_app(definition(name), data)) for name in SERVICES}
    yield served
    for one in served.values():
        one.close()


@pytest.fixture(scope="module")
def proxy(services: dict[str, Served], tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """nginx with the proxy's configuration, on a free port; the workbench's port is one where
    nothing listens."""
    prefix = tmp_path_factory.mktemp("nginx")
    port = free_port()
    upstreams = {name: one.server.port for name, one in services.items()}
    (prefix / "nginx.conf").write_text(rendered({**upstreams, "workbench": free_port()}, port))
    checked = subprocess.run(nginx(prefix, "-t"), capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    with open(prefix / "nginx.log", "wb") as log:
        process = subprocess.Popen(nginx(prefix, "-g", "daemon off;"), stdout=log, stderr=log)
    try:
        wait_until(lambda: _answers(port), timeout=10, every=0.05)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def get(
    port: int, path: str, token: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    if headers is None:
        return call(f"http://127.0.0.1:{port}{path}", "GET", token=token)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers)
    answer = connection.getresponse()
    status, body = answer.status, json.loads(answer.read())
    connection.close()
    return status, body


def test_nginx_accepts_the_configuration_as_it_is_shipped(tmp_path: Path) -> None:
    """The file itself, its services' names unresolved (they are looked up per request)."""
    checked = subprocess.run(
        nginx(tmp_path, "-t", config=CONFIG), capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, checked.stderr


def test_the_configuration_names_every_service_and_its_port() -> None:
    text = CONFIG.read_text()
    for name in SERVICES:
        assert f"{name}:{SERVICE_PORTS[name]};" in text, name
    assert f"workbench:{WORKBENCH_PORT};" in text
    assert "client_max_body_size 32m;" in text
    assert Settings.from_env({}).max_upload_bytes == 32 * 1024 * 1024


def test_each_prefix_reaches_its_service_which_knows_its_prefix(
    proxy: int, services: dict[str, Served]
) -> None:
    secret = runtime_of(services["registry"].app).settings.secret
    admin = issue_token(secret, "admin", None, timedelta(minutes=5))
    status, stats = get(proxy, "/registry/api/v1/stats", admin)
    assert status == 200 and stats["enterprises"] == 0
    status, missing = get(proxy, "/registry/api/v1/enterprises/nope", admin)
    assert status == 404 and missing["instance"] == "/registry/api/v1/enterprises/nope"
    assert get(proxy, "/competitions/api/v1/competitions", admin)[0] == 200
    assert get(proxy, "/certification/api/v1/stats?year=2026", admin)[0] == 200
    status, targets = get(proxy, "/api/v1/targets")
    assert status == 200 and targets["targets"]
    for name in ("registry", "competitions", "certification"):
        assert get(proxy, f"/{name}/readyz")[0] == 200, name


def test_the_documents_and_the_pages_are_served_under_their_prefix(proxy: int) -> None:
    for name in ("registry", "competitions", "certification"):
        status, document = get(proxy, f"/{name}/api/openapi.json")
        assert status == 200 and document["servers"][0]["url"] == f"/{name}", name
        status, page = get(proxy, f"/{name}/api/docs")
        assert status == 200 and f"/{name}/api/openapi.json" in page, name
    status, document = get(proxy, "/api/openapi.json", headers={"X-Forwarded-Prefix": "/x"})
    assert status == 200 and document["servers"][0]["url"] == "/"  # a client's is not passed
    status, board_index = get(proxy, "/competitions")  # led on to /competitions/
    assert status == 200 and "<html" in board_index
    status, dashboard = get(proxy, "/")
    assert status == 200 and 'href="assets/dashboard.css"' in dashboard
    assert get(proxy, "/assets/dashboard.css")[0] == 200


def test_the_dashboards_stream_comes_through_as_it_is_written(proxy: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", proxy, timeout=10)
    connection.request("GET", "/api/v1/stream", headers={"Accept": "text/event-stream"})
    answer = connection.getresponse()
    assert answer.status == 200
    assert answer.readline().startswith(b"retry: ")  # not held back until the stream ends
    assert answer.readline() == b"\n"
    message = [answer.readline() for _ in range(2)]
    assert b"event: targets\n" in message
    connection.close()


def test_a_service_that_is_not_running_is_a_503_problem(proxy: int) -> None:
    status, problem = get(proxy, "/workbench/")
    assert status == 503 and problem["status"] == 503 and problem["detail"]


def test_a_body_over_the_upload_limit_is_refused_by_the_proxy(proxy: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", proxy, timeout=10)
    connection.putrequest("POST", "/registry/api/v1/enterprises")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(32 * 1024 * 1024 + 1))
    connection.endheaders()  # the body never comes: the length alone is refused
    answer = connection.getresponse()
    assert answer.status == 413
    assert answer.getheader("Content-Type") == "application/problem+json"
    connection.close()
