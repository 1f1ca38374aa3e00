"""Reading uploads: CSV in the encodings Excel writes, XLSX, and files that are neither."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from services.registry.adapters.spreadsheet import read_sheet
from services.registry.domain.errors import MissingColumns, UnsupportedFile, UnusableSpreadsheet
from services.registry.domain.workers import COLUMNS, REQUIRED

HEADER = ",".join(COLUMNS)


def read(content: bytes):
    return read_sheet(content, COLUMNS, REQUIRED)


def test_csv_rows_are_numbered_as_in_the_spreadsheet_with_blank_rows_counted() -> None:
    text = f"\ufeff{HEADER}\r\na,b,c,d,e,,f\r\n,,,,,,\r\n\r\ng,h,i,j,k,l,m\r\n"
    sheet = read(text.encode("utf-8"))
    assert [number for number, _ in sheet.rows] == [2, 5]
    assert sheet.rows[1][1]["hired_on"] == "m" and sheet.rows[0][1]["union_joined_on"] == ""


def test_a_csv_saved_by_a_chinese_excel_in_gb18030_is_read() -> None:
    sheet = read(f"{HEADER}\n1,王芳,x,是,否,,2020-01-01\n".encode("gb18030"))
    assert sheet.rows[0][1]["name"] == "王芳" and sheet.rows[0][1]["is_migrant"] == "是"


def test_columns_may_come_in_any_order_with_extra_ones_ignored() -> None:
    header = "备注," + ",".join(reversed(COLUMNS)) + ",Extra"
    sheet = read(f"{header}\nnote,7,6,5,4,3,2,1,x\n".encode())
    assert sheet.rows[0][1]["id_number"] == "1" and sheet.rows[0][1]["hired_on"] == "7"
    assert sheet.ignored_columns == ["备注", "extra"]


def test_short_rows_leave_the_missing_cells_empty() -> None:
    sheet = read(f"{HEADER}\n1,2\n".encode())
    assert sheet.rows[0][1]["hired_on"] is None


def test_an_xlsx_workbook_is_read_with_its_typed_cells() -> None:
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    workbook.active.append(["1", "王芳", "x", True, 0, None, "2020-01-01"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = read(buffer.getvalue())
    assert sheet.rows == [
        (2, dict(zip(COLUMNS, ["1", "王芳", "x", True, 0, None, "2020-01-01"], strict=True)))
    ]


@pytest.mark.parametrize(
    ("content", "error", "words"),
    [
        (b"", UnusableSpreadsheet, "empty"),
        (b"  \n", UnusableSpreadsheet, "empty"),
        (HEADER.encode() + b"\n", UnusableSpreadsheet, "no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", UnsupportedFile, "neither"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", UnsupportedFile, ".xls"),
        (b"PK\x03\x04garbage", UnsupportedFile, "not an XLSX"),
        (b"\xff\xfe\x00h\x00i", UnsupportedFile, "neither"),
        (b"name,hired_on\nx,y", MissingColumns, "id_number"),
        (HEADER.replace(",", ";").encode() + b"\n1;2", UnusableSpreadsheet, "commas"),
        ((HEADER + ",name\n1,2,3,4,5,6,7,8").encode(), UnusableSpreadsheet, "repeats"),
    ],
)
def test_unusable_uploads_are_refused_with_the_reason(content: bytes, error, words: str) -> None:
    with pytest.raises(error, match=words.replace(".", r"\.")):
        read(content)


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<doc/>")
    with pytest.raises(UnsupportedFile):
        read(buffer.getvalue())
