"""What a rules table may hold, stated for the OpenAPI document, and the bounds the API keeps
beyond the domain's own checks.

The domain checks a table's shape and values (every bad field at once, as
``invalid_rules_table``); the document states the same: the ``promotion`` table's levels and
years, the ``contest`` table's bands. Two bounds are the API's, checked here before the domain
is asked and reported in the same problem:

- years at most :data:`MAX_YEARS`: a promotion table with a million years made every later
  assessment a 500 (the anniversary fell past the calendar's end);
- a ``contest`` table holds ``bands`` and nothing else, at most :data:`MAX_BANDS` of them (an
  unknown field was silently dropped).

A level key is one of ``"4"``, ``"3"``, ``"2"``, ``"1"`` as written (JSON keys are strings).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.certification.adapters.rules_store import promotion_rules_from_body
from services.certification.domain import errors
from services.certification.domain.contest import CONTEST_CLASSES, CONTEST_LEVELS, ContestRules

PROMOTION, CONTEST = "promotion", "contest"
MAX_YEARS = 50
MAX_BANDS = 50
LEVEL_KEYS = ("4", "3", "2", "1")
PROMOTION_TABLES = ("years_before", "by_occupation", "first_level_years")


def _levels(kind: str, *, every_level: bool, what: str) -> dict[str, Any]:
    years = {"type": kind, "minimum": 0, "maximum": MAX_YEARS}
    table: dict[str, Any] = {
        "type": "object",
        "description": what,
        "properties": {level: years for level in LEVEL_KEYS},
        "additionalProperties": False,
    }
    if every_level:
        table["required"] = list(LEVEL_KEYS)
    return table


PROMOTION_TABLE: dict[str, Any] = {
    "type": "object",
    "title": "promotion",
    "description": "for PUT /rules/promotion: whole years at the level below before each level",
    "properties": {
        "years_before": _levels(
            "integer",
            every_level=True,
            what="by level reached (4 is 5 → 4); default 2, 4, 4, 4",
        ),
        "by_occupation": {
            "type": "object",
            "description": "by occupation code: levels whose years differ from years_before",
            "additionalProperties": _levels("integer", every_level=False, what="by level"),
        },
        "first_level_years": {
            "type": "object",
            "description": "by occupation code: years in it that allow a first assessment above 5",
            "additionalProperties": _levels("number", every_level=False, what="by level"),
        },
    },
    "additionalProperties": False,
}
"""The ``promotion`` table (``GET /rules/promotion`` shows the one in force)."""

BAND: dict[str, Any] = {
    "type": "object",
    "description": "an award's band: either max_rank or top_percent, not both",
    "required": ["level", "to_level"],
    "properties": {
        "level": {"type": "string", "enum": list(CONTEST_LEVELS)},
        "to_level": {"type": "integer", "minimum": 1, "maximum": 5},
        "contest_class": {
            "type": "integer",
            "enum": [*CONTEST_CLASSES, None],
            "minimum": min(CONTEST_CLASSES),
            "maximum": max(CONTEST_CLASSES),
            "nullable": True,
        },
        "max_rank": {"type": "integer", "minimum": 1, "maximum": 100_000, "nullable": True},
        "top_percent": {"type": "integer", "minimum": 1, "maximum": 100, "nullable": True},
    },
    "additionalProperties": False,
}
CONTEST_TABLE: dict[str, Any] = {
    "type": "object",
    "title": "contest",
    "description": "for PUT /rules/contest: the bands of exceptional promotion by contest",
    "required": ["bands"],
    "properties": {
        "bands": {"type": "array", "minItems": 1, "maxItems": MAX_BANDS, "items": BAND},
    },
    "additionalProperties": False,
}
"""The ``contest`` table (``GET /rules/contest`` shows the one in force)."""

KIND_PARAMETER = {
    "in": "path",
    "name": "kind",
    "required": True,
    "description": "which table: promotion or contest (any other is a 404)",
    "schema": {"type": "string", "enum": [PROMOTION, CONTEST]},
}
BODY_DOC = {
    "oneOf": [PROMOTION_TABLE, CONTEST_TABLE],
    "description": "the table of the path's kind, in the form GET shows it: a promotion table "
    "for promotion, a contest table for contest",
}


def check_table(kind: str, body: Mapping[str, Any]) -> None:
    """Refuse a table past the API's bounds or the domain's checks, naming every bad field in
    one :class:`~services.certification.domain.errors.InvalidRulesTable`."""
    problems = _promotion_bounds(body) if kind == PROMOTION else _contest_bounds(body)
    try:
        if kind == PROMOTION:
            promotion_rules_from_body(body)
        elif kind == CONTEST:
            ContestRules.from_dict(body, version=1)
    except errors.InvalidRulesTable as refused:
        problems = {**refused.errors, **problems} if refused.errors else problems
    if problems:
        raise errors.InvalidRulesTable(errors=problems)


def _promotion_bounds(body: Mapping[str, Any]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    tables: dict[str, Any] = {"years_before": body.get("years_before")}
    for name in ("by_occupation", "first_level_years"):
        per_occupation = body.get(name)
        if isinstance(per_occupation, Mapping):
            tables |= {f"{name}.{code}": t for code, t in per_occupation.items()}
    for where, table in tables.items():
        if not isinstance(table, Mapping):
            continue
        for level, years in table.items():
            if level not in LEVEL_KEYS:
                problems[f"{where}.{level}"] = ["A level here is 4, 3, 2 or 1."]
            elif _number(years) and not 0 <= years <= MAX_YEARS:  # NaN too
                problems[f"{where}.{level}"] = [f"Years are from 0 to {MAX_YEARS}."]
    return problems


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _contest_bounds(body: Mapping[str, Any]) -> dict[str, list[str]]:
    problems = {key: ["Unknown field."] for key in sorted(set(body) - {"bands"})}
    bands = body.get("bands")
    if isinstance(bands, list) and len(bands) > MAX_BANDS:
        problems["bands"] = [f"At most {MAX_BANDS} bands."]
    return problems
