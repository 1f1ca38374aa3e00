"""The registry's rules that need no database: regions, dates, union facts, levels, rates."""

from __future__ import annotations

from datetime import date

from services.registry.domain.errors import InvalidValue

LEVEL_BELOW = {"city": "county", "county": "town", "town": "village"}
"""Below Jiaxing (``shared.regions``) and its seven counties sit towns (9 digits), then villages
(12): each code is its parent's and three digits."""
MIN_WORKING_AGE = 16  # the Labour Law's minimum age of employment
SKILL_LEVELS = range(1, 6)  # 1 (高级技师) is the highest, 5 (初级工) the lowest


def check_enterprise_region(region_code: str, level: str) -> None:
    """An enterprise sits in a county, town or village, never at the city level itself."""
    if level == "city":
        raise InvalidValue(
            "An enterprise is registered in a county-level division or below, not in the city.",
            field="region_code",
        )


def check_new_region(code: str, parent_code: str, parent_level: str | None) -> str:
    """A town or village code is its parent's code and three digits; returns its level."""
    level = LEVEL_BELOW.get(parent_level or "")
    if parent_level is None or level is None:
        raise InvalidValue("The parent must be a county or a town of Jiaxing.", field="parent_code")
    if level == "county":
        raise InvalidValue("Jiaxing's counties are fixed; add towns below them.", field="code")
    if len(code) != len(parent_code) + 3 or not code.startswith(parent_code) or not code.isdigit():
        raise InvalidValue(
            f"A {level} code is its parent's code followed by three digits.", field="code"
        )
    return level


def check_not_future(value: date | None, today: date, field: str) -> None:
    if value is not None and value > today:
        raise InvalidValue("must not be in the future", field=field)


def check_union_founding(has_union: bool, founded_on: date | None, today: date) -> None:
    if founded_on is not None and not has_union:
        raise InvalidValue(
            "only an enterprise with a union has a founding date", field="union_founded_on"
        )
    check_not_future(founded_on, today, "union_founded_on")


def check_union_joining(is_member: bool, joined_on: date | None, today: date) -> None:
    if joined_on is not None and not is_member:
        raise InvalidValue("only a union member has a joining date", field="union_joined_on")
    check_not_future(joined_on, today, "union_joined_on")


def check_hiring(birth_date: date | None, hired_on: date, today: date) -> None:
    """Not in the future, and (when the birth date is known) not before working age."""
    check_not_future(hired_on, today, "hired_on")
    if birth_date is not None and age_on(birth_date, hired_on) < MIN_WORKING_AGE:
        raise InvalidValue(f"the worker was under {MIN_WORKING_AGE} on that date", field="hired_on")


def check_end_of_employment(hired_on: date, ends_on: date, today: date, field: str) -> None:
    check_not_future(ends_on, today, field)
    if ends_on < hired_on:
        raise InvalidValue("must not be before the worker was hired", field=field)


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def higher_level(current: int | None, new: int) -> int:
    """The higher of two skill levels: the smaller number."""
    return new if current is None else min(current, new)


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` to four places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None
