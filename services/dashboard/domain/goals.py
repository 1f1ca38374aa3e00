"""The goals the targets are judged against, and the plan's span, from settings.

Goals default to the digest's figures (``Target.goal``). ``JIANGONG_TARGET_<KEY>`` sets a
city-wide goal (``JIANGONG_TARGET_YEARLY_PROMOTIONS=3500``; rates in percent:
``…_UNION_FORMATION=95``) and ``JIANGONG_TARGET_<KEY>_<COUNTY>`` a county's
(``…_YEARLY_PROMOTIONS_330402=500``). A county has the city's goal for a rate, and no goal for
a count unless one is set. The span is ``JIANGONG_PLAN_FIRST_YEAR`` (default 2026) and
``JIANGONG_PLAN_YEARS`` (default 5, the source's "未来5年").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.dashboard.domain.targets import (
    PLAN_FIRST_YEAR,
    PLAN_YEARS,
    TARGETS,
    Kind,
    PlanSpan,
    Target,
)
from shared.regions import COUNTIES


class InvalidSetting(ValueError):
    """A goal or span setting that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Goals:
    city: Mapping[str, float] = field(default_factory=lambda: {t.key: t.goal for t in TARGETS})
    county: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def of(self, target: Target, region: str | None) -> float | None:
        """The goal of ``target`` for the city (``region`` None) or one county."""
        if region is None:
            return self.city[target.key]
        if (target.key, region) in self.county:
            return self.county[(target.key, region)]
        return self.city[target.key] if target.kind is Kind.RATE else None


def setting_name(key: str, county: str | None = None) -> str:
    return f"JIANGONG_TARGET_{key.upper()}" + (f"_{county}" if county else "")


def goals_from(settings: Mapping[str, str]) -> Goals:
    """The goals, the digest's unless a ``JIANGONG_TARGET_*`` setting says otherwise."""
    city = {t.key: _goal(settings, t, setting_name(t.key), t.goal) for t in TARGETS}
    county = {
        (t.key, code): _goal(settings, t, setting_name(t.key, code), t.goal)
        for t in TARGETS
        for code in COUNTIES
        if setting_name(t.key, code) in settings
    }
    known = {setting_name(t.key) for t in TARGETS} | {
        setting_name(t.key, code) for t in TARGETS for code in COUNTIES
    }
    unknown = sorted(
        name for name in settings if name.startswith("JIANGONG_TARGET_") and name not in known
    )
    if unknown:
        raise InvalidSetting(f"{unknown[0]} names no target (or no county of Jiaxing)")
    return Goals(city, county)


def span_from(settings: Mapping[str, str]) -> PlanSpan:
    first = _integer(settings, "JIANGONG_PLAN_FIRST_YEAR", PLAN_FIRST_YEAR, 2000, 2100)
    years = _integer(settings, "JIANGONG_PLAN_YEARS", PLAN_YEARS, 1, 20)
    return PlanSpan(first, years)


def _goal(settings: Mapping[str, str], target: Target, name: str, default: float) -> float:
    raw = settings.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InvalidSetting(f"{name} must be a number, not {raw!r}") from None
    limit = 100 if target.kind is Kind.RATE else float("inf")
    if not 0 < value <= limit:
        bound = "in (0, 100] (percent)" if target.kind is Kind.RATE else "above 0"
        raise InvalidSetting(f"{name} must be {bound}, not {raw!r}")
    return value


def _integer(settings: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = settings.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidSetting(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise InvalidSetting(f"{name} must be between {low} and {high}, not {raw!r}")
    return value
