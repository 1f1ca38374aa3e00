"""A new worker's details, checked: from a JSON body or from a spreadsheet row alike.

``parse_new_worker`` takes the cells as they come (strings from a CSV file; strings, numbers,
booleans or dates from an XLSX file; typed values from JSON) and either returns a
``NewWorker`` or raises ``InvalidWorker`` with every bad field and the reason for each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.registry.domain.errors import InvalidValue, InvalidWorker
from services.registry.domain.rules import check_hiring, check_union_joining
from shared.identifiers import (
    OCCUPATION_CODE_FORM,
    OCCUPATION_CODE_PATTERN,
    IdNumber,
    InvalidIdentifier,
    validate_id_number,
)
from shared.text import unreadable_reason

COLUMNS = (
    "id_number",
    "name",
    "occupation_code",
    "is_migrant",
    "is_union_member",
    "union_joined_on",
    "hired_on",
)
REQUIRED = tuple(column for column in COLUMNS if column != "union_joined_on")
LABELS = {
    "id_number": "身份证号",
    "name": "姓名",
    "occupation_code": "职业(工种)代码",
    "is_migrant": "是否农民工",
    "is_union_member": "是否工会会员",
    "union_joined_on": "入会日期",
    "hired_on": "入职日期",
}
"""Each column's Chinese header, as the import template writes it beside the English one."""
HEADER_ALIASES = {
    **{label: column for column, label in LABELS.items()},
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "职工姓名": "name",
    "职业代码": "occupation_code",
    "工种代码": "occupation_code",
    "加入工会日期": "union_joined_on",
}
"""The Chinese headers an import accepts for each column (besides the English names)."""
EXAMPLE_ROW = {
    "id_number": "11010519491231002X",
    "name": "示例 张三（请删除此行）",
    "occupation_code": "6-18-01-01",
    "is_migrant": "是",
    "is_union_member": "是",
    "union_joined_on": "2021-03-01",
    "hired_on": "2020-09-01",
}
"""The template's example row (the sample number of GB 11643-1999 itself): an import skips a
row that is still exactly this example, so an uploaded template never registers it."""
TRUE = frozenset({"true", "1", "是", "yes", "y"})
FALSE = frozenset({"false", "0", "否", "no", "n"})
NAME_MAX = 64
OCCUPATION_CODE = re.compile(OCCUPATION_CODE_PATTERN)
_NUMBER_AS_TEXT = re.compile(r"^[0-9](\.[0-9]+)?[Ee]\+?[0-9]+$")
"""A number as Excel writes it into a CSV file once it took the ID number for one:
``3.30402199005121E+17``."""
_ID_NUMBER_SHAPE = re.compile(r"^[0-9]+[Xx]?$")
"""What a search for a worker takes as an ID number (validated whole) rather than a name."""
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


@dataclass(frozen=True)
class NewWorker:
    identity: IdNumber
    name: str
    occupation_code: str
    is_migrant: bool
    is_union_member: bool
    union_joined_on: date | None
    hired_on: date


@dataclass(frozen=True)
class CheckedRow:
    """A spreadsheet's row once checked, before any transaction: a good row carries the
    worker's columns ready to write (the ID number encrypted) and its lookup hash, a bad one
    the reasons by column. ``row`` is its number in the spreadsheet."""

    row: int
    lookup: str = ""
    values: Mapping[str, Any] | None = None
    errors: Mapping[str, list[str]] | None = None


def parse_new_worker(cells: Mapping[str, object], today: date) -> NewWorker:
    parsers: Parsers = {**_PARSERS, "id_number": lambda cell: parse_id_number(cell, today)}
    values, errors = read_cells(cells, parsers, REQUIRED)
    identity, hired_on = values.get("id_number"), values.get("hired_on")
    if isinstance(hired_on, date):
        birth_date = identity.birth_date if isinstance(identity, IdNumber) else None
        check_rule(errors, lambda: check_hiring(birth_date, hired_on, today))
    member, joined_on = values.get("is_union_member"), values.get("union_joined_on")
    if isinstance(member, bool) and "union_joined_on" in values:
        check_rule(errors, lambda: check_union_joining(member, joined_on, today))  # type: ignore[arg-type]
    if errors:
        raise InvalidWorker(errors)
    return NewWorker(identity=values.pop("id_number"), **values)  # type: ignore[arg-type]


Parsers = dict[str, Callable[[object], object]]
"""Each column's parser: the cell's value, or ``ValueError`` saying why it is refused."""


def read_cells(
    cells: Mapping[str, object], parsers: Parsers, required: Sequence[str]
) -> tuple[dict[str, object], dict[str, list[str]]]:
    """A row's cells read by their columns' parsers: the values, and the reasons by column."""
    values: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for column, parse in parsers.items():
        _read_cell(column, cells.get(column), parse, values, errors, column in required)
    return values, errors


def _read_cell(
    column: str,
    cell: object,
    parse: Callable[[object], object],
    values: dict[str, object],
    errors: dict[str, list[str]],
    required: bool,
) -> None:
    """One cell's value into ``values``, or the reason it is refused into ``errors``: text no
    one can read (a control character, a bidirectional override, only invisible characters),
    a required cell left blank, or what its column's parser refuses."""
    unreadable = unreadable_reason(cell) if isinstance(cell, str) and not _blank(cell) else None
    if unreadable:
        errors[column] = [unreadable]
    elif not _blank(cell):
        try:
            values[column] = parse(cell)
        except ValueError as error:
            errors[column] = [str(error)]
    elif required:
        errors[column] = ["is required"]
    else:
        values[column] = None


def is_template_example(
    cells: Mapping[str, object],
    example: Mapping[str, str] = EXAMPLE_ROW,
    columns: tuple[str, ...] = ("id_number", "name"),
) -> bool:
    """Whether a spreadsheet row is an import template's example row, left in by the clerk:
    the workers' by default, another import's with its example and identifying columns."""
    return all(str(cells.get(column) or "").strip() == example[column] for column in columns)


def already_active(employer_id: str, enterprise_id: str, reveal: bool) -> str:
    """Why an active worker cannot be registered again; names the other employer if allowed."""
    if employer_id == enterprise_id:
        return "is already registered as an active worker of this enterprise"
    where = f" ({employer_id})" if reveal else ""
    return (
        f"is an active worker of another enterprise{where}; "
        "that enterprise or an admin must transfer the worker instead"
    )


def parse_worker_search(text: str, today: date | None = None) -> str | IdNumber:
    """A search for workers: a full ID number (digits, perhaps a final X, spaces ignored),
    checked, or else a name fragment (its whitespace tidied). Raises ``ValueError`` for digits
    that are not a valid ID number: a number is only ever found whole, by its keyed hash."""
    compact = "".join(text.split())
    if _ID_NUMBER_SHAPE.match(compact):
        return parse_id_number(compact, today)
    return " ".join(text.split())


def check_rule(errors: dict[str, list[str]], rule: Callable[[], None]) -> None:
    """Run a rule of the domain; what it refuses goes to ``errors`` under its field."""
    try:
        rule()
    except InvalidValue as error:
        errors.setdefault(error.field or "body", []).append(str(error))


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


NUMBER_NOT_TEXT = (
    "the cell holds a number, not text: spreadsheets keep only 15 digits of a number, "
    "so format the column as text and type the ID number again"
)
EXCEL_TURNED_INTO_NUMBER = (
    "Excel turned this ID number into a number (such as 3.30402E+17) and kept only 15 of its "
    "digits: format the column as text, type the ID number again and save the file again"
)


def parse_id_number(cell: object, today: date | None = None) -> IdNumber:
    if isinstance(cell, IdNumber):
        return cell
    if not isinstance(cell, str):
        raise ValueError(NUMBER_NOT_TEXT)
    if _NUMBER_AS_TEXT.match(cell.strip()):
        raise ValueError(EXCEL_TURNED_INTO_NUMBER)
    try:
        return validate_id_number(cell, today)
    except InvalidIdentifier as error:
        raise ValueError(str(error)) from None


def parse_name(cell: object, longest: int = NAME_MAX) -> str:
    """A name with its whitespace tidied: a worker's, or (``longest``) an enterprise's."""
    name = " ".join(str(cell).split())
    if len(name) > longest:
        raise ValueError(f"must be at most {longest} characters")
    return name


def parse_occupation_code(cell: object) -> str:
    code = str(cell).strip()
    if not OCCUPATION_CODE.fullmatch(code):
        raise ValueError(OCCUPATION_CODE_FORM)
    return code


def parse_boolean(cell: object) -> bool:
    if isinstance(cell, bool):
        return cell
    text = str(cell).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError("must be true or false (also accepted: 1/0, 是/否)")


def parse_date(cell: object) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    match = _DATE.match(str(cell).strip())
    try:
        if match is None:
            raise ValueError
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError("must be a date written as YYYY-MM-DD") from None


_PARSERS: Parsers = {
    "id_number": parse_id_number,
    "name": parse_name,
    "occupation_code": parse_occupation_code,
    "is_migrant": parse_boolean,
    "is_union_member": parse_boolean,
    "union_joined_on": parse_date,
    "hired_on": parse_date,
}
