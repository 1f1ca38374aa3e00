"""The versioned rules tables, as stored in ``rules_tables``: the current one of each kind, and a
new version.

Two kinds: ``promotion`` (years at a level before the next, :class:`PromotionRules`) and
``contest`` (the exceptional-promotion bands, :class:`ContestRules`). The highest version of a
kind rules; with no row, the domain's defaults do. Versions go on from the defaults: the
contest defaults are version 1, so the first stored contest table is 2; the promotion defaults
carry no version (``None``), so the first stored promotion table is 1.

A body is plain JSON. A promotion table is ``PromotionRules`` as a dict, levels as keys::

    {"years_before": {"4": 2, "3": 4, "2": 4, "1": 4},
     "by_occupation": {"6-18-01-01": {"4": 1}},
     "first_level_years": {"6-18-01-01": {"4": 5}}}

(``by_occupation`` and ``first_level_years`` may be left out). A contest table is
``{"bands": [...]}`` as :meth:`ContestRules.from_dict` reads it; a ``version`` in it is
replaced by the stored one. A body that breaks the rules is
:class:`~services.certification.domain.errors.InvalidRulesTable` (422, every field at once).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.certification.adapters.orm import RulesTable
from services.certification.domain import errors
from services.certification.domain.assessment import DEFAULT_YEARS_BEFORE, PromotionRules
from services.certification.domain.contest import DEFAULT_CONTEST_RULES, ContestRules
from services.certification.domain.tables import CONTEST, KINDS, PROMOTION
from shared.errors import InvalidValue

_PROMOTION_KEYS = ("years_before", "by_occupation", "first_level_years")


def latest(session: Session, kind: str) -> RulesTable | None:
    """The stored table of ``kind`` with the highest version, or ``None``."""
    return session.scalar(
        select(RulesTable)
        .where(RulesTable.kind == _kind(kind))
        .order_by(RulesTable.version.desc())
        .limit(1)
    )


def store_rules(
    session: Session, kind: str, body: Mapping[str, Any], by: str, now: datetime
) -> int:
    """Check ``body`` and store it as the next version of ``kind``; returns that version.

    Two stores racing for the same version: the primary key refuses the second (a 409)."""
    row = next_version(kind, latest(session, kind), body, by, now)
    session.add(row)
    session.flush()
    return row.version


# -- what a stored table means (no session: the handlers read the row through their port) ------


def promotion_rules_of(stored: RulesTable | None) -> tuple[int | None, PromotionRules]:
    """``(version, rules)`` of the promotion table in force, ``stored`` (the latest one);
    ``(None, PromotionRules())`` when no table was ever stored."""
    if stored is None:
        return None, PromotionRules()
    return stored.version, promotion_rules_from_body(stored.body)


def contest_rules_of(stored: RulesTable | None) -> ContestRules:
    """The contest bands in force (their ``version`` included); the defaults, version 1, when
    no table was ever stored."""
    if stored is None:
        return DEFAULT_CONTEST_RULES
    return ContestRules.from_dict(stored.body, version=stored.version)


def next_version(
    kind: str, stored: RulesTable | None, body: Mapping[str, Any], by: str, now: datetime
) -> RulesTable:
    """``body``, checked (every bad field at once) and in its normal form, as the version of
    ``kind`` after ``stored`` (the latest one, or ``None``)."""
    kind = _kind(kind)
    version = max(0 if stored is None else stored.version, _default_version(kind)) + 1
    if kind == PROMOTION:
        normal = promotion_rules_body(promotion_rules_from_body(body))
    else:
        normal = ContestRules.from_dict(body, version=version).to_dict()
    return RulesTable(kind=kind, version=version, body=normal, created_at=now, created_by=by)


def body_in_force(kind: str, stored: RulesTable | None) -> tuple[int | None, dict[str, Any]]:
    """``(version, body)`` of the table of ``kind`` in force, as JSON (the defaults if
    ``stored`` is ``None``)."""
    if _kind(kind) == PROMOTION:
        version, rules = promotion_rules_of(stored)
        return version, promotion_rules_body(rules)
    contest = contest_rules_of(stored)
    return contest.version, contest.to_dict()


# -- promotion tables as JSON ------------------------------------------------------------------


def promotion_rules_from_body(body: Mapping[str, Any]) -> PromotionRules:
    """:class:`PromotionRules` from its JSON form (level keys as strings or numbers)."""
    if not isinstance(body, Mapping):
        raise errors.InvalidRulesTable(errors={"rules": ["The rules table is an object."]})
    problems: dict[str, list[str]] = {
        key: ["Unknown field."] for key in sorted(set(body) - set(_PROMOTION_KEYS))
    }
    years_before = _levels(body.get("years_before", DEFAULT_YEARS_BEFORE), "years_before", problems)
    by_occupation = _per_occupation(body.get("by_occupation", {}), "by_occupation", problems)
    first_level = _per_occupation(body.get("first_level_years", {}), "first_level_years", problems)
    if problems:
        raise errors.InvalidRulesTable(errors=problems)
    return PromotionRules(years_before, by_occupation, first_level)


def promotion_rules_body(rules: PromotionRules) -> dict[str, Any]:
    """The JSON form of ``rules``: level keys as strings, as JSON objects need."""

    def levels(table: Mapping[int, Any]) -> dict[str, Any]:
        return {str(level): table[level] for level in sorted(table, reverse=True)}

    return {
        "years_before": levels(rules.years_before),
        "by_occupation": {code: levels(t) for code, t in sorted(rules.by_occupation.items())},
        "first_level_years": {
            code: levels(t) for code, t in sorted(rules.first_level_years.items())
        },
    }


def _levels(table: Any, where: str, problems: dict[str, list[str]]) -> dict[int, Any]:
    if not isinstance(table, Mapping):
        problems[where] = ["An object of levels to years."]
        return {}
    converted: dict[int, Any] = {}
    for key, years in table.items():
        level = _level_key(key)
        if level is None:
            problems[f"{where}.{key}"] = ["A level here is 4, 3, 2 or 1."]
        else:
            converted[level] = years
    return converted


def _per_occupation(
    table: Any, where: str, problems: dict[str, list[str]]
) -> dict[str, dict[int, Any]]:
    if not isinstance(table, Mapping):
        problems[where] = ["An object of occupation codes to levels and years."]
        return {}
    return {
        str(code): _levels(levels, f"{where}.{code}", problems) for code, levels in table.items()
    }


def _level_key(key: Any) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    if isinstance(key, str) and key.strip().isdigit():
        return int(key.strip())
    return None


def _default_version(kind: str) -> int:
    return DEFAULT_CONTEST_RULES.version if kind == CONTEST else 0


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidValue("A rules table is of kind promotion or contest.", field="kind")
    return kind
