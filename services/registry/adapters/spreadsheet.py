"""Rows out of an uploaded spreadsheet: CSV (UTF-8, or GB18030 as Excel saves it in China) or
XLSX (openpyxl, read-only, streamed). The kind is told by the bytes, not by the file's name.

Row numbers are the ones the clerk sees: the header is row 1, the first data row is row 2;
blank rows are skipped but still counted, so the numbers stay those of the spreadsheet.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from openpyxl import load_workbook

from services.registry.domain.errors import MissingColumns, UnsupportedFile, UnusableSpreadsheet

MAX_ROWS = 100_000
_XLSX = b"PK\x03\x04"
_XLS = b"\xd0\xcf\x11\xe0"
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}
Cells = dict[str, object]


@dataclass(frozen=True)
class Sheet:
    rows: list[tuple[int, Cells]]
    ignored_columns: list[str]


def read_sheet(content: bytes, columns: Sequence[str], required: Sequence[str]) -> Sheet:
    """The data rows of ``content`` as ``(row number, {column: cell})``, checked for shape."""
    if not content.strip():
        raise UnusableSpreadsheet("The file is empty: it needs a header row and data rows.")
    if content.startswith(_XLS):
        raise UnsupportedFile(
            "This is an Excel 97-2003 (.xls) file; save it as .xlsx or .csv and upload again."
        )
    records = _xlsx_records(content) if content.startswith(_XLSX) else _csv_records(content)
    header = [_column_name(cell) for cell in next(records, [])]
    missing = [column for column in required if column not in header]
    if missing and len(header) == 1 and any(mark in header[0] for mark in ";\t"):
        raise UnusableSpreadsheet(
            "The header row is a single column: separate the columns with commas."
        )
    if missing:
        raise MissingColumns(missing)
    duplicated = sorted({c for c in header if c and header.count(c) > 1})
    if duplicated:
        raise UnusableSpreadsheet("The header row repeats columns: " + ", ".join(duplicated) + ".")
    positions = [(column, header.index(column)) for column in columns if column in header]
    rows = list(_data_rows(records, positions))
    if not rows:
        raise UnusableSpreadsheet("The file has a header row but no data rows.")
    ignored = [c for c in header if c and c not in columns]
    return Sheet(rows=rows, ignored_columns=ignored)


def _data_rows(
    records: Iterator[Sequence[object]], positions: list[tuple[str, int]]
) -> Iterable[tuple[int, Cells]]:
    count = 0
    for number, record in enumerate(records, start=2):
        if all(_blank(cell) for cell in record):
            continue
        count += 1
        if count > MAX_ROWS:
            raise UnusableSpreadsheet(
                f"The file has more than {MAX_ROWS:,} data rows; split it into smaller files."
            )
        yield number, {c: record[i] if i < len(record) else None for c, i in positions}


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _column_name(cell: object) -> str:
    return "" if cell is None else str(cell).strip().lstrip("\ufeff").lower()


def _csv_records(content: bytes) -> Iterator[Sequence[object]]:
    text = _decode(content)
    if _CONTROL.intersection(text[:8192]):
        raise UnsupportedFile("The file is neither CSV text nor an XLSX workbook.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as error:
        raise UnusableSpreadsheet(
            f"The CSV file is malformed near line {reader.line_num}: {error}."
        ) from None


def _decode(content: bytes) -> str:
    if b"\x00" in content[:8192]:
        raise UnsupportedFile("The file is neither CSV text nor an XLSX workbook.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnsupportedFile("The file is neither CSV text (UTF-8 or GB18030) nor an XLSX workbook.")


def _xlsx_records(content: bytes) -> Iterator[Sequence[object]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.active or workbook.worksheets[0]
            sheet.reset_dimensions()  # type: ignore[union-attr]
            yield from sheet.iter_rows(values_only=True)  # type: ignore[union-attr]
        finally:
            workbook.close()
    except _UNREADABLE_XLSX as error:
        raise UnsupportedFile(
            "The file is a ZIP archive but not an XLSX workbook that can be read."
        ) from error


# what openpyxl raises on a damaged or foreign ZIP (ParseError is a SyntaxError)
_UNREADABLE_XLSX = (
    zipfile.BadZipFile,
    KeyError,
    IndexError,
    OSError,
    ValueError,
    TypeError,
    SyntaxError,
)
