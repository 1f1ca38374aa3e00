"""Jiaxing's regions: the city and its seven county-level divisions, one table for every service.

Towns (9 digits) and villages (12) may be added below a county in the registry; every count is
broken down by county, the first six digits of a region code.
"""

from __future__ import annotations

JIAXING = "330400"
JIAXING_NAME = "嘉兴市"

COUNTIES: dict[str, str] = {
    "330402": "南湖区",
    "330411": "秀洲区",
    "330421": "嘉善县",
    "330424": "海盐县",
    "330481": "海宁市",
    "330482": "平湖市",
    "330483": "桐乡市",
}
"""Jiaxing's seven county-level divisions, by code."""

COUNTY_NAMES_EN: dict[str, str] = {
    "330402": "Nanhu",
    "330411": "Xiuzhou",
    "330421": "Jiashan",
    "330424": "Haiyan",
    "330481": "Haining",
    "330482": "Pinghu",
    "330483": "Tongxiang",
}

SEED: tuple[tuple[str, str, str, str | None], ...] = (
    (JIAXING, JIAXING_NAME, "city", None),
    *((code, name, "county", JIAXING) for code, name in COUNTIES.items()),
)
"""(code, name, level, parent) of the regions every installation starts with."""


def county_of(region_code: str) -> str:
    """The county-level division a region lies in (its first six digits)."""
    return region_code[:6]


def is_county(region_code: str | None) -> bool:
    return region_code in COUNTIES


def in_jiaxing(region_code: str | None) -> bool:
    """The city itself or anything below one of its counties."""
    return bool(region_code) and (
        region_code == JIAXING or county_of(region_code or "") in COUNTIES
    )
