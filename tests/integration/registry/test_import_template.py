"""Spreadsheets as clerks have them: the template, Chinese headers, numbers Excel made."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from tests.integration.registry.test_import import post_csv, post_file

CHINESE = ["身份证号", "姓名", "职业(工种)代码", "是否农民工", "是否工会会员", "入职日期"]


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template(registry, enterprise_id: str, headers=None):
    return registry.client.get(
        f"/api/v1/enterprises/{enterprise_id}/workers/import-template",
        headers=headers or registry.admin,
    )


def test_the_template_has_chinese_and_english_headers_an_example_and_a_text_id_column(
    registry,
) -> None:
    enterprise = registry.enterprise()
    answer = template(registry, enterprise["id"])
    assert answer.status_code == 200
    assert answer.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in answer.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(answer.data))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "身份证号 id_number"
    assert "入职日期 hired_on" in header and "职业(工种)代码 occupation_code" in header
    assert sheet["A2"].value == "11010519491231002X"  # the example row
    assert sheet["A2"].number_format == "@" and sheet["A500"].number_format == "@"
    assert sheet.column_dimensions["A"].number_format == "@"
    assert len(workbook.worksheets) == 2  # and the notes


def test_an_enterprise_may_download_its_template_but_not_anothers(registry) -> None:
    own, other = registry.enterprise(), registry.enterprise()
    headers = registry.headers("enterprise", own["id"])
    assert template(registry, own["id"], headers).status_code == 200
    assert template(registry, other["id"], headers).status_code == 404


def test_the_template_downloaded_filled_and_uploaded_back_creates_the_workers(any_db) -> None:
    enterprise = any_db.enterprise()
    workbook = load_workbook(io.BytesIO(template(any_db, enterprise["id"]).data))
    sheet = workbook.worksheets[0]
    numbers = [any_db.id_number() for _ in range(2)]
    # the clerk leaves the example in row 2 and types below it, the ID numbers as text
    sheet.append([numbers[0], "陈静", "6-18-01-01", "是", "否", None, "2022-03-01"])
    sheet.append([numbers[1], "刘洋", "4-07-03-02", "否", "是", "2023-01-05", "2021-07-15"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    answer = post_file(any_db, enterprise["id"], buffer.getvalue())
    assert answer.status_code == 200, answer.json
    assert answer.json["created"] == 2, answer.json
    assert answer.json["rows"] == 2 and answer.json["rejected"] == []
    assert answer.json["ignored_columns"] == []
    names = {
        w["name"]
        for w in any_db.client.get(
            f"/api/v1/enterprises/{enterprise['id']}/workers", headers=any_db.admin
        ).json["items"]
    }
    assert names == {"陈静", "刘洋"}


def test_a_template_with_only_its_example_row_is_refused(registry) -> None:
    enterprise = registry.enterprise()
    answer = post_file(registry, enterprise["id"], template(registry, enterprise["id"]).data)
    assert answer.status_code == 422
    assert "example" in answer.json["detail"]


def test_chinese_headers_in_any_order_are_accepted_in_csv(any_db) -> None:
    enterprise = any_db.enterprise()
    header = [
        "入职日期",
        "姓名",
        "身份证号",
        "是否工会会员",
        "职业（工种）代码",
        "是否农民工",
        "备注",
    ]
    rows = [
        ["2019-04-01", "孙丽", any_db.id_number(), "是", "6-04-02-01", "否", "老员工"],
        ["2020/5/6", "何军", any_db.id_number(), "否", "6-18-01-01", "是", ""],
    ]
    text = "\n".join(",".join(row) for row in [header, *rows]) + "\n"
    answer = post_csv(any_db, enterprise["id"], text)
    assert answer.status_code == 200, answer.json
    assert answer.json["created"] == 2, answer.json
    assert answer.json["ignored_columns"] == ["备注"]


def test_chinese_headers_are_accepted_in_xlsx_and_mixed_with_english(any_db) -> None:
    enterprise = any_db.enterprise()
    header = ["姓名", "is_migrant", *CHINESE[2:3], "身份证号 id_number", "是否工会会员", "入职日期"]
    rows = [["韩梅", False, "6-18-01-01", any_db.id_number(), True, "2018-02-01"]]
    answer = post_file(any_db, enterprise["id"], xlsx([header, *rows]))
    assert answer.status_code == 200, answer.json
    assert answer.json["created"] == 1, answer.json


def test_a_column_named_twice_in_two_languages_is_refused(registry) -> None:
    enterprise = registry.enterprise()
    text = ",".join([*CHINESE, "id_number"]) + "\n" + "x,y,z,是,是,2020-01-01,x\n"
    answer = post_csv(registry, enterprise["id"], text)
    assert answer.status_code == 422
    assert "id_number" in answer.json["detail"]


def test_a_missing_column_is_named_in_both_languages(registry) -> None:
    enterprise = registry.enterprise()
    answer = post_csv(registry, enterprise["id"], ",".join(CHINESE[:-1]) + "\na,b,c,d,e\n")
    assert answer.status_code == 422
    assert "hired_on (入职日期)" in answer.json["detail"]


def test_an_id_number_excel_turned_into_a_number_in_csv_is_explained(registry) -> None:
    enterprise = registry.enterprise()
    line = registry.csv_row(id_number="3.30402199005121E+17")
    text = "id_number,name,occupation_code,is_migrant,is_union_member,union_joined_on,hired_on\n"
    answer = post_csv(registry, enterprise["id"], text + line + "\n")
    assert answer.status_code == 200, answer.json
    (rejected,) = answer.json["rejected"]
    assert rejected["row"] == 2
    assert "Excel turned this ID number into a number" in rejected["errors"]["id_number"][0]


def test_the_explanation_is_in_chinese_for_a_chinese_clerk(registry) -> None:
    enterprise = registry.enterprise()
    line = registry.csv_row(id_number="3.30402E+17")
    text = "身份证号,姓名,职业(工种)代码,是否农民工,是否工会会员,入会日期,入职日期\n"
    answer = post_csv(
        registry,
        enterprise["id"],
        text + line + "\n",
        headers={**registry.admin, "Accept-Language": "zh-CN"},
    )
    assert answer.status_code == 200, answer.json
    (rejected,) = answer.json["rejected"]
    assert "Excel" in rejected["errors"]["id_number"][0]
