"""Text no one can read in a spreadsheet's cell (a NUL, a bidirectional override, nothing but
zero-width characters) rejects its row, naming the column; the file is read and the other rows
are created, wherever in the file such a character stands."""

from __future__ import annotations

import pytest

from tests.integration.registry.conftest import CSV_HEADER
from tests.integration.registry.test_import import HEADER, active_workers, post_csv, post_file
from tests.integration.registry.test_import_workbooks import workbook

UNREADABLE = {
    2: ("name", "李\x00娜"),
    500: ("name", "王\x00芳"),
    7: ("occupation_code", "\u202e6-04-02-01"),
    9: ("name", "\u200b\u200d"),
}
"""Row: the column and the text that makes it unreadable."""
REASONS = {
    2: "contains the control character U+0000",
    500: "contains the control character U+0000",
    7: "contains the bidirectional control U+202E",
    9: "has no visible character",
}


def rows_of(registry, count: int) -> list[list[str]]:
    rows = []
    for number in range(2, count + 2):
        row = registry.csv_row().split(",")
        if number in UNREADABLE:
            column, text = UNREADABLE[number]
            row[HEADER.index(column)] = text
        rows.append(row)
    return rows


def as_xlsx(rows: list[list[str]]) -> bytes:
    """Inline strings, a control character written as Excel writes it (``_x0000_``)."""

    def cell(letter: str, number: int, text: str) -> str:
        escaped = text.replace("\x00", "_x0000_")
        return f'<c r="{letter}{number}" t="inlineStr"><is><t>{escaped}</t></is></c>'

    body = "".join(
        f'<row r="{number}">'
        + "".join(cell(chr(65 + i), number, text) for i, text in enumerate(row) if text)
        + "</row>"
        for number, row in enumerate(rows, start=2)
    )
    return workbook(body.encode())


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_row_with_unreadable_text_is_rejected_and_the_others_are_created(
    registry, kind: str
) -> None:
    enterprise = registry.enterprise()
    rows = rows_of(registry, 600)
    if kind == "csv":
        text = "\n".join([CSV_HEADER, *(",".join(row) for row in rows)]) + "\n"
        answer = post_csv(registry, enterprise["id"], text)
    else:
        answer = post_file(registry, enterprise["id"], as_xlsx(rows))
    assert answer.status_code == 200, answer.json
    rejected = {item["row"]: item["errors"] for item in answer.json["rejected"]}
    expected = {row: {UNREADABLE[row][0]: [REASONS[row]]} for row in sorted(UNREADABLE)}
    assert rejected == expected
    assert (answer.json["rows"], answer.json["created"]) == (600, 596)
    assert active_workers(registry, enterprise["id"]) == 596


def test_a_utf8_file_with_a_damaged_byte_keeps_its_other_rows_in_utf8(registry) -> None:
    enterprise = registry.enterprise()
    lines = [registry.csv_row(name="陈静").encode() for _ in range(600)]
    lines[498] = lines[498].replace("陈静".encode(), "陈".encode() + b"\xff")  # row 500
    answer = registry.client.post(
        f"/api/v1/enterprises/{enterprise['id']}/workers/import",
        data=b"\n".join([CSV_HEADER.encode(), *lines]),
        content_type="text/csv",
        headers=registry.admin,
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["rejected"] == [
        {
            "row": 500,
            "errors": {"name": ["holds U+FFFD where a character was lost: type the text again"]},
        }
    ]
    listed = registry.client.get(
        f"/api/v1/enterprises/{enterprise['id']}/workers?per_page=100", headers=registry.admin
    ).json["items"]
    assert {worker["name"] for worker in listed} == {"陈静"}
