"""``/`` answers a small page of the targets; a setting the dashboard cannot use stops it."""

from __future__ import annotations

import pytest

from shared.settings import ConfigurationError
from tests.integration.dashboard.conftest import build_world, new_id


def test_the_root_lists_the_targets_with_chinese_labels_first(world) -> None:
    world.promotion(new_id("wkr"))

    page = world.client.get("/")

    assert page.status_code == 200
    assert page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in text
    assert text.index("职工技能晋级") < text.index("Workers promoted a skill level")
    assert 'data-key="union_membership"' in text
    assert 'new EventSource("api/v1/stream")' in text  # relative: it works under any prefix


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("JIANGONG_TARGET_YEARLY_PROMOTIONS", "many"),
        ("JIANGONG_TARGET_UNION_MEMBERSHIP", "120"),
        ("JIANGONG_TARGET_HAPPINESS", "1"),
        ("JIANGONG_TARGET_SKILL_LEADERS_110101", "5"),
        ("JIANGONG_PLAN_FIRST_YEAR", "soon"),
        ("JIANGONG_DASHBOARD_STREAM_SECONDS", "0"),
    ],
)
def test_a_setting_it_cannot_use_stops_the_app_naming_it(tmp_path, setting, value) -> None:
    with pytest.raises(ConfigurationError, match=setting):
        build_world(tmp_path, **{setting: value})


def test_the_plan_span_comes_from_settings(tmp_path) -> None:
    world = build_world(tmp_path, JIANGONG_PLAN_FIRST_YEAR="2021", JIANGONG_PLAN_YEARS="5")
    world.studio(approved_on="2022-03-01")

    body = world.client.get("/api/v1/targets?year=2026").json
    studios = {t["key"]: t for t in body["targets"]}["municipal_studios"]

    assert body["plan"] == {"first_year": 2021, "last_year": 2025}
    assert (studios["current"], studios["pace"], studios["on_track"]) == (1, 1, False)
