"""Hostile spreadsheets: each is refused fast, with a 422 naming the limit it passed, and the
memory it costs stays small. The files are built here, small: a bomb's point is that it is.

The bounds asserted are generous (what the machine may take on a bad day); the figures of a
quiet run are in the README's reliability section."""

from __future__ import annotations

import io
import random
import time
import tracemalloc
import zipfile

import pytest

from tests.integration.registry.conftest import CSV_HEADER
from tests.integration.registry.test_import import post_csv, post_file
from tests.integration.registry.test_import_workbooks import workbook

MiB = 1024 * 1024


def blank_rows(count: int) -> bytes:
    """Rows with a formatted cell and nothing in it, as Excel keeps them."""
    return b"".join(b'<row r="%d"><c r="A%d" s="1"/></row>' % (n, n) for n in range(2, count + 2))


def random_text(characters: int) -> bytes:
    rng = random.Random(7)
    return "".join(rng.choice("建功嘉兴职工技能") for _ in range(characters)).encode()


def many_parts(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(count):
            archive.writestr(f"xl/media/{n}.bin", b"")
    return buffer.getvalue()


HOSTILE = {
    "5,000,000 empty row elements": (
        lambda: workbook(b"<row/>" * 5_000_000),
        "compression_ratio",
        "100 times its packed size",
    ),
    "150,000 empty row elements": (lambda: workbook(b"<row/>" * 150_000), "rows", "100,000 rows"),
    "150,000 blank formatted rows": (lambda: workbook(blank_rows(150_000)), "rows", "100,000 rows"),
    "a 40 MiB shared-strings part": (
        lambda: workbook(b"", **{"xl/sharedStrings.xml": b"<sst>" + b"<si><t/></si>" * 3_500_000}),
        "part_size",
        "xl/sharedStrings.xml unpacks to more than 16 MiB",
    ),
    "XML nested 100,000 deep": (
        lambda: workbook(b"<row>" + b"<x>" * 100_000 + b"</x>" * 100_000 + b"</row>"),
        "nesting_depth",
        "more than 32 levels deep",
    ),
    "a cell of 40,000 characters": (
        lambda: workbook(
            b'<row r="2"><c r="B2" t="inlineStr"><is><t>'
            + random_text(40_000)
            + b"</t></is></c></row>"
        ),
        "cell_length",
        "row 2 holds more than 32,767 characters",
    ),
    "1,001 parts": (lambda: many_parts(1001), "parts", "more than 1,000 parts"),
    "a CSV line of 2,000,000 commas": (
        lambda: (CSV_HEADER + "\n" + "," * 2_000_000 + "\n").encode(),
        "columns",
        "Line 2 of the file has more than 1,024 columns",
    ),
    "a CSV of 100,001 blank rows": (
        lambda: (CSV_HEADER + "\n" + ",,,,,,\n" * 100_001).encode(),
        "rows",
        "100,000 rows",
    ),
}


def measured(call):
    """The answer, the seconds it took and the memory it allocated at its peak (MiB)."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        answer = call()
        return answer, time.monotonic() - started, tracemalloc.get_traced_memory()[1] / MiB
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_spreadsheet_is_refused_fast_naming_the_limit(registry, case: str) -> None:
    build, limit, words = HOSTILE[case]
    enterprise = registry.enterprise()
    content = build()
    assert len(content) < 3 * MiB  # the point of a bomb: small to send
    answer, seconds, peak = measured(lambda: post_file(registry, enterprise["id"], content))
    print(f"{case}: {len(content) / 1e6:.2f} MB, refused in {seconds:.2f} s, peak {peak:.1f} MiB")
    assert answer.status_code == 422, answer.json
    assert answer.json["rule"] == "spreadsheet_over_limit"
    assert words in answer.json["detail"] and answer.json["errors"]["file"]
    assert peak < 50 and seconds < 20, (seconds, peak)


def test_the_limit_is_named_in_the_clerks_language(registry) -> None:
    enterprise = registry.enterprise()
    text = CSV_HEADER + "\n" + ",,,,,,\n" * 100_001
    answer = post_csv(
        registry, enterprise["id"], text, headers={**registry.admin, "Accept-Language": "zh-CN"}
    )
    assert answer.status_code == 422
    assert "100,000" in answer.json["detail"] and "空行" in answer.json["detail"]
    assert answer.json["title"] != "The spreadsheet passes a limit of the import"


def test_a_sheet_declaring_every_cell_of_excel_costs_only_the_cells_it_has(registry) -> None:
    enterprise = registry.enterprise()
    good = registry.csv_row().split(",")
    cells = "".join(
        f'<c r="{chr(65 + i)}2" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(good)
        if value
    )
    content = workbook(
        f'<row r="2">{cells}</row>'.encode()
        + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        dimension=b'<dimension ref="A1:XFD1048576"/>',
    )
    answer, seconds, peak = measured(lambda: post_file(registry, enterprise["id"], content))
    print(f"declared A1:XFD1048576: answered in {seconds:.2f} s, peak {peak:.1f} MiB")
    assert answer.status_code == 200, answer.json
    assert (answer.json["rows"], answer.json["created"]) == (1, 1)
    assert peak < 50, peak


def lying_about_its_size(content: bytes, part: str, claimed: int) -> bytes:
    """``content`` with the archive's directory claiming ``claimed`` unpacked bytes for ``part``."""
    entry = content.index(b"PK\x01\x02")
    while part.encode() not in content[entry + 46 : entry + 46 + len(part)]:
        entry = content.index(b"PK\x01\x02", entry + 4)
    return content[: entry + 24] + claimed.to_bytes(4, "little") + content[entry + 28 :]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            lambda: lying_about_its_size(
                workbook(blank_rows(60_000)),
                "xl/worksheets/sheet1.xml",
                1024,
            ),
            id="a directory that lies about a part's size",
        ),
        pytest.param(
            lambda: workbook(
                b"",
                **{
                    "xl/sharedStrings.xml": b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
                    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><sst><si><t>&b;</t></si></sst>'
                },
            ),
            id="a part declaring entities",
        ),
    ],
)
def test_a_workbook_that_lies_or_declares_entities_is_not_read(registry, content) -> None:
    """A part unpacks no further than its directory entry says (zipfile stops there, and the
    checksum then fails; the reader counts too), and no part's XML may declare entities."""
    enterprise = registry.enterprise()
    answer = post_file(registry, enterprise["id"], content())
    assert answer.status_code == 415, answer.json
    assert "not an XLSX workbook that can be read" in answer.json["detail"]
