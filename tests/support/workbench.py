"""The workbench on an embedded platform (the registry and the workbench, in-process), for the
workbench's integration and browser tests: enterprises made through the registry's API,
accounts through the workbench's commands, a clock the test moves, and a browser-like client
that keeps cookies and reads each form's CSRF token."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.test import Client, TestResponse

from jiangong.platform import EmbeddedPlatform
from services.workbench.adapters.orm import SignInLogEntry, db
from services.workbench.commands import CreateAccount
from shared.auth import issue_token
from shared.clock import CLOCK
from shared.identifiers import USCC_ALPHABET, make_uscc
from shared.runtime import engine_of, run
from shared.settings import Settings

PASSWORD = "a-long-passphrase"
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class MovingClock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Person:
    """A browser: its cookies, the pages it opens and the forms it sends."""

    def __init__(self, wsgi: Any, address: str = "10.0.0.1", tls: bool = False):
        self.client = Client(wsgi)
        self.options: dict[str, Any] = {"environ_base": {"REMOTE_ADDR": address}}
        self.tls = tls
        if tls:
            self.options["base_url"] = "https://localhost/"

    def get(self, path: str, **headers: str) -> TestResponse:
        return self.client.get(path, headers={"Accept": "text/html", **headers}, **self.options)

    def post(self, path: str, data: dict[str, str], **headers: str) -> TestResponse:
        if self.tls:  # over TLS the CSRF check wants the Referer a browser sends
            headers.setdefault("Referer", "https://localhost/workbench/")
        return self.client.post(path, data=data, headers=headers, **self.options)

    def csrf(self, path: str = "/workbench/certificates") -> str:
        found = CSRF.search(self.get(path).get_data(as_text=True))
        assert found, f"no CSRF token on {path}"
        return found[1]

    def sign_in(self, login: str, password: str = PASSWORD) -> TestResponse:
        token = self.csrf()
        return self.post(
            "/workbench/login", {"login": login, "password": password, "csrf_token": token}
        )

    def cookie(self, name: str = "jiangong_workbench") -> str | None:
        found = self.client.get_cookie(name, path="/workbench")
        if found is None:
            found = self.client.get_cookie(name, domain="localhost", path="/workbench")
        return found.value if found else None


@dataclass
class Bench:
    platform: EmbeddedPlatform
    clock: MovingClock

    @property
    def workbench(self) -> Flask:
        return self.platform.apps["workbench"]

    @property
    def secret(self) -> str:
        return self.platform.settings.secret

    def person(self, address: str = "10.0.0.1", tls: bool = False) -> Person:
        return Person(self.platform.wsgi, address, tls)

    def enterprise(self, region_code: str = "330411", **overrides: Any) -> dict[str, Any]:
        organisation = uuid.uuid4().int
        code = "".join(USCC_ALPHABET[(organisation >> (5 * n)) % 31] for n in range(9))
        body = {
            "uscc": make_uscc("91" + region_code[:6] + code),
            "name": f"嘉兴测试{uuid.uuid4().hex[:6]}有限公司",
            "region_code": region_code,
            "has_union": True,
            "union_founded_on": "2015-05-01",
            "above_designated_size": True,
            "ownership": "non_public",
            "employee_count": 120,
            **overrides,
        }
        answer = Client(self.platform.wsgi).post(
            "/registry/api/v1/enterprises",
            json=body,
            headers={"Authorization": f"Bearer {issue_token(self.secret, 'admin')}"},
        )
        assert answer.status_code == 201, answer.json
        return dict(answer.json or {})

    def account(
        self, role: str = "enterprise", scope_id: str | None = None, password: str | None = PASSWORD
    ) -> str:
        """A new account's login (random, so tests never meet each other's)."""
        login = f"1{uuid.uuid4().int % 10**10:010d}"
        run(self.workbench, CreateAccount(login, "王经办", role, scope_id, password))
        return login

    def clerk(self) -> tuple[str, dict[str, Any]]:
        enterprise = self.enterprise()
        return self.account("enterprise", enterprise["id"]), enterprise

    def log(self) -> list[SignInLogEntry]:
        with self.workbench.app_context():
            entries = list(db.session.scalars(select(SignInLogEntry).order_by(SignInLogEntry.id)))
            db.session.remove()
            return entries


@contextmanager
def workbench_platform(data_dir: Path, **environ: str) -> Iterator[Bench]:
    """The registry and the workbench embedded on ``data_dir``; ``environ`` adds settings
    (``JIANGONG_WORKBENCH_DATABASE_URL`` for PostgreSQL, a service's base URL...)."""
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(data_dir), **environ})
    platform = EmbeddedPlatform(settings, ["registry", "workbench"])
    clock = MovingClock()
    platform.apps["workbench"].config[CLOCK] = clock
    try:
        yield Bench(platform, clock)
    finally:
        platform.bus.close()
        for app in platform.apps.values():
            engine_of(app).dispose()
