"""The registry app per test, on a fresh copy of the run's migrated template: SQLite in
``tmp_path`` for every test (``registry``), and PostgreSQL as well for the tests that ask for
``any_db``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from services.registry.adapters.orm import db, kernel
from services.registry.service import SERVICE
from shared.app import settings_of
from shared.auth import issue_token
from shared.identifiers import FEMALE, MALE, USCC_ALPHABET, make_id_number, make_uscc
from shared.settings import Settings
from tests.support.templates import PostgresTemplates
from tests.support.worlds import world_fixtures

COUNTIES = ("330402", "330411", "330421", "330424", "330481", "330482", "330483")
CSV_HEADER = "id_number,name,occupation_code,is_migrant,is_union_member,union_joined_on,hired_on"


class Registry:
    """The app, its test client, tokens, and valid fresh identifiers."""

    def __init__(self, app: Flask, settings: Settings):
        self.app = app
        self.client = app.test_client()
        self.settings = settings
        self.rng = random.Random()
        self._given: set[str] = set()

    def headers(self, role: str = "admin", enterprise_id: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.settings.secret, role, enterprise_id)}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.headers("admin")

    def uscc(self, county: str = "330402") -> str:
        organisation = "".join(self.rng.choice(USCC_ALPHABET) for _ in range(9))
        return make_uscc("91" + county + organisation)

    def id_number(self, region: str = "330402", born: date | None = None) -> str:
        """A new person's ID number, never one this world gave before."""
        for _ in range(1000):
            birth = born or date(
                self.rng.randint(1966, 1999), self.rng.randint(1, 12), self.rng.randint(1, 28)
            )
            gender = self.rng.choice((MALE, FEMALE))
            number = make_id_number(region, birth, self.rng.randint(0, 99), gender)
            if number not in self._given:
                self._given.add(number)
                return number
        raise RuntimeError("no new ID number left for that birth date (200 serials and sexes)")

    def enterprise_body(self, **overrides: Any) -> dict[str, Any]:
        return {
            "uscc": self.uscc(overrides.get("region_code", "330402")[:6]),
            "name": f"嘉兴测试{uuid.uuid4().hex[:6]}有限公司",
            "region_code": "330402",
            "has_union": True,
            "union_founded_on": "2015-05-01",
            "above_designated_size": True,
            "ownership": "non_public",
            "employee_count": 120,
            **overrides,
        }

    def worker_body(self, **overrides: Any) -> dict[str, Any]:
        return {
            "id_number": self.id_number(),
            "name": "张伟",
            "occupation_code": "6-18-01-01",
            "is_migrant": False,
            "is_union_member": True,
            "union_joined_on": "2021-03-01",
            "hired_on": "2020-09-01",
            **overrides,
        }

    def enterprise(self, **overrides: Any) -> dict[str, Any]:
        answer = self.client.post(
            "/api/v1/enterprises", json=self.enterprise_body(**overrides), headers=self.admin
        )
        assert answer.status_code == 201, answer.json
        return answer.json  # type: ignore[no-any-return]

    def worker(self, enterprise_id: str, **overrides: Any) -> dict[str, Any]:
        answer = self.client.post(
            f"/api/v1/enterprises/{enterprise_id}/workers",
            json=self.worker_body(**overrides),
            headers=self.admin,
        )
        assert answer.status_code == 201, answer.json
        return answer.json  # type: ignore[no-any-return]

    def csv_row(self, **cells: str) -> str:
        values = {
            "id_number": self.id_number(),
            "name": "李娜",
            "occupation_code": "6-04-02-01",
            "is_migrant": "否",
            "is_union_member": "是",
            "union_joined_on": "",
            "hired_on": "2019-04-01",
            **cells,
        }
        return ",".join(values[column] for column in CSV_HEADER.split(","))

    def events(self, subject: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
        """The outbox, in order: ``(type, subject, data)``."""
        outbox = kernel.outbox
        query = select(outbox.c.type, outbox.c.subject, outbox.c.data).order_by(outbox.c.position)
        if subject is not None:
            query = query.where(outbox.c.subject == subject)
        with self.app.app_context():
            return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


def registry_of(app: Flask) -> Registry:
    return Registry(app, settings_of(app))


registry, pg_registry, any_db = world_fixtures(
    SERVICE, registry_of, names=("registry", "pg_registry", "any_db")
)


@pytest.fixture
def registry_postgres(postgres_templates: PostgresTemplates) -> Iterator[str]:
    """A fresh registry database of the test's own, on the run's PostgreSQL."""
    with postgres_templates.copy(SERVICE) as url:
        yield url
