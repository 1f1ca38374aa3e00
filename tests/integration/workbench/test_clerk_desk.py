"""The clerk's desk: 单位信息 as the registry holds it, another enterprise's id a 404 that
changes nothing, and a page saying what is unavailable when a service does not answer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, text
from werkzeug.test import Client

from shared.auth import issue_token
from shared.runtime import engine_of
from tests.support.broker import free_port
from tests.support.workbench import Bench, workbench_platform


def test_the_clerk_sees_the_enterprise_by_names_not_codes(bench: Bench) -> None:
    login, enterprise = bench.clerk()
    person = bench.person()
    person.sign_in(login)
    home = person.get("/workbench/").get_data(as_text=True)
    assert f'href="/workbench/enterprises/{enterprise["id"]}">单位信息' in home
    page = person.get(f"/workbench/enterprises/{enterprise['id']}").get_data(as_text=True)
    assert enterprise["name"] in page and enterprise["uscc"] in page
    assert "<dd>秀洲区</dd>" in page and ">330411<" not in page
    assert "非公有制" in page and "已建会（2015-05-01）" in page


def test_a_town_is_named_after_its_county(bench: Bench) -> None:
    added = Client(bench.platform.wsgi).post(
        "/registry/api/v1/regions",
        json={"code": "330411001", "name": "王江泾镇", "parent_code": "330411"},
        headers={"Authorization": f"Bearer {issue_token(bench.secret, 'admin')}"},
    )
    assert added.status_code == 201, added.json
    enterprise = bench.enterprise(region_code="330411001")
    login = bench.account("enterprise", enterprise["id"])
    person = bench.person()
    person.sign_in(login)
    page = person.get(f"/workbench/enterprises/{enterprise['id']}").get_data(as_text=True)
    assert "<dd>秀洲区 王江泾镇</dd>" in page and ">330411001<" not in page


def rows(bench: Bench) -> dict[str, int]:
    """Every table's row count in the registry's and the workbench's databases."""
    counts = {}
    for name, app in bench.platform.apps.items():
        with engine_of(app).connect() as connection:
            tables = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
            ).scalars()
            for table in list(tables):
                count = connection.execute(select(func.count()).select_from(text(table)))
                counts[f"{name}.{table}"] = count.scalar_one()
    return counts


def test_another_enterprises_id_in_any_workbench_url_is_a_404_that_changes_nothing(
    bench: Bench,
) -> None:
    login, _own = bench.clerk()
    other = bench.enterprise()
    person = bench.person()
    person.sign_in(login)
    before = rows(bench)
    for path in (f"/workbench/enterprises/{other['id']}", "/workbench/enterprises/no-such-id"):
        answer = person.get(path)
        assert answer.status_code == 404 and "页面不存在" in answer.get_data(as_text=True)
        assert other["name"] not in answer.get_data(as_text=True)
    assert rows(bench) == before


def test_a_desk_is_a_404_to_another_role(bench: Bench) -> None:
    enterprise = bench.enterprise()
    admin = bench.person()
    admin.sign_in(bench.account("admin"))
    assert admin.get(f"/workbench/enterprises/{enterprise['id']}").status_code == 404


def test_a_service_that_does_not_answer_gives_a_page_saying_what_still_works(
    tmp_path: Path,
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    with workbench_platform(tmp_path, JIANGONG_REGISTRY_BASE_URL=nowhere) as bench:
        login, enterprise = bench.clerk()
        person = bench.person()
        person.sign_in(login)
        answer = person.get(f"/workbench/enterprises/{enterprise['id']}")
        page = answer.get_data(as_text=True)
        assert answer.status_code == 503 and answer.headers["Retry-After"]
        assert "职工登记服务" in page and "仍可使用的功能" in page and "Traceback" not in page
        assert person.get("/workbench/account").status_code == 200


def test_a_program_meeting_a_missing_page_gets_a_problem_and_a_browser_a_page(
    bench: Bench,
) -> None:
    program = Client(bench.platform.wsgi).get("/workbench/nope", headers={"Accept": "*/*"})
    assert program.status_code == 404 and program.mimetype == "application/problem+json"
    browser = bench.person().get("/workbench/nope", Accept="text/html,*/*;q=0.8")
    assert browser.status_code == 404 and "页面不存在" in browser.get_data(as_text=True)


def test_pages_run_no_inline_script_cannot_be_framed_and_a_desk_is_not_cached(
    bench: Bench,
) -> None:
    login, enterprise = bench.clerk()
    person = bench.person()
    person.sign_in(login)
    answer = person.get(f"/workbench/enterprises/{enterprise['id']}")
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and answer.headers["Cache-Control"] == "no-store"
    assert "<script>" not in answer.get_data(as_text=True)
