"""Enterprises from a spreadsheet: created with their events, rejected by row, field and reason,
unchanged when registered already as given, all or nothing when atomic, refused whole when
the file is hostile, in the background when large; and the template filled in and sent back."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from services.registry.adapters.orm import db
from services.registry.adapters.union_counts import reconcile
from services.registry.events import ENTERPRISE_REGISTERED
from tests.integration.registry import test_import_jobs
from tests.integration.registry.conftest import Registry
from tests.integration.registry.test_import_hostile import HOSTILE
from tests.support.at_once import at_once

low = test_import_jobs.low  # the registry with low import limits, on SQLite and PostgreSQL
finished = test_import_jobs.finished
URL = "/api/v1/enterprises/import"
HEADER = (
    "uscc,name,region_code,has_union,union_founded_on,above_designated_size,ownership,"
    "employee_count"
)


def row(registry: Registry, **cells: str) -> str:
    values = {
        "uscc": registry.uscc("330411"),
        "name": "嘉兴秀洲织造有限公司",
        "region_code": "秀洲区",
        "has_union": "是",
        "union_founded_on": "2016-05-01",
        "above_designated_size": "否",
        "ownership": "非公有",
        "employee_count": "85",
        **cells,
    }
    return ",".join(values[column] for column in HEADER.split(","))


def post_csv(registry: Registry, *rows: str, query: str = "", headers=None):
    return registry.client.post(
        URL + query,
        data="\n".join((HEADER, *rows)).encode(),
        content_type="text/csv",
        headers=headers or registry.admin,
    )


def post_file(registry: Registry, content: bytes, name: str = "enterprises.xlsx"):
    return registry.client.post(
        URL,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=registry.admin,
    )


def registrations(registry: Registry, usccs: list[str]) -> list[tuple]:
    """The ``enterprise.registered`` events of these credit codes (PostgreSQL's database is
    shared by the run's tests)."""
    return [
        event
        for event in registry.events()
        if event[0] == ENTERPRISE_REGISTERED and event[2]["uscc"] in usccs
    ]


def listed(registry: Registry, uscc: str) -> list[dict]:
    answer = registry.client.get(f"/api/v1/enterprises?q={uscc}", headers=registry.admin)
    return answer.json["items"]


def test_each_row_becomes_an_enterprise_with_its_event_the_region_by_name_or_code(any_db) -> None:
    rows = [
        row(any_db),
        row(any_db, region_code="330402", has_union="否", union_founded_on="", ownership="公有"),
        row(any_db, region_code="海宁市", employee_count="1200", above_designated_size="true"),
    ]
    answer = post_csv(any_db, *rows)
    assert answer.status_code == 200, answer.json
    assert (answer.json["created"], answer.json["unchanged"], answer.json["rejected"]) == (3, 0, [])
    usccs = [line.split(",")[0] for line in rows]
    first, second, third = (listed(any_db, uscc)[0] for uscc in usccs)
    assert (first["region_code"], first["has_union"], first["union_founded_on"]) == (
        "330411",
        True,
        "2016-05-01",
    )
    assert (second["region_code"], second["ownership"], second["has_union"]) == (
        "330402",
        "public",
        False,
    )
    assert (third["county_code"], third["employee_count"], third["above_designated_size"]) == (
        "330481",
        1200,
        True,
    )
    events = registrations(any_db, usccs)
    assert sorted(subject for _, subject, _ in events) == sorted(
        (first["id"], second["id"], third["id"])
    )


def test_imported_enterprises_move_the_union_counts_as_a_recount_finds_them(registry) -> None:
    rows = [row(registry, region_code="桐乡市"), row(registry, region_code="330483")]
    rows.append(row(registry, region_code="桐乡市", has_union="否", union_founded_on=""))
    assert post_csv(registry, *rows).json["created"] == 3
    stats = registry.client.get("/api/v1/stats", headers=registry.admin).json
    county = next(item for item in stats["by_region"] if item["region_code"] == "330483")
    assert (county["enterprises"], county["enterprises_with_union"]) == (3, 2)
    with registry.app.app_context():
        assert reconcile(db.session) == []  # the kept counts equal the tables' recount


def test_a_bad_row_is_rejected_naming_its_row_field_and_reason(any_db) -> None:
    good, uscc = row(any_db), any_db.uscc()
    wrong_check = uscc[:17] + ("1" if uscc[17] != "1" else "2")
    answer = post_csv(
        any_db,
        good,  # 2
        row(any_db, uscc=wrong_check),  # 3
        row(any_db, region_code="杭州市"),  # 4
        row(any_db, region_code="嘉兴市"),  # 5: the city itself
        row(any_db, has_union="否"),  # 6: founded without a union
        row(any_db, employee_count="很多", ownership="集体"),  # 7
        row(any_db, name=""),  # 8
        good,  # 9: the same credit code as row 2
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["created"] == 1
    rejected = {item["row"]: item["errors"] for item in answer.json["rejected"]}
    assert set(rejected) == {3, 4, 5, 6, 7, 8, 9}
    assert rejected[3] == {"uscc": ["check character does not match"]}
    assert "not a region of Jiaxing" in rejected[4]["region_code"][0]
    assert "county-level division or below" in rejected[5]["region_code"][0]
    assert "union_founded_on" in rejected[6]
    assert set(rejected[7]) == {"employee_count", "ownership"}
    assert rejected[8] == {"name": ["is required"]}
    assert rejected[9] == {"uscc": ["the same credit code is already in row 2"]}


def test_a_registered_enterprise_given_again_is_unchanged_and_other_details_rejected(
    any_db,
) -> None:
    known = any_db.enterprise(region_code="330411", union_founded_on="2016-05-01")
    same = {
        "uscc": known["uscc"],
        "name": known["name"],
        "region_code": "秀洲区",
        "employee_count": str(known["employee_count"]),
        "above_designated_size": "是",
    }
    answer = post_csv(any_db, row(any_db, **same))
    assert answer.status_code == 200, answer.json
    assert (answer.json["created"], answer.json["unchanged"], answer.json["rejected"]) == (0, 1, [])
    assert "1 already registered as given" in answer.json["detail"]
    answer = post_csv(any_db, row(any_db), row(any_db, **{**same, "name": "另一家公司"}))
    assert answer.json["created"] == 1
    (rejected,) = answer.json["rejected"]
    assert rejected["row"] == 3
    assert "already registered" in rejected["errors"]["uscc"][0]
    assert "(name)" in rejected["errors"]["uscc"][0]
    assert len(registrations(any_db, [known["uscc"]])) == 1  # its own registration, no other


def test_an_atomic_import_creates_none_when_a_row_is_rejected(any_db) -> None:
    good, bad = row(any_db), row(any_db, region_code="杭州市")
    answer = post_csv(any_db, good, bad, query="?atomic=true")
    assert answer.status_code == 200, answer.json
    assert (answer.json["created"], answer.json["atomic"]) == (0, True)
    assert [item["row"] for item in answer.json["rejected"]] == [3]
    assert listed(any_db, good.split(",")[0]) == []
    answer = post_csv(any_db, good, query="?atomic=true")
    assert answer.json["created"] == 1


def test_a_file_sent_twice_at_once_registers_each_enterprise_once(any_db) -> None:
    rows = [row(any_db) for _ in range(30)]

    def send():
        client = any_db.app.test_client()  # a client a thread
        body = "\n".join((HEADER, *rows)).encode()
        return client.post(URL, data=body, content_type="text/csv", headers=any_db.admin)

    answers = at_once([send, send])
    assert [answer.status_code for answer in answers] == [200, 200], [a.json for a in answers]
    assert sorted(answer.json["created"] for answer in answers) == [0, 30]
    assert sorted(answer.json["unchanged"] for answer in answers) == [0, 30]
    assert len(registrations(any_db, [line.split(",")[0] for line in rows])) == 30


def test_only_an_admin_imports_enterprises(registry) -> None:
    enterprise = registry.enterprise()
    clerk = registry.headers("enterprise", enterprise["id"])
    assert post_csv(registry, row(registry), headers=clerk).status_code == 403
    template = registry.client.get(URL + "/template", headers=clerk)
    assert template.status_code == 403


def test_the_import_documents_its_upload_and_advertises_only_its_own_methods(registry) -> None:
    spec = registry.client.get("/api/openapi.json").json
    upload = spec["paths"]["/api/v1/enterprises/import"]["post"]
    assert set(upload["requestBody"]["content"]) == {"text/csv", "multipart/form-data"}
    assert set(upload["responses"]) >= {"200", "202"}
    assert "/api/v1/enterprises/import/template" in spec["paths"]
    # "import" also matches /enterprises/{enterprise_id}, whose GET and PATCH are not this path's
    assert registry.client.options(URL).headers["Allow"] == "OPTIONS, POST"


@pytest.mark.parametrize(
    "case", ["5,000,000 empty row elements", "a 40 MiB shared-strings part", "1,001 parts"]
)
def test_a_hostile_workbook_is_refused_as_the_workers_import_refuses_it(registry, case) -> None:
    build, _limit, words = HOSTILE[case]
    answer = post_file(registry, build())
    assert answer.status_code == 422, answer.json
    assert answer.json["rule"] == "spreadsheet_over_limit"
    assert words in answer.json["detail"] and answer.json["errors"]["file"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (HEADER + "\n" + "," * 2_000_000, "more than 1,024 columns"),
        (HEADER + "\n" + ",,,,,,,\n" * 100_001, "more than 100,000 rows"),
    ],
)
def test_a_hostile_csv_is_refused_as_the_workers_import_refuses_it(registry, text, words) -> None:
    answer = registry.client.post(
        URL, data=text.encode(), content_type="text/csv", headers=registry.admin
    )
    assert answer.status_code == 422, answer.json
    assert answer.json["rule"] == "spreadsheet_over_limit" and words in answer.json["detail"]


def test_the_template_filled_in_and_sent_back_registers_its_rows(registry) -> None:
    answer = registry.client.get(URL + "/template", headers=registry.admin)
    assert answer.status_code == 200
    workbook = load_workbook(io.BytesIO(answer.data))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[0] == "统一社会信用代码 uscc" and sheet["A3"].number_format == "@"
    usccs = [registry.uscc("330483"), registry.uscc("330424")]
    sheet.append([usccs[0], "桐乡市某羊毛衫厂", "桐乡市", "否", None, "否", "非公有", 40])
    sheet.append([usccs[1], "海盐县某紧固件公司", "330424", "是", "2019-03-01", "是", "公有", 310])
    buffer = io.BytesIO()
    workbook.save(buffer)
    answer = post_file(registry, buffer.getvalue(), "单位.xlsx")
    assert answer.status_code == 200, answer.json
    assert (answer.json["rows"], answer.json["created"], answer.json["rejected"]) == (2, 2, [])
    assert listed(registry, usccs[1])[0]["employee_count"] == 310
    assert listed(registry, usccs[0])[0]["county_code"] == "330483"


def test_a_large_file_is_imported_in_the_background_with_its_progress(low) -> None:
    known = low.enterprise(region_code="330402", union_founded_on="2015-05-01")
    rows = [row(low) for _ in range(5)]
    rows.insert(2, row(low, region_code="杭州市"))  # row 4
    rows.append(row(low, uscc=known["uscc"], name=known["name"], region_code="330402"))
    answer = post_csv(low, *rows)
    assert answer.status_code == 202, answer.json
    assert (answer.json["kind"], answer.json["enterprise_id"]) == ("enterprises", None)
    job = finished(low, answer.headers["Location"])
    assert (job["state"], job["rows"], job["checked"]) == ("done", 7, 7)
    assert (job["created"], job["unchanged"], job["rejected"]) == (5, 0, 2)
    report = low.client.get(job["links"]["rejected"], headers=low.admin).get_data(as_text=True)
    assert "4,region_code," in report and "8,uscc," in report
    clerk = low.headers("enterprise", known["id"])
    assert low.client.get(answer.headers["Location"], headers=clerk).status_code == 404


def test_an_xlsx_of_enterprises_is_read_as_a_csv_is(registry) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    uscc = registry.uscc("330421")
    sheet.append([uscc, "嘉善某木业公司", "嘉善县", True, None, False, "non_public", 60.0])
    sheet.append([registry.uscc(), "数字代码公司", 330482, False, None, False, "public", 7])
    buffer = io.BytesIO()
    workbook.save(buffer)
    answer = post_file(registry, buffer.getvalue())
    assert answer.status_code == 200, answer.json
    assert (answer.json["created"], answer.json["rejected"]) == (2, [])
    enterprise = listed(registry, uscc)[0]
    assert (enterprise["region_code"], enterprise["has_union"], enterprise["employee_count"]) == (
        "330421",
        True,
        60,
    )
