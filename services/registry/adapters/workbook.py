"""The rows of an XLSX workbook's sheet, read with a bound on the work any file can cause.

openpyxl, even read-only, builds what a workbook declares: it fills the rows a sheet skips (a
cell in row 1,048,576 makes a million rows) and keeps every nested element. So the sheet is
read here, through :mod:`services.registry.adapters.xlsx_parts`, as it unpacks:

- every row element is yielded as it ends, blank or not, for the caller to count against its
  cap; only the cells that are there are kept, left of column ``READ_COLUMNS``; the sheet's
  declared dimension is never read;
- a cell holds at most 32,767 characters, as in Excel;
- values come as openpyxl reads them (``data_only``): shared strings, booleans, numbers, and
  dates where a number's style is one.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from services.registry.adapters.xlsx_parts import (
    PartReader,
    open_archive,
    over_limit,
    read_whole,
    stream,
)
from services.registry.domain.errors import UnsupportedFile

CELL_CHARACTERS = 32_767
READ_COLUMNS = 1024
"""Cells right of this column are not read (a worker's seven columns are at its left)."""

Record = tuple[int, dict[int, object]]
"""A row: its number in the sheet, and its cells by column index (0 for A)."""

_COORDINATE = re.compile(r"([A-Z]{1,3})(\d*)")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_EAST_ASIAN_DATES = frozenset((*range(27, 37), *range(50, 59)))
"""Number formats 27-36 and 50-58: the dates of Chinese, Japanese and Korean Excel."""
_UNREADABLE = (zipfile.BadZipFile, zlib.error, expat.ExpatError, EOFError, KeyError, ValueError)
"""What a damaged or foreign archive raises: a bad checksum, a broken stream, XML that is not,
a part that is not there, an attribute that is not the number it must be."""


def xlsx_records(content: bytes) -> Iterator[Record]:
    """The sheet's rows in order (the active sheet, else the first), blank ones included, as
    they stream: the caller counts them and stops when it has enough."""
    try:
        archive = open_archive(content)
        yield from _Sheet(_Workbook(archive)).records()
    except _UNREADABLE as error:
        raise UnsupportedFile(
            "The file is a ZIP archive but not an XLSX workbook that can be read."
        ) from error
    except (NotImplementedError, RuntimeError) as error:  # a method zipfile lacks, a password
        raise UnsupportedFile(
            "The workbook is encrypted or packed in a way Excel does not write: save it again."
        ) from error


# -- what the parts say -------------------------------------------------------------------------


class _Relationships(PartReader):
    def __init__(self, source: str) -> None:
        self.folder = posixpath.dirname(posixpath.dirname(source))  # xl/_rels/x.rels: xl
        self.targets: dict[str, tuple[str, str]] = {}

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "Relationship" and "Target" in attributes:
            target = attributes["Target"]
            path = target[1:] if target.startswith("/") else posixpath.join(self.folder, target)
            kind = attributes.get("Type", "").rpartition("/")[2]
            self.targets[attributes.get("Id", "")] = (kind, posixpath.normpath(path))


class _WorkbookPart(PartReader):
    def __init__(self) -> None:
        self.sheets: list[str] = []
        self.active = 0
        self.date1904 = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "sheet":
            self.sheets.append(_attribute(attributes, "id"))
        elif tag == "workbookView":
            self.active = int(attributes.get("activeTab", "0") or 0)
        elif tag == "workbookPr":
            self.date1904 = attributes.get("date1904", "0") in ("1", "true")


class _Styles(PartReader):
    """Which cell styles show a date: their number format is one."""

    def __init__(self) -> None:
        self.formats: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self.in_cell_styles = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "numFmt":
            self.formats[int(attributes.get("numFmtId", "0"))] = attributes.get("formatCode", "")
        elif tag == "cellXfs":
            self.in_cell_styles = True
        elif tag == "xf" and self.in_cell_styles:
            self.cell_formats.append(int(attributes.get("numFmtId", "0") or 0))

    def end(self, tag: str) -> None:
        if tag == "cellXfs":
            self.in_cell_styles = False

    def dates(self) -> frozenset[int]:
        return frozenset(
            style for style, number in enumerate(self.cell_formats) if self._is_date(number)
        )

    def _is_date(self, number: int) -> bool:
        if number in _EAST_ASIAN_DATES:
            return True
        code = self.formats.get(number, BUILTIN_FORMATS.get(number))
        return bool(code) and is_date_format(code)


class _SharedStrings(PartReader):
    def __init__(self) -> None:
        self.strings: list[str] = []
        self.pieces: list[str] = []
        self.collecting = False
        self.phonetic = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "si":
            self.pieces = []
        elif tag == "rPh":  # the pronunciation guide above the text is not the text
            self.phonetic = True
        elif tag == "t" and not self.phonetic:
            self.collecting = True

    def end(self, tag: str) -> None:
        if tag == "t":
            self.collecting = False
        elif tag == "rPh":
            self.phonetic = False
        elif tag == "si":
            self.strings.append(_unescaped("".join(self.pieces)))

    def text(self, data: str) -> None:
        if self.collecting:
            self.pieces.append(data)


class _Workbook:
    """The parts a sheet's values need: the shared strings, the date styles, the sheet's path."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        names = set(archive.namelist())
        package = self._relationships("_rels/.rels")
        main = next(
            (path for kind, path in package.values() if kind == "officeDocument"),
            "xl/workbook.xml",
        )
        workbook = _WorkbookPart()
        read_whole(archive, main, workbook)
        related = self._relationships(_rels_of(main))
        self.epoch = CALENDAR_MAC_1904 if workbook.date1904 else CALENDAR_WINDOWS_1900
        by_kind = {kind: path for kind, path in related.values() if path in names}
        self.strings = self._read(by_kind.get("sharedStrings"), _SharedStrings()).strings
        self.dates = self._read(by_kind.get("styles"), _Styles()).dates()
        self.sheet = _sheet_path(workbook, related, names)

    def _relationships(self, name: str) -> dict[str, tuple[str, str]]:
        if name not in self.archive.namelist():
            return {}
        reader = _Relationships(name)
        read_whole(self.archive, name, reader)
        return reader.targets

    def _read(self, name: str | None, handler: Any) -> Any:
        if name is not None:
            read_whole(self.archive, name, handler)
        return handler


def _rels_of(part: str) -> str:
    folder, file = posixpath.split(part)
    return posixpath.join(folder, "_rels", file + ".rels")


def _sheet_path(
    workbook: _WorkbookPart, related: Mapping[str, tuple[str, str]], names: set[str]
) -> str:
    """The active sheet where it is a worksheet, else the first worksheet."""
    worksheets = [
        related[sheet][1]
        for sheet in workbook.sheets
        if sheet in related and related[sheet][0] == "worksheet" and related[sheet][1] in names
    ]
    if not worksheets:
        raise KeyError("no worksheet")
    active = workbook.sheets[workbook.active] if workbook.active < len(workbook.sheets) else ""
    chosen = related.get(active)
    return chosen[1] if chosen and chosen[1] in worksheets else worksheets[0]


def _attribute(attributes: Mapping[str, str], name: str) -> str:
    """An attribute by its local name, whatever its prefix (``r:id``)."""
    for key, value in attributes.items():
        if key.rpartition(":")[2] == name:
            return value
    return ""


def _unescaped(text: str) -> str:
    """Excel writes a control character of a text as ``_x0000_`` (and ``_x`` as ``_x005F_x``)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), text)


# -- the sheet ----------------------------------------------------------------------------------


class _Sheet(PartReader):
    """The sheet's rows as they stream: each ``</row>`` adds one to ``done``."""

    def __init__(self, book: _Workbook) -> None:
        self.book = book
        self.done: list[Record] = []
        self.number = 0
        self.cells: dict[int, object] = {}
        self.column = -1
        self.kind = ""
        self.style = 0
        self.pieces: list[str] | None = None
        self.length = 0
        self.collecting = False
        self.phonetic = False

    def records(self) -> Iterator[Record]:
        for _ in stream(self.book.archive, self.book.sheet, self):
            yield from self.done
            self.done.clear()

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "c":
            self._cell(attributes)
        elif tag in ("v", "t") and not self.phonetic:
            self.collecting = True
            self.pieces = self.pieces if self.pieces is not None else []
        elif tag == "rPh":
            self.phonetic = True
        elif tag == "row":
            self._row(attributes)

    def end(self, tag: str) -> None:
        if tag in ("v", "t"):
            self.collecting = False
        elif tag == "rPh":
            self.phonetic = False
        elif tag == "c":
            self._keep_cell()
        elif tag == "row":
            self.done.append((self.number, self.cells))

    def text(self, data: str) -> None:
        if self.collecting and self.pieces is not None:
            self.length += len(data)
            if self.length > CELL_CHARACTERS:
                raise over_limit(
                    "cell_length",
                    "A cell in row %(row)s holds more than %(limit)s characters, more than a "
                    "spreadsheet cell can hold.",
                    row=self.number,
                    limit=f"{CELL_CHARACTERS:,}",
                )
            self.pieces.append(data)

    def _row(self, attributes: Mapping[str, str]) -> None:
        number = attributes.get("r", "")
        self.number = int(number) if number.isdigit() else self.number + 1
        self.cells = _NO_CELLS
        self.column = -1

    def _cell(self, attributes: Mapping[str, str]) -> None:
        self.column = _column_of(attributes.get("r", ""), self.column)
        self.kind = attributes.get("t", "n")
        style = attributes.get("s", "0")
        self.style = int(style) if style.isdigit() else 0
        self.pieces, self.length = None, 0

    def _keep_cell(self) -> None:
        if self.pieces is not None and self.column < READ_COLUMNS:
            if self.cells is _NO_CELLS:
                self.cells = {}
            self.cells[self.column] = self._value("".join(self.pieces))
        self.pieces = None

    def _value(self, text: str) -> object:
        """The cell's value as openpyxl reads it (``data_only``); text where its type lies."""
        try:
            return self._typed(text)
        except ValueError:
            return _unescaped(text)

    def _typed(self, text: str) -> object:
        kind = self.kind
        if kind == "s":
            index = int(text)
            return self.book.strings[index] if 0 <= index < len(self.book.strings) else None
        if kind in ("inlineStr", "str", "e"):
            return _unescaped(text)
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            return _iso_date(text)
        return self._number(text.strip())

    def _number(self, text: str) -> object:
        number: float = float(text) if any(mark in text for mark in ".eE") else int(text)
        if self.style in self.book.dates:
            try:
                return from_excel(number, self.book.epoch)
            except (ValueError, OverflowError):
                return number
        return number


_NO_CELLS: dict[int, object] = {}
"""The cells of a row that has none (most rows of a bomb): one empty dict, never written."""


def _column_of(reference: str, previous: int) -> int:
    """The column index of a cell reference (``B7``: 1); a cell without one follows the last."""
    match = _COORDINATE.fullmatch(reference)
    if match is None:
        return previous + 1
    index = 0
    for letter in match.group(1):
        index = index * 26 + ord(letter) - 64
    return index - 1


def _iso_date(text: str) -> object:
    try:
        return datetime.fromisoformat(text.strip().removesuffix("Z"))
    except ValueError:
        return text
