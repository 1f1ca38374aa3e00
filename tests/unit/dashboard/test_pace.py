"""The pace rule: the share of a period elapsed on a given day in Asia/Shanghai, and what a
target is judged against."""

from __future__ import annotations

from datetime import date

import pytest

from services.dashboard.domain.pace import (
    month_pace,
    on_track,
    pace_of,
    span_elapsed,
    year_elapsed,
)
from services.dashboard.domain.targets import Kind, PlanSpan

PLAN = PlanSpan(2026, 5)


def test_on_1_january_nothing_of_the_year_is_expected_yet() -> None:
    assert year_elapsed(2026, date(2026, 1, 1)) == 0
    assert on_track(0, 3000, year_elapsed(2026, date(2026, 1, 1))) is True


def test_on_1_july_about_half_of_the_year_is_expected() -> None:
    assert year_elapsed(2026, date(2026, 7, 1)) == 181 / 365
    assert year_elapsed(2028, date(2028, 7, 1)) == 182 / 366  # a leap year
    expected = 3000 * 181 / 365  # 1487.67
    assert on_track(1488, 3000, year_elapsed(2026, date(2026, 7, 1))) is True
    assert on_track(1487, 3000, year_elapsed(2026, date(2026, 7, 1))) is False
    assert 1487 < expected < 1488


def test_on_31_december_nearly_all_of_the_year_is_expected() -> None:
    assert year_elapsed(2026, date(2026, 12, 31)) == 364 / 365
    assert on_track(2991, 3000, year_elapsed(2026, date(2026, 12, 31))) is False
    assert on_track(2992, 3000, year_elapsed(2026, date(2026, 12, 31))) is True


def test_a_past_year_counts_as_whole_and_a_year_to_come_as_nothing() -> None:
    assert year_elapsed(2025, date(2026, 1, 1)) == 1
    assert year_elapsed(2025, date(2026, 7, 1)) == 1
    assert on_track(2999, 3000, year_elapsed(2025, date(2026, 7, 1))) is False
    assert year_elapsed(2027, date(2026, 7, 1)) == 0


def test_the_plans_pace_runs_over_its_five_years() -> None:
    assert span_elapsed(PLAN, 2026, date(2026, 1, 1)) == 0
    assert span_elapsed(PLAN, 2027, date(2028, 3, 1)) == pytest.approx(2 / 5, abs=1e-3)
    assert span_elapsed(PLAN, 2028, date(2028, 7, 1)) == pytest.approx(2.5 / 5, abs=1e-3)
    assert span_elapsed(PLAN, 2031, date(2032, 1, 1)) == 1
    assert span_elapsed(PLAN, 2025, date(2026, 7, 1)) == 0  # before the plan


def test_a_rate_is_judged_against_its_goal_whatever_the_day() -> None:
    assert pace_of(Kind.RATE, PLAN, 2026, date(2026, 1, 1)) is None
    assert on_track(89.99, 90, None) is False
    assert on_track(90, 90, None) is True


def test_no_goal_means_no_judgement() -> None:
    assert on_track(5, None, 0.5) is None


def test_the_pace_line_is_where_each_month_ends() -> None:
    assert month_pace(Kind.YEARLY, PLAN, 2026, 1) == 31 / 365
    assert month_pace(Kind.YEARLY, PLAN, 2026, 12) == 1
    assert month_pace(Kind.CUMULATIVE, PLAN, 2026, 12) == pytest.approx(1 / 5, abs=1e-3)
    assert month_pace(Kind.RATE, PLAN, 2026, 6) is None
