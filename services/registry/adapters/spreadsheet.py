"""Rows out of an uploaded spreadsheet: CSV (UTF-8, or GB18030 as Excel saves it in China) or
XLSX (streamed, with bounds: ``adapters/workbook.py``). The kind is told by the bytes, not by
the file's name.

Row numbers are the ones the clerk sees: the header is row 1, the first data row is row 2;
blank rows are skipped but still numbered, so the numbers stay those of the spreadsheet. Every
row counts against ``MAX_ROWS``, blank or not, so a file of millions of empty rows is refused
at the cap, not read to its end.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from services.registry.adapters.workbook import READ_COLUMNS, Record, xlsx_records
from services.registry.adapters.xlsx_parts import over_limit
from services.registry.domain.errors import MissingColumns, UnsupportedFile, UnusableSpreadsheet

MAX_ROWS = 100_000
_XLSX = b"PK\x03\x04"
_XLS = b"\xd0\xcf\x11\xe0"
_CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 13})
_ASCII = bytes(range(128))
Cells = dict[str, object]
_WIDE_LINE = re.compile(f"^(?:[^,\n]*,){{{READ_COLUMNS}}}", re.MULTILINE)
"""A line with ``READ_COLUMNS`` commas or more: every separator counts, quoted or not."""


@dataclass(frozen=True)
class Sheet:
    rows: list[tuple[int, Cells]]
    ignored_columns: list[str]


def read_sheet(
    content: bytes,
    columns: Sequence[str],
    required: Sequence[str],
    aliases: Mapping[str, str] | None = None,
) -> Sheet:
    """The data rows of ``content`` as ``(row number, {column: cell})``, checked for shape.

    A header names its column in English (``id_number``), by one of ``aliases`` (``身份证号``;
    full-width brackets and spaces do not matter), or both at once (``身份证号 id_number``, as
    the import template writes it); the columns may come in any order."""
    folded = {_folded(alias): column for alias, column in (aliases or {}).items()}
    if not content.strip():
        raise UnusableSpreadsheet("The file is empty: it needs a header row and data rows.")
    if content.startswith(_XLS):
        raise UnsupportedFile(
            "This is an Excel 97-2003 (.xls) file; save it as .xlsx or .csv and upload again."
        )
    records = xlsx_records(content) if content.startswith(_XLSX) else _csv_records(content)
    first = next(records, (1, {}))[1]
    written = {index: _column_name(first[index]) for index in sorted(first)}
    header = {index: _resolved(name, columns, folded) for index, name in written.items()}
    missing = [column for column in required if column not in header.values()]
    names = list(header.values())
    if missing and len(names) == 1 and any(mark in names[0] for mark in ";\t"):
        raise UnusableSpreadsheet(
            "The header row is a single column: separate the columns with commas."
        )
    if missing:
        labels = {column: alias for alias, column in reversed(list((aliases or {}).items()))}
        raise MissingColumns(
            [f"{column} ({labels[column]})" if column in labels else column for column in missing]
        )
    duplicated = sorted({c for c in names if c and names.count(c) > 1})
    if duplicated:
        raise UnusableSpreadsheet("The header row repeats columns: " + ", ".join(duplicated) + ".")
    at = {column: index for index, column in header.items()}
    positions = [(column, at[column]) for column in columns if column in at]
    rows = list(_data_rows(records, positions))
    if not rows:
        raise UnusableSpreadsheet("The file has a header row but no data rows.")
    ignored = [written[i] for i, c in header.items() if c and c not in columns]
    return Sheet(rows=rows, ignored_columns=ignored)


def _folded(name: str) -> str:
    """A header compared loosely: full-width characters as ASCII, no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", name).split()).lower()


def _resolved(name: str, columns: Sequence[str], aliases: Mapping[str, str]) -> str:
    """The column a header names: itself, its alias's, or the one both parts of a combined
    header (``身份证号 id_number``) agree on; else the header as written."""
    if name in columns:
        return name
    if _folded(name) in aliases:
        return aliases[_folded(name)]
    parts = name.replace("/", " ").replace("|", " ").split()
    named = {part for part in parts if part in columns}
    named |= {aliases[_folded(part)] for part in parts if _folded(part) in aliases}
    return named.pop() if len(named) == 1 else name


def _data_rows(
    records: Iterator[Record], positions: list[tuple[str, int]]
) -> Iterable[tuple[int, Cells]]:
    for count, (number, record) in enumerate(records, start=1):
        if count > MAX_ROWS:  # blank rows too: each one is work
            raise over_limit(
                "rows",
                "The file has more than %(limit)s rows below the header (blank rows count too): "
                "split it into files of at most that many rows.",
                limit=f"{MAX_ROWS:,}",
            )
        if all(_blank(cell) for cell in record.values()):
            continue
        yield number, {column: record.get(index) for column, index in positions}


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _column_name(cell: object) -> str:
    return "" if cell is None else str(cell).strip().lstrip("\ufeff").lower()


def _csv_records(content: bytes) -> Iterator[Record]:
    if _looks_binary(content[:8192]):
        raise UnsupportedFile("The file is neither CSV text nor an XLSX workbook.")
    text = _decode(content)
    _check_columns(text)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, record in enumerate(reader, start=1):
            yield number, dict(enumerate(record))
    except csv.Error as error:
        raise UnusableSpreadsheet(
            f"The CSV file is malformed near line {reader.line_num}: {error}."
        ) from None


def _check_columns(text: str) -> None:
    """Refuse a line of more than ``READ_COLUMNS`` columns before the CSV reader makes a list
    of them: 8 MB of commas cost it 20 s and 700 MiB."""
    wide = _WIDE_LINE.search(text)
    if wide:
        raise over_limit(
            "columns",
            "Line %(line)s of the file has more than %(limit)s columns, more than an import reads.",
            line=text.count("\n", 0, wide.start()) + 1,
            limit=f"{READ_COLUMNS:,}",
        )


def _looks_binary(sample: bytes) -> bool:
    """Whether the file's start has control characters as a binary file has them (a PNG, a
    UTF-16 text), more than one in 32 bytes; a NUL or two in a text is its rows' business: the
    row that holds one is rejected, the file is read."""
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls * 32 > len(sample)


def _decode(content: bytes) -> str:
    """The text of a CSV file in UTF-8, or in GB18030 as a Chinese Excel saves it.

    UTF-8 with a few bytes damaged (fewer than one in ten of its non-ASCII bytes) stays UTF-8,
    each damaged byte a U+FFFD that rejects its row: read as GB18030, every Chinese character
    of the file would be another. A file neither encoding reads whole is read as UTF-8 so."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = content.decode("utf-8-sig", errors="replace")
    non_ascii = len(content.translate(None, _ASCII))
    if text.count("\ufffd") * 10 < non_ascii:
        return text
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        return text


# -- the import template ------------------------------------------------------------------------

TEMPLATE_ROWS = 1000
"""How many rows below the header the template formats (the ID column as text)."""


def template_workbook(
    columns: Sequence[str],
    labels: Mapping[str, str],
    example: Mapping[str, object],
    required: Sequence[str],
    notes: Mapping[str, str],
    title: str = "职工 workers",
    text_columns: Sequence[str] = ("id_number",),
    choices: Mapping[str, str] | None = None,
) -> bytes:
    """An XLSX a clerk fills in: headers in Chinese with the English name beside them
    (``身份证号 id_number``), an example row, the identifiers' columns (``text_columns``)
    formatted as text so that Excel keeps all 18 characters, lists of the values a column takes
    (``choices``, by default 是/否 for the ``is_`` columns), and a sheet of notes."""
    lists = choices if choices is not None else {c: "是,否" for c in columns if c.startswith("is_")}
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=f"{labels[column]} {column}")
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center")
        mark = "必填 required" if column in required else "选填 optional"
        cell.comment = Comment(f"{mark}: {notes.get(column, '')}", "jiangong")
        example_cell = sheet.cell(row=2, column=index, value=example.get(column))
        example_cell.font = grey
        sheet.column_dimensions[letter].width = 24 if column in text_columns else 18
        if column in text_columns:
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
        elif column.endswith("_on"):
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "yyyy-mm-dd"
        elif column in lists:
            choice = DataValidation(type="list", formula1=f'"{lists[column]}"', allow_blank=True)
            sheet.add_data_validation(choice)
            choice.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("填写说明 notes")
    help_sheet.append(["列 column", "必填 required", "说明 notes"])
    for column in columns:
        help_sheet.append(
            [f"{labels[column]} {column}", "是" if column in required else "否", notes.get(column)]
        )
    help_sheet.column_dimensions["A"].width = 28
    help_sheet.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
