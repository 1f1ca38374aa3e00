"""The one port through which the workbench reads and writes: the four services' public APIs,
over httpx, with the signed-in person's platform token.

Embedded, the client is wired to the platform's own WSGI app in-process (``WSGITransport``):
no socket, no server thread. A service given a base URL (distributed) is called there. A
service that does not answer (no connection, a timeout, a 502/503/504) raises
:class:`ServiceUnavailable` naming it; the shell answers that with a 503 page."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from flask import Flask, current_app

from services.workbench.config import EMBEDDED_PREFIXES, config_of
from shared.auth import issue_token
from shared.runtime import PLATFORM_WSGI
from shared.settings import Settings

TIMEOUT = httpx.Timeout(10.0, connect=3.0)
UNAVAILABLE = frozenset({502, 503, 504})
_EXTENSION = "jiangong.workbench.client"


class ServiceUnavailable(Exception):
    def __init__(self, service: str):
        super().__init__(f"the {service} service did not answer")
        self.service = service


@dataclass(frozen=True)
class Caller:
    """Who calls: the token's claims (the same as ``jiangong token issue``'s) and a key the
    minted token is kept under (the session's id)."""

    key: str
    subject: str
    role: str
    scope_id: str | None
    locale: str = "zh"


class TokenMint:
    """A short-lived token per session, minted again when less than a third of it is left."""

    def __init__(self, secret: str, lifetime: timedelta):
        self.secret = secret
        self.lifetime = lifetime
        self._kept: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def token_for(self, caller: Caller) -> str:
        now = time.time()
        with self._lock:
            kept = self._kept.get(caller.key)
        if kept is not None and kept[1] - now > self.lifetime.total_seconds() / 3:
            return kept[0]
        token = issue_token(
            self.secret, caller.role, caller.scope_id, self.lifetime, subject=caller.subject
        )
        with self._lock:
            self._kept = {k: v for k, v in self._kept.items() if v[1] > now}
            self._kept[caller.key] = (token, now + self.lifetime.total_seconds())
        return token

    def forget(self, key: str) -> None:
        with self._lock:
            self._kept.pop(key, None)


class ApiClient:
    def __init__(self, app: Flask, settings: Settings):
        self.app = app
        self.config = config_of(app)
        self.mint = TokenMint(settings.secret, self.config.token_lifetime)
        self._remote = httpx.Client(timeout=TIMEOUT)
        self._in_process: httpx.Client | None = None

    def _http_for(self, service: str) -> tuple[httpx.Client, str]:
        base = self.config.base_urls.get(service)
        if base:
            return self._remote, f"{base}/api/v1"
        platform = self.app.config.get(PLATFORM_WSGI)
        if platform is None:
            raise ServiceUnavailable(service)
        if self._in_process is None:
            transport = httpx.WSGITransport(app=platform)
            self._in_process = httpx.Client(
                transport=transport, base_url="http://platform.internal", timeout=TIMEOUT
            )
        return self._in_process, f"{EMBEDDED_PREFIXES[service]}/api/v1"

    def call(
        self, caller: Caller, service: str, method: str, path: str, **options: Any
    ) -> httpx.Response:
        """One API call as ``caller``; ``options`` go to httpx (``json``, ``params``...)."""
        http, base = self._http_for(service)
        headers = {
            "Authorization": f"Bearer {self.mint.token_for(caller)}",
            "Accept": "application/json",
            "Accept-Language": caller.locale,
        }
        try:
            answer = http.request(method, base + path, headers=headers, **options)
        except httpx.TransportError as error:
            raise ServiceUnavailable(service) from error
        if answer.status_code in UNAVAILABLE:
            raise ServiceUnavailable(service)
        return answer


def attach_client(app: Flask, settings: Settings) -> ApiClient:
    client = ApiClient(app, settings)
    app.extensions[_EXTENSION] = client
    return client


def client_of(app: Flask | None = None) -> ApiClient:
    client: ApiClient = (app or current_app).extensions[_EXTENSION]
    return client
