"""Skill levels, the year a fact counts in, studios and skill leaders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.certification.domain import errors
from services.certification.domain.counting import (
    anniversary,
    completed_years,
    fact_date,
    year_of_fact,
    year_of_moment,
)
from services.certification.domain.levels import (
    LEVELS,
    check_level,
    higher_of,
    is_higher,
    name_of,
    next_up,
)
from services.certification.domain.studios import (
    StudioLevel,
    StudioStatus,
    check_leader_qualified,
    check_skill_leader_not_designated,
    decide_application,
    leader_qualified,
    studio_level,
)

# -- levels --------------------------------------------------------------------------------------


def test_smaller_number_is_the_higher_level() -> None:
    assert is_higher(1, 2) and is_higher(4, 5) and not is_higher(5, 4)
    assert is_higher(5, None)
    assert higher_of(3, 2) == 2 and higher_of(None, 4) == 4 and higher_of(None, None) is None


def test_levels_run_from_five_up_to_one() -> None:
    assert LEVELS == (5, 4, 3, 2, 1)
    assert [next_up(level) for level in (None, 5, 4, 3, 2, 1)] == [5, 4, 3, 2, 1, None]


def test_each_level_has_its_chinese_and_english_names() -> None:
    assert name_of(5).label_zh == "五级/初级工"
    assert name_of(3).label_zh == "三级/高级工"
    assert (name_of(2).title_zh, name_of(2).title_en) == ("技师", "Technician")
    assert (name_of(1).title_zh, name_of(1).title_en) == ("高级技师", "Senior technician")


def test_check_level_names_the_field_it_was_given() -> None:
    assert check_level(2) == 2
    with pytest.raises(errors.InvalidLevel) as caught:
        check_level(0, field="to_level")
    assert (caught.value.field, caught.value.status) == ("to_level", 422)


# -- counting ------------------------------------------------------------------------------------


def test_assessment_dated_31_december_processed_on_1_january_counts_in_the_old_year() -> None:
    assessed_on = date(2024, 12, 31)
    processed_at = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    assert year_of_fact(assessed_on) == 2024
    assert year_of_moment(processed_at) == 2025  # the processing moment is not what counts


def test_a_moment_counts_by_its_date_in_shanghai() -> None:
    assert fact_date(datetime(2024, 12, 31, 15, 59, tzinfo=UTC)) == date(2024, 12, 31)
    assert fact_date(datetime(2024, 12, 31, 16, 0, tzinfo=UTC)) == date(2025, 1, 1)
    new_york = timezone(timedelta(hours=-5))
    assert year_of_moment(datetime(2024, 12, 31, 11, 0, tzinfo=new_york)) == 2025


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2022, 3, 1), 2, date(2024, 3, 1)),
        (date(2024, 2, 29), 2, date(2026, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2023, 2, 28), 1, date(2024, 2, 28)),
        (date(2024, 12, 31), 0, date(2024, 12, 31)),
    ],
)
def test_anniversary_by_calendar(start: date, years: int, expected: date) -> None:
    assert anniversary(start, years) == expected


def test_completed_years_turn_on_the_anniversary() -> None:
    assert completed_years(date(2022, 3, 1), date(2024, 2, 29)) == 1
    assert completed_years(date(2022, 3, 1), date(2024, 3, 1)) == 2
    assert completed_years(date(2024, 2, 29), date(2025, 2, 28)) == 1
    assert completed_years(date(2024, 2, 29), date(2023, 1, 1)) == 0


# -- studios and skill leaders -------------------------------------------------------------------


def test_model_worker_may_lead_a_studio_without_a_level() -> None:
    assert leader_qualified(True, [])
    check_leader_qualified(True, [])


@pytest.mark.parametrize(("levels", "qualified"), [([2], True), ([5, 1], True), ([3, 4], False)])
def test_leader_needs_level_two_or_higher_in_any_occupation(
    levels: list[int], qualified: bool
) -> None:
    assert leader_qualified(False, levels) is qualified


def test_unqualified_leader_is_refused() -> None:
    with pytest.raises(errors.LeaderNotQualified) as caught:
        check_leader_qualified(False, [3])
    assert caught.value.rule == "leader_not_qualified"


def test_studio_levels_are_municipal_county_and_enterprise() -> None:
    assert [level.value for level in StudioLevel] == ["municipal", "county", "enterprise"]
    with pytest.raises(errors.InvalidStudioLevel) as caught:
        studio_level("provincial")
    assert caught.value.field == "level"


def test_studio_application_is_decided_once() -> None:
    assert decide_application("applied", approve=True) is StudioStatus.APPROVED
    assert decide_application(StudioStatus.APPLIED, approve=False) is StudioStatus.REJECTED
    with pytest.raises(errors.StudioAlreadyDecided):
        decide_application(StudioStatus.APPROVED, approve=False)


def test_skill_leader_is_designated_once() -> None:
    check_skill_leader_not_designated(None)
    with pytest.raises(errors.SkillLeaderAlreadyDesignated) as caught:
        check_skill_leader_not_designated(object())
    assert (caught.value.status, caught.value.field) == (409, "worker_id")
