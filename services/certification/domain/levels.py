"""Skill levels, what a worker holds, and a promotion.

Per occupation a worker holds one of five levels, from the lowest to the highest:
5 (五级/初级工) < 4 (四级/中级工) < 3 (三级/高级工) < 2 (二级/技师) < 1 (一级/高级技师).
**The smaller number is the higher level**, so "higher" in this package always means a smaller
number, and :func:`is_higher` says it in words instead of a bare ``<``. A promotion moves a
worker up (to a smaller number), by assessment or by contest (破格); a level never goes down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from . import errors

LOWEST = 5
HIGHEST = 1
LEVELS: tuple[int, ...] = (5, 4, 3, 2, 1)
"""Every level, from the lowest to the highest."""

REVIEW_PANEL_LEVELS = frozenset({2, 1})
"""Levels whose assessment also needs the review panel's pass (综合评审)."""


class Route(StrEnum):
    """How a level was reached."""

    ASSESSMENT = "assessment"
    CONTEST = "contest_award"


@dataclass(frozen=True, slots=True)
class LevelName:
    level: int
    grade_zh: str
    title_zh: str
    title_en: str

    @property
    def label_zh(self) -> str:
        """``五级/初级工``: the grade and the title, as certificates print them."""
        return f"{self.grade_zh}/{self.title_zh}"


NAMES: dict[int, LevelName] = {
    5: LevelName(5, "五级", "初级工", "Junior worker"),
    4: LevelName(4, "四级", "中级工", "Intermediate worker"),
    3: LevelName(3, "三级", "高级工", "Senior worker"),
    2: LevelName(2, "二级", "技师", "Technician"),
    1: LevelName(1, "一级", "高级技师", "Senior technician"),
}


def check_level(level: object, field: str = "level") -> int:
    """``level`` as an int from 1 to 5, or :class:`~.errors.InvalidLevel` naming ``field``."""
    if isinstance(level, bool) or not isinstance(level, int) or level not in NAMES:
        raise errors.InvalidLevel(field=field)
    return level


def name_of(level: int) -> LevelName:
    return NAMES[check_level(level)]


def is_higher(level: int, than: int | None) -> bool:
    """Whether ``level`` is above ``than`` (any level is above holding none)."""
    return than is None or level < than


def higher_of(a: int | None, b: int | None) -> int | None:
    """The higher of two levels (the smaller number); ``None`` means no level held."""
    if a is None or b is None:
        return b if a is None else a
    return min(a, b)


def next_up(level: int | None) -> int | None:
    """The level one above ``level`` (5 for someone holding none), ``None`` above level 1."""
    if level is None:
        return LOWEST
    return level - 1 if level > HIGHEST else None


@dataclass(frozen=True, slots=True)
class SkillHolding:
    """The level a worker holds in one occupation, and since when."""

    occupation_code: str
    level: int
    since: date


@dataclass(frozen=True, slots=True)
class Promotion:
    """A worker moves up in one occupation: ``from_level`` is ``None`` for a first level."""

    occupation_code: str
    from_level: int | None
    to_level: int
    route: Route
    on: date
