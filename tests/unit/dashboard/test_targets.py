"""The target arithmetic: values, ratios, the county breakdown, goals and the plan's span."""

from __future__ import annotations

from datetime import date

import pytest

from services.dashboard.domain.answer import Standing, Tally, answer, history, value_of
from services.dashboard.domain.goals import Goals, InvalidSetting, goals_from, span_from
from services.dashboard.domain.targets import BY_KEY, TARGETS, PlanSpan, counted_until

PLAN = PlanSpan(2026, 5)
JULY = Standing(2026, date(2026, 7, 1), PLAN, Goals())


def test_the_nine_targets_of_the_plan() -> None:
    assert [t.key for t in TARGETS] == [
        "enterprise_coverage",
        "worker_participation",
        "yearly_promotions",
        "municipal_studios",
        "skill_leaders",
        "trained_workers",
        "trained_migrant_workers",
        "union_formation",
        "union_membership",
    ]


def test_a_rate_is_a_percentage_with_two_decimals_and_zero_over_nothing() -> None:
    coverage = BY_KEY["enterprise_coverage"]
    counts = {"enterprises_participating": 2, "enterprises_total": 3}
    assert value_of(coverage, counts) == 66.67
    assert value_of(coverage, {"enterprises_participating": 0, "enterprises_total": 0}) == 0


def test_a_yearly_count_against_its_goal_and_pace() -> None:
    tally = Tally(
        {"promotions": 1500, "workers_promoted": 1400},
        {
            "330402": {"promotions": 1000, "workers_promoted": 900},
            "330483": {"promotions": 500},
        },
    )

    promotions = answer(BY_KEY["yearly_promotions"], tally, JULY)

    assert (promotions["current"], promotions["goal"], promotions["ratio"]) == (1500, 3000, 0.5)
    assert promotions["on_track"] is True  # 1500 ≥ 1487.67
    assert promotions["counts"] == {"promotions": 1500, "workers_promoted": 1400}
    assert promotions["unit"] == "promotions"  # every promotion, as certification counts them
    assert promotions["by_region"]["330402"] == 1000
    assert promotions["by_region"]["330411"] == 0  # every county, even one with nothing


def test_a_county_sees_its_own_value_and_its_own_goal() -> None:
    goals = Goals(county={("yearly_promotions", "330402"): 500})
    standing = Standing(2026, date(2026, 7, 1), PLAN, goals, "330402")
    tally = Tally({"promotions": 1500}, {"330402": {"promotions": 300}})

    promotions = answer(BY_KEY["yearly_promotions"], tally, standing)
    leaders = answer(BY_KEY["skill_leaders"], tally, standing)

    assert (promotions["current"], promotions["goal"], promotions["ratio"]) == (300, 500, 0.6)
    assert promotions["by_region"] == {"330402": 300}
    assert (leaders["goal"], leaders["ratio"], leaders["on_track"]) == (None, None, None)


def test_history_leaves_the_months_not_yet_begun_empty() -> None:
    monthly = [{"promotions": month * 10} for month in range(1, 13)]

    points = history(BY_KEY["yearly_promotions"], monthly, JULY)

    assert [p["value"] for p in points] == [10, 20, 30, 40, 50, 60, 70] + [None] * 5
    assert points[5]["expected"] == round(3000 * 181 / 365, 2)  # end of June: 1 July's pace


def test_goals_default_to_the_digest_and_settings_override_them() -> None:
    assert Goals().of(BY_KEY["trained_workers"], None) == 100_000
    goals = goals_from(
        {"JIANGONG_TARGET_TRAINED_WORKERS": "120000", "JIANGONG_TARGET_SKILL_LEADERS_330421": "80"}
    )
    assert goals.of(BY_KEY["trained_workers"], None) == 120_000
    assert goals.of(BY_KEY["skill_leaders"], "330421") == 80
    assert goals.of(BY_KEY["union_membership"], "330421") == 90


@pytest.mark.parametrize(
    "settings",
    [
        {"JIANGONG_TARGET_SKILL_LEADERS": "-1"},
        {"JIANGONG_TARGET_ENTERPRISE_COVERAGE": "0.9e3"},
        {"JIANGONG_TARGET_NOTHING": "1"},
        {"JIANGONG_PLAN_YEARS": "0"},
    ],
)
def test_settings_that_cannot_be_used_are_refused_by_name(settings: dict[str, str]) -> None:
    with pytest.raises(InvalidSetting, match=next(iter(settings))):
        goals_from(settings)
        span_from(settings)


def test_cumulative_targets_count_everything_up_to_the_end_of_the_year() -> None:
    # as certification's "to date" figures: no start, and not capped at the plan's end
    assert counted_until(2027) == date(2028, 1, 1)
    assert counted_until(2035) == date(2036, 1, 1)
    assert counted_until(2020) == date(2021, 1, 1)
    assert span_from({}) == PlanSpan(2026, 5)
    assert (PlanSpan(2026, 5).start, PlanSpan(2026, 5).end) == (date(2026, 1, 1), date(2031, 1, 1))
