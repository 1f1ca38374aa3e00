"""Request bodies several test suites send: a valid one to start from, with overrides."""

from __future__ import annotations

from typing import Any


def competition_body(**overrides: Any) -> dict[str, Any]:
    """A city class-1 skill contest (lathe), two criteria, three awards: valid as it is."""
    body: dict[str, Any] = {
        "title": "嘉兴市数控车工技能比武",
        "kind": "skill_contest",
        "level": "city",
        "contest_class": 1,
        "region_code": "330400",
        "occupation_code": "6-18-01-01",
        "year": 2025,
        "registration_closes_at": None,
        "freeze_at": None,
        "max_entries_per_enterprise": 3,
        "team_size": {"min": 1, "max": 2},
        "criteria": [
            {"code": "quality", "name": "质量", "weight": 0.6, "max_marks": 100},
            {"code": "safety", "name": "安全", "weight": 0.4, "max_marks": 100},
        ],
        "aggregation": "mean",
        "awards": [
            {"name": "一等奖", "places": 1},
            {"name": "二等奖", "places": 1},
            {"name": "三等奖", "places": 1},
        ],
    }
    body.update(overrides)
    return body
