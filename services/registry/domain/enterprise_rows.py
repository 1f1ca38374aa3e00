"""An enterprise's details from a spreadsheet row, checked as ``POST /enterprises`` checks them.

``parse_new_enterprise`` takes the cells as they come (strings from a CSV file; strings,
numbers, booleans or dates from an XLSX file) and the registry's regions, and returns the
enterprise's column values with the reasons for each bad field (none: the row is good). The
region may be given by its code (330411) or its name (秀洲区).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.registry.domain.rules import check_enterprise_region, check_union_founding
from services.registry.domain.workers import (
    Parsers,
    check_rule,
    is_template_example,
    parse_boolean,
    parse_date,
    parse_name,
    read_cells,
)
from shared.identifiers import InvalidIdentifier, validate_uscc

SHEET = (
    # column, its Chinese header (as the template writes it beside the English), required,
    # the template's example (an import skips a row that is still exactly the example)
    ("uscc", "统一社会信用代码", True, "91330402MA2B3C4D53"),
    ("name", "单位名称", True, "示例 嘉兴某某有限公司（请删除此行）"),
    ("region_code", "所在地区", True, "南湖区"),
    ("has_union", "是否建会", True, "是"),
    ("union_founded_on", "建会日期", False, "2015-05-01"),
    ("above_designated_size", "是否规上企业", True, "是"),
    ("ownership", "所有制", True, "非公有"),
    ("employee_count", "职工人数", True, "120"),
)
COLUMNS = tuple(column for column, *_ in SHEET)
LABELS = {column: label for column, label, *_ in SHEET}
REQUIRED = tuple(column for column, _, required, _ in SHEET if required)
EXAMPLE_ROW = {column: example for column, *_, example in SHEET}
HEADER_ALIASES = {
    **{label: column for column, label in LABELS.items()},
    "信用代码": "uscc",
    "企业名称": "name",
    "地区": "region_code",
    "地区代码": "region_code",
    "是否建立工会": "has_union",
    "工会成立日期": "union_founded_on",
    "规上企业": "above_designated_size",
    "所有制性质": "ownership",
    "从业人数": "employee_count",
}
"""The Chinese headers an import accepts for each column (besides the English names)."""
OWNERSHIP = {
    "public": "public",
    "non_public": "non_public",
    "公有": "public",
    "公有制": "public",
    "非公有": "non_public",
    "非公有制": "non_public",
}
NAME_MAX = 200
MAX_EMPLOYEES = 1_000_000
"""Past any employer registered in Jiaxing, and inside every database's integer column."""
COMPARED = tuple(column for column in COLUMNS if column != "uscc")
"""The details an import compares with a registered enterprise of the same credit code."""


@dataclass(frozen=True)
class KnownRegion:
    code: str
    level: str


Regions = Mapping[str, list[KnownRegion]]
"""The registry's regions by code and by name (a name may be several regions' name)."""


def parse_new_enterprise(
    cells: Mapping[str, object], today: date, regions: Regions
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    parsers: Parsers = {**_PARSERS, "region_code": lambda cell: parse_region(cell, regions)}
    values, errors = read_cells(cells, parsers, REQUIRED)
    region = values.get("region_code")
    if isinstance(region, KnownRegion):
        values["region_code"] = region.code
        check_rule(errors, lambda: check_enterprise_region(region.code, region.level))
    has_union, founded_on = values.get("has_union"), values.get("union_founded_on")
    if isinstance(has_union, bool) and isinstance(founded_on, date | None):
        check_rule(errors, lambda: check_union_founding(has_union, founded_on, today))
    return values, errors


def is_example(cells: Mapping[str, object]) -> bool:
    """Whether a row is the import template's example row, left in by the clerk."""
    return is_template_example(cells, EXAMPLE_ROW, ("uscc", "name"))


def differences(registered: Mapping[str, Any], values: Mapping[str, Any]) -> list[str]:
    """The details in which a row differs from the enterprise registered with its credit code."""
    return [column for column in COMPARED if registered[column] != values[column]]


def parse_uscc(cell: object) -> str:
    if not isinstance(cell, str):
        raise ValueError(USCC_NOT_TEXT)
    try:
        return validate_uscc(cell)
    except InvalidIdentifier as error:
        raise ValueError(str(error)) from None


USCC_NOT_TEXT = (
    "the cell holds a number, not text: format the column as text and type the credit code again"
)


def parse_region(cell: object, regions: Regions) -> KnownRegion:
    text = _whole_number(cell) if isinstance(cell, int | float) else str(cell).strip()
    found = regions.get(text, [])
    if len(found) > 1:
        raise ValueError("names more than one region: give the region's code instead")
    if not found:
        shown = text if len(text) <= 24 else text[:24] + "…"
        raise ValueError(f"{shown} is not a region of Jiaxing known to the registry")
    return found[0]


def parse_ownership(cell: object) -> str:
    text = str(cell).strip().lower()
    if text not in OWNERSHIP:
        raise ValueError("must be public or non_public (also accepted: 公有, 非公有)")
    return OWNERSHIP[text]


def parse_employee_count(cell: object) -> int:
    text = _whole_number(cell) if isinstance(cell, int | float) else str(cell).strip()
    if not text.isdecimal() or len(text) > len(str(MAX_EMPLOYEES)) or int(text) > MAX_EMPLOYEES:
        raise ValueError(f"must be a whole number from 0 to {MAX_EMPLOYEES:,}")
    return int(text)


def _whole_number(cell: int | float) -> str:
    """A number cell as the digits a clerk typed (an XLSX may keep 120 as 120.0)."""
    return str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell)


_PARSERS: Parsers = {
    "uscc": parse_uscc,
    "name": lambda cell: parse_name(cell, NAME_MAX),
    "region_code": str,  # read against the registry's regions by parse_new_enterprise
    "has_union": parse_boolean,
    "union_founded_on": parse_date,
    "above_designated_size": parse_boolean,
    "ownership": parse_ownership,
    "employee_count": parse_employee_count,
}
