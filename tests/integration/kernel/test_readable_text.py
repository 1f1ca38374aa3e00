"""Every text a person will read (a ``Text`` field of the API) refuses what cannot be read as
meant: a NUL, an escape or a bell, a right-to-left override, a value of nothing but
zero-width characters or whitespace. Each is a 422 naming the field, in the reader's language,
on SQLite and on PostgreSQL alike: a NUL never reaches PostgreSQL (which cannot store one and
answered a 500). A NUL in an id, a query parameter or a path, which PostgreSQL can neither store
nor look up, is a problem too (422, or 404 for a path), never a 500."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date
from typing import Any

import pytest
from flask import Flask

from services.certification.service import SERVICE as CERTIFICATION
from services.competitions.service import SERVICE as COMPETITIONS
from services.registry.service import SERVICE as REGISTRY
from shared.app import settings_of
from shared.auth import issue_token
from shared.identifiers import MALE, USCC_ALPHABET, make_id_number, make_uscc
from shared.runtime import ServiceDefinition
from tests.support.bodies import competition_body
from tests.support.postgres import scratch_database
from tests.support.worlds import service_app

UNREADABLE = {
    "a NUL": "张\x00伟",
    "an escape sequence": "\x1b[31m张伟",
    "a bell": "张伟\x07",
    "a C1 control": "张\x85伟",
    "a line feed in a name": "张\n伟",
    "a right-to-left override": "\u202e伟张",
    "a right-to-left isolate": "张\u2067伟",
    "zero-width characters only": "\u200b\u200c\u200d\u2060\ufeff",
    "whitespace only": " \u3000\t",
}
SERVICES = {"registry": REGISTRY, "competitions": COMPETITIONS, "certification": CERTIFICATION}


def _uscc() -> str:
    return make_uscc("91330402" + "".join(random.choices(USCC_ALPHABET, k=9)))


def _id_number() -> str:
    return make_id_number("330402", date(1990, 5, 12), random.randint(0, 99), MALE)


def _enterprise(name: str) -> dict[str, Any]:
    return {
        "uscc": _uscc(),
        "name": name,
        "region_code": "330402",
        "has_union": False,
        "above_designated_size": True,
        "ownership": "non_public",
        "employee_count": 120,
    }


def _worker(name: str) -> dict[str, Any]:
    return {
        "id_number": _id_number(),
        "name": name,
        "occupation_code": "6-18-01-01",
        "is_migrant": False,
        "is_union_member": False,
        "hired_on": "2020-09-01",
    }


def _criterion(name: str) -> dict[str, Any]:
    return competition_body(
        criteria=[{"code": "quality", "name": name, "weight": 1, "max_marks": 100}]
    )


def _assessor(name: str) -> dict[str, Any]:
    authorisation = {
        "occupation_code": "6-18-01-01",
        "levels": [5],
        "valid_from": "2020-01-01",
        "valid_until": "2030-12-31",
    }
    return {"name": name, "authorisations": [authorisation]}


Body = Callable[[str], dict[str, Any]]
ENDPOINTS: list[tuple[str, str, str, str, Body]] = [
    # service, method, path, the field named, the body with that text
    ("registry", "POST", "/api/v1/enterprises", "name", _enterprise),
    ("registry", "POST", "/api/v1/enterprises/e-1/workers", "name", _worker),
    (
        "registry",
        "POST",
        "/api/v1/regions",
        "name",
        lambda t: {"code": "330402001", "name": t, "parent_code": "330402"},
    ),
    ("registry", "PATCH", "/api/v1/workers/w-1", "name", lambda t: {"name": t}),
    ("competitions", "POST", "/api/v1/competitions", "title", lambda t: competition_body(title=t)),
    ("competitions", "POST", "/api/v1/competitions", "criteria.0.name", _criterion),
    (
        "competitions",
        "POST",
        "/api/v1/competitions/c-1/entries",
        "team_name",
        lambda t: {"enterprise_id": "e-1", "worker_ids": ["w-1"], "team_name": t},
    ),
    ("certification", "POST", "/api/v1/assessors", "name", _assessor),
    (
        "certification",
        "POST",
        "/api/v1/studios",
        "name",
        lambda t: {
            "name": t,
            "enterprise_id": "e-1",
            "leader_worker_id": "w-1",
            "level": "municipal",
        },
    ),
    (
        "certification",
        "POST",
        "/api/v1/trainings",
        "course",
        lambda t: {"worker_id": "w-1", "course": t, "hours": 8, "completed_on": "2025-05-01"},
    ),
    (
        "certification",
        "POST",
        "/api/v1/certificates/Y100033000000254000001/revoke",
        "reason",
        lambda t: {"reason": t},
    ),
]


@pytest.fixture(scope="module")
def apps(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str, str], Flask]]:
    """Each service's app on each database, built once for the module when first asked for."""
    built: dict[tuple[str, str], Flask] = {}
    with ExitStack() as stack:

        def app(service: str, database: str) -> Flask:
            if (service, database) not in built:
                url = None
                if database == "postgresql":
                    admin = request.getfixturevalue("postgres_url")
                    url = stack.enter_context(scratch_database(admin, prefix="jiangong_text"))
                tmp = tmp_path_factory.mktemp(f"{service}-{database}")
                built[service, database] = service_app(SERVICES[service], tmp, url)
                stack.callback(_dispose, SERVICES[service], built[service, database])
            return built[service, database]

        yield app


def _dispose(service: ServiceDefinition, app: Flask) -> None:
    with app.app_context():
        service.db.engine.dispose()


def _send(app: Flask, method: str, path: str, body: dict[str, Any], **headers: str) -> Any:
    token = issue_token(settings_of(app).secret, "admin")
    headers = {"Authorization": f"Bearer {token}", **headers}
    return app.test_client().open(path, method=method, json=body, headers=headers)


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("database", DATABASES)
@pytest.mark.parametrize(
    ("service", "method", "path", "field", "body"),
    ENDPOINTS,
    ids=[f"{service} {path} {field}" for service, _, path, field, _ in ENDPOINTS],
)
def test_an_unreadable_text_is_a_422_naming_its_field(
    apps, database: str, service: str, method: str, path: str, field: str, body: Body
) -> None:
    app = apps(service, database)
    for case, text in UNREADABLE.items():
        if field == "reason" and case == "a line feed in a name":
            continue  # a reason may run over lines
        answer = _send(app, method, path, body(text))
        assert answer.status_code == 422, (case, answer.get_data(as_text=True))
        assert answer.mimetype == "application/problem+json"
        assert list(answer.json["errors"]) == [field], case


@pytest.mark.parametrize("database", DATABASES)
def test_a_nul_in_a_name_is_refused_in_the_readers_language_and_nothing_is_written(
    apps, database: str
) -> None:
    app = apps("registry", database)
    mark = uuid.uuid4().hex[:8]
    answer = _send(
        app,
        "POST",
        "/api/v1/enterprises",
        _enterprise(f"嘉兴{mark}\x00有限公司"),
        **{"Accept-Language": "zh-CN"},
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {"name": ["含有控制字符 U+0000"]}
    listed = _send(app, "GET", f"/api/v1/enterprises?q={mark}", {})
    assert listed.status_code == 200 and listed.json["total"] == 0


@pytest.mark.parametrize("database", DATABASES)
def test_a_reason_keeps_its_lines_and_a_name_its_joiners(apps, database: str) -> None:
    app = apps("registry", database)
    answer = _send(app, "POST", "/api/v1/enterprises", _enterprise(" 嘉兴\u200d精工  有限公司 "))
    assert answer.status_code == 201, answer.json
    assert answer.json["name"] == "嘉兴\u200d精工 有限公司"
    app = apps("certification", database)
    path = "/api/v1/certificates/Y100033000000254000001/revoke"
    answer = _send(app, "POST", path, {"reason": "证书信息有误\r\n  请重新申请 "})
    assert answer.status_code == 404  # no such certificate: the reason itself was read


NUL_ELSEWHERE = [
    # service, method, path, body
    (
        "certification",
        "POST",
        "/api/v1/trainings",
        {"worker_id": "w\x00", "course": "焊接", "hours": 8, "completed_on": "2025-05-01"},
    ),
    ("certification", "GET", "/api/v1/trainings?worker_id=w%00", None),
    ("registry", "POST", "/api/v1/workers/w-1/transfer", {"enterprise_id": "e\x00"}),
    ("registry", "GET", "/api/v1/enterprises?region_code=330402&q=%00", None),
    (
        "competitions",
        "POST",
        "/api/v1/competitions/c-1/judges",
        {"judge_id": "j\x00", "enterprise_id": None},
    ),
    ("registry", "GET", "/api/v1/workers/w%00", None),
    ("competitions", "GET", "/api/v1/competitions/c%00", None),
]


@pytest.mark.parametrize("database", DATABASES)
@pytest.mark.parametrize(
    ("service", "method", "path", "body"),
    NUL_ELSEWHERE,
    ids=[f"{case[0]} {case[1]} {case[2]}" for case in NUL_ELSEWHERE],
)
def test_a_nul_in_an_id_a_query_or_a_path_is_answered_with_a_problem_never_a_500(
    apps, database: str, service: str, method: str, path: str, body: Any
) -> None:
    """Where SQLite finds nothing, PostgreSQL cannot even look: no 500 either way."""
    answer = _send(apps(service, database), method, path, body)
    assert answer.status_code < 500, answer.get_data(as_text=True)
    if answer.status_code >= 400:
        assert answer.mimetype == "application/problem+json"


@pytest.mark.postgres
def test_postgresql_refusing_a_nul_is_a_422_in_the_readers_language(apps) -> None:
    path = "/api/v1/trainings?worker_id=w%00"
    answer = _send(
        apps("certification", "postgresql"), "GET", path, {}, **{"Accept-Language": "zh"}
    )
    assert answer.status_code == 422
    assert answer.json["detail"] == "请求中有数据库既不能保存也不能查找的值。"
