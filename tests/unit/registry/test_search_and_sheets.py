"""Searches told apart by their shape; headers in Chinese, English or both; the template."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from services.registry.adapters.spreadsheet import read_sheet, template_workbook
from services.registry.domain.errors import MissingColumns, UnusableSpreadsheet
from services.registry.domain.workers import (
    COLUMNS,
    EXAMPLE_ROW,
    HEADER_ALIASES,
    LABELS,
    REQUIRED,
    is_template_example,
    parse_id_number,
    parse_worker_search,
)
from shared.identifiers import MALE, IdNumber, make_id_number, validate_id_number

TODAY = date(2025, 6, 30)
NUMBER = make_id_number("330402", date(1990, 5, 12), 12, MALE)


def read(text: str):
    return read_sheet(text.encode(), COLUMNS, REQUIRED, HEADER_ALIASES)


def test_a_name_fragment_is_searched_as_written_tidied() -> None:
    assert parse_worker_search("  王  小明 ", TODAY) == "王 小明"
    assert parse_worker_search("Zhang3", TODAY) == "Zhang3"


def test_a_full_id_number_is_recognised_by_its_shape_and_checked() -> None:
    found = parse_worker_search(NUMBER, TODAY)
    assert isinstance(found, IdNumber) and found.value == NUMBER
    spaced = parse_worker_search(f"{NUMBER[:6]} {NUMBER[6:]}", TODAY)
    assert isinstance(spaced, IdNumber) and spaced.value == NUMBER
    lower = NUMBER[:-1] + ("x" if NUMBER.endswith("X") else NUMBER[-1])
    assert isinstance(parse_worker_search(lower, TODAY), IdNumber)
    wrong_check = NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")
    for digits in ("330402", NUMBER[:-1], wrong_check):
        with pytest.raises(ValueError):
            parse_worker_search(digits, TODAY)


def test_chinese_english_and_combined_headers_name_the_same_columns_in_any_order() -> None:
    chinese = ",".join(LABELS[c] for c in reversed(COLUMNS))
    sheet = read(chinese + "\n" + ",".join(str(n) for n in range(7)) + "\n")
    assert sheet.rows[0][1]["hired_on"] == "0" and sheet.rows[0][1]["id_number"] == "6"
    combined = ",".join(f"{LABELS[c]} {c}" for c in COLUMNS) + ",备注"
    sheet = read(combined + "\n" + ",".join("abcdefgh") + "\n")
    assert sheet.rows[0][1]["id_number"] == "a" and sheet.ignored_columns == ["备注"]
    full_width = "身份证号码,职工姓名,职业（工种）代码,是否农民工,是否工会会员,入职日期"
    assert read(full_width + "\n1,2,3,4,5,6\n").rows[0][1]["occupation_code"] == "3"


def test_a_column_named_in_two_languages_at_once_is_a_repeat() -> None:
    with pytest.raises(UnusableSpreadsheet, match="repeats columns: id_number"):
        read("身份证号,id_number,姓名,职业代码,是否农民工,是否工会会员,入职日期\n1,2,3,4,5,6,7\n")


def test_missing_columns_are_named_with_their_chinese_headers() -> None:
    with pytest.raises(MissingColumns, match=r"hired_on \(入职日期\)"):
        read("身份证号,姓名,职业(工种)代码,是否农民工,是否工会会员\n1,2,3,4,5\n")


def test_a_number_excel_wrote_into_a_csv_is_explained() -> None:
    for cell in ("3.30402199005121E+17", "3.30402E+17", "3.3e17"):
        with pytest.raises(ValueError, match="Excel turned this ID number into a number"):
            parse_id_number(cell, TODAY)
    with pytest.raises(ValueError, match="holds a number"):
        parse_id_number(3.30402199005121e17, TODAY)


def test_the_template_example_is_valid_and_recognised() -> None:
    validate_id_number(EXAMPLE_ROW["id_number"], TODAY)
    assert is_template_example(EXAMPLE_ROW)
    assert not is_template_example({**EXAMPLE_ROW, "name": "张三"})


def test_the_template_workbook_reads_back_through_the_importer() -> None:
    content = template_workbook(COLUMNS, LABELS, EXAMPLE_ROW, REQUIRED, {"id_number": "18 位"})
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["A1"].value == "身份证号 id_number" and sheet["A2"].number_format == "@"
    read_back = read_sheet(content, COLUMNS, REQUIRED, HEADER_ALIASES)
    assert [number for number, _ in read_back.rows] == [2]
    assert is_template_example(read_back.rows[0][1])
