"""The embedded platform's edge, as a client meets it through the one WSGI app: every error a
problem, each OpenAPI document naming where it is mounted, undeclared query parameters refused,
and problems in Chinese for a client that asks for them."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from jiangong.platform import EmbeddedPlatform, available
from shared.auth import issue_token
from shared.settings import Settings

PROBLEM = "application/problem+json"


class Platform:
    def __init__(self, platform: EmbeddedPlatform, settings: Settings):
        self.platform = platform
        self.client = Client(platform.wsgi)
        self.admin = {"Authorization": f"Bearer {issue_token(settings.secret, 'admin')}"}

    def mounted(self) -> list[str]:
        """The base path of each service's API: ``/registry``..., ``/`` for the dashboard."""
        return [f"/{name}" if name != "dashboard" else "" for name in self.platform.apps]


@pytest.fixture(scope="module")
def embedded() -> Iterator[Platform]:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": tempfile.mkdtemp(prefix="jiangong-edge-")})
    platform = EmbeddedPlatform(settings)
    yield Platform(platform, settings)
    platform.bus.close()


@pytest.fixture(scope="module")
def without_dashboard() -> Iterator[Platform]:
    """The platform with the index app at ``/`` (where no dashboard is mounted)."""
    settings = Settings.from_env({"JIANGONG_DATA_DIR": tempfile.mkdtemp(prefix="jiangong-idx-")})
    platform = EmbeddedPlatform(settings, names=["registry"])
    yield Platform(platform, settings)
    platform.bus.close()


ANYWHERE = [
    ("GET", "/metrics"),
    ("GET", "/nope"),
    ("GET", "/registry/nope"),
    ("GET", "/registry"),
    ("GET", "/registry/api/v1/nothing/here"),
    ("GET", "/competitions/api/v2/competitions"),
    ("GET", "/certification/api/v1/nope"),
    ("DELETE", "/registry/livez"),
    ("POST", "/registry/api/openapi.json"),
    ("PUT", "/livez"),
]


@pytest.mark.parametrize(("method", "path"), ANYWHERE)
def test_every_404_and_405_on_the_platform_is_a_problem(
    embedded: Platform, method: str, path: str
) -> None:
    answer = embedded.client.open(path, method=method)
    assert answer.status_code in (404, 405), answer.status_code
    assert answer.mimetype == PROBLEM
    assert answer.json["status"] == answer.status_code
    assert answer.json["instance"].rstrip("/") == path  # /registry is the registry's /
    if answer.status_code == 405:
        assert answer.headers["Allow"]


@pytest.mark.parametrize(("method", "path"), [("GET", "/metrics"), ("GET", "/nope"), ("POST", "/")])
def test_the_index_at_the_root_answers_problems_too(
    without_dashboard: Platform, method: str, path: str
) -> None:
    answer = without_dashboard.client.open(path, method=method)
    assert answer.status_code in (404, 405)
    assert answer.mimetype == PROBLEM
    assert answer.json["instance"] == path
    assert without_dashboard.client.get("/").json["platform"] == "Jiangong"


def test_each_openapi_document_names_the_base_path_it_is_mounted_at(embedded: Platform) -> None:
    for base in embedded.mounted():
        document = embedded.client.get(f"{base}/api/openapi.json").json
        assert document["servers"][0]["url"] == (base or "/")
        assert list(document)[:3] == ["openapi", "info", "servers"]


def test_a_service_alone_names_the_root(without_dashboard: Platform) -> None:
    registry = without_dashboard.platform.apps["registry"]
    document = registry.test_client().get("/api/openapi.json").json
    assert document["servers"] == [{"url": "/", "description": "this service, as mounted here"}]


# -- query parameters ----------------------------------------------------------------------


def _query_operations(client: Client, base: str) -> Iterator[str]:
    """Every GET operation of a service's document that declares query parameters, its path
    parameters filled with a made-up id."""
    document = client.get(f"{base}/api/openapi.json").json
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if get and any(p["in"] == "query" for p in get.get("parameters", [])):
            yield base + path.replace("{", "").replace("}", "")


def test_every_operation_refuses_a_query_parameter_it_does_not_declare(embedded: Platform) -> None:
    checked = 0
    for base in embedded.mounted():
        for path in _query_operations(embedded.client, base):
            answer = embedded.client.get(f"{path}?colour=red", headers=embedded.admin)
            assert answer.status_code == 422, (path, answer.status_code, answer.json)
            assert answer.mimetype == PROBLEM
            assert answer.json["errors"]["colour"] == ["Unknown field."], path
            assert "colour" in answer.json["detail"]
            checked += 1
    assert checked >= 10


def test_a_paged_list_names_the_filter_it_does_not_have_and_keeps_its_own(
    embedded: Platform,
) -> None:
    answer = embedded.client.get(
        "/registry/api/v1/enterprises?nme=foo&page=1&per_page=5", headers=embedded.admin
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {"nme": ["Unknown field."]}
    fine = embedded.client.get("/registry/api/v1/enterprises?per_page=5", headers=embedded.admin)
    assert fine.status_code == 200 and fine.json["per_page"] == 5


def test_a_body_names_its_unknown_and_its_server_set_fields_together(embedded: Platform) -> None:
    answer = embedded.client.post(
        "/registry/api/v1/enterprises",
        json={"id": "e-1", "status": "active", "colour": "red", "name": "嘉兴某公司"},
        headers=embedded.admin,
    )
    assert answer.status_code == 422
    errors: dict[str, Any] = answer.json["errors"]
    assert errors["colour"] == ["Unknown field."]
    assert errors["id"] == errors["status"] == ["is set by the server and cannot be written"]
    for field in ("colour", "id", "status"):
        assert field in answer.json["detail"]


# -- the reader's language -----------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh", "zh-CN", "zh-CN,zh;q=0.9,en;q=0.8"])
def test_a_bad_id_number_is_explained_in_chinese_to_a_client_that_asks(
    embedded: Platform, language: str
) -> None:
    enterprise = embedded.client.post(
        "/registry/api/v1/enterprises", json=_enterprise(), headers=embedded.admin
    )
    assert enterprise.status_code == 201, enterprise.json
    answer = embedded.client.post(
        f"/registry/api/v1/enterprises/{enterprise.json['id']}/workers",
        json=_worker(id_number="330402199001011235"),  # the check character is 4
        headers={**embedded.admin, "Accept-Language": language},
    )
    assert answer.status_code == 422
    assert answer.headers["Content-Language"] == "zh"
    assert "Accept-Language" in answer.headers["Vary"]
    problem = answer.json
    assert problem["title"] == "请求内容无法处理"
    assert problem["detail"] == "请求中有无效的字段：id_number。"
    assert problem["errors"] == {"id_number": ["校验码不符"]}


def test_a_value_in_the_message_is_kept_in_the_translation(embedded: Platform) -> None:
    enterprise = embedded.client.post(
        "/registry/api/v1/enterprises", json=_enterprise(), headers=embedded.admin
    )
    answer = embedded.client.post(
        f"/registry/api/v1/enterprises/{enterprise.json['id']}/workers",
        json=_worker(id_number="33040219901"),
        headers={**embedded.admin, "Accept-Language": "zh"},
    )
    assert answer.json["errors"] == {"id_number": ["应为 18 位，实际为 11 位"]}


def test_english_is_answered_otherwise(embedded: Platform) -> None:
    for language in (None, "en", "fr", "en-GB,en;q=0.9"):
        headers = {**embedded.admin, **({"Accept-Language": language} if language else {})}
        answer = embedded.client.get("/registry/api/v1/workers/w-none", headers=headers)
        assert answer.status_code == 404
        assert answer.headers["Content-Language"] == "en"
        assert (answer.json["title"], answer.json["detail"]) == (
            "Worker not found",
            "No worker with that id.",
        )


def test_a_rule_keeps_its_type_and_code_in_chinese(embedded: Platform) -> None:
    answer = embedded.client.get(
        "/registry/api/v1/workers/w-none", headers={**embedded.admin, "Accept-Language": "zh"}
    )
    assert answer.json["title"] == "职工不存在"
    assert answer.json["detail"] == "没有该 id 的职工。"
    assert answer.json["type"] == "/problems/worker-not-found"
    assert answer.json["rule"] == "worker_not_found"


def test_the_generic_problems_outside_any_service_are_in_chinese_too(embedded: Platform) -> None:
    answer = embedded.client.get("/nope", headers={"Accept-Language": "zh"})
    assert answer.json["title"] == "未找到"
    assert answer.json["detail"].startswith("服务器上没有所请求的地址")
    unauthorised = embedded.client.get(
        "/registry/api/v1/stats", headers={"Accept-Language": "zh-CN"}
    )
    assert unauthorised.status_code == 401
    assert unauthorised.json["detail"] == "需要持有者令牌（Bearer token）。"


def test_the_platform_has_every_service_of_the_checkout(embedded: Platform) -> None:
    assert list(embedded.platform.apps) == available()


def _enterprise() -> dict[str, Any]:
    import random

    from shared.identifiers import USCC_ALPHABET, make_uscc

    body = "".join(random.choice(USCC_ALPHABET) for _ in range(9))
    return {
        "uscc": make_uscc("91330402" + body),
        "name": "嘉兴测试有限公司",
        "region_code": "330402",
        "has_union": False,
        "above_designated_size": True,
        "ownership": "non_public",
        "employee_count": 50,
    }


def _worker(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "张伟",
        "occupation_code": "6-18-01-01",
        "is_migrant": False,
        "is_union_member": False,
        "hired_on": "2020-09-01",
        **overrides,
    }
