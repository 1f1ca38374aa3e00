"""Assessment: the pass, the date, the assessor's authorisation and promotion by assessment."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.certification.domain import errors
from services.certification.domain.assessment import (
    AssessmentInput,
    Authorisation,
    PromotionRules,
    check_assessed_on,
    check_authorised,
    decide,
    decide_assessment_promotion,
    passed,
)
from services.certification.domain.levels import Promotion, Route, SkillHolding

RULES = PromotionRules()
TODAY = date(2025, 6, 1)


def assessment(**overrides: Any) -> AssessmentInput:
    base: dict[str, Any] = {
        "occupation_code": "6-18-01-01",
        "level": 4,
        "theory_score": 75,
        "practical_score": 80,
        "assessed_on": date(2025, 5, 20),
        "review_passed": None,
    }
    return AssessmentInput(**(base | overrides))


def holding(level: int, since: date, occupation_code: str = "6-18-01-01") -> SkillHolding:
    return SkillHolding(occupation_code, level, since)


# -- the pass ------------------------------------------------------------------------------------


def test_both_scores_of_sixty_pass() -> None:
    assert passed(assessment(theory_score=60, practical_score=60))


@pytest.mark.parametrize(("theory", "practical"), [(59.5, 90), (90, 59), (0, 0)])
def test_a_score_below_sixty_fails(theory: float, practical: float) -> None:
    assert not passed(assessment(theory_score=theory, practical_score=practical))


@pytest.mark.parametrize("level", [2, 1])
def test_levels_two_and_one_need_the_review_panel(level: int) -> None:
    assert not passed(assessment(level=level, review_passed=None))
    assert not passed(assessment(level=level, review_passed=False))
    assert passed(assessment(level=level, review_passed=True))


def test_lower_levels_do_not_need_the_review_panel() -> None:
    assert passed(assessment(level=3, review_passed=False))


@pytest.mark.parametrize(
    ("name", "value"), [("theory_score", 100.5), ("practical_score", -1), ("theory_score", "80")]
)
def test_score_out_of_range_is_refused_naming_the_field(name: str, value: object) -> None:
    with pytest.raises(errors.ScoresOutOfRange) as caught:
        assessment(**{name: value})
    assert (caught.value.rule, caught.value.status, caught.value.field) == (
        "scores_out_of_range",
        422,
        name,
    )


@pytest.mark.parametrize("level", [0, 6, True, "3"])
def test_unknown_level_is_refused(level: object) -> None:
    with pytest.raises(errors.InvalidLevel) as caught:
        assessment(level=level)
    assert caught.value.field == "level"


# -- the date ------------------------------------------------------------------------------------


def test_assessment_dated_today_is_accepted() -> None:
    check_assessed_on(TODAY, TODAY)


def test_assessment_dated_tomorrow_is_refused() -> None:
    with pytest.raises(errors.AssessmentInFuture) as caught:
        check_assessed_on(date(2025, 6, 2), TODAY)
    assert (caught.value.status, caught.value.field) == (422, "assessed_on")


# -- the authorisation ---------------------------------------------------------------------------

AUTH = Authorisation("X", frozenset({3}), date(2024, 1, 1), date(2025, 12, 31))


def test_assessor_within_authorisation_may_record() -> None:
    assert check_authorised([AUTH], "X", 3, TODAY, TODAY) is AUTH


def test_authorisation_is_valid_on_its_last_day() -> None:
    assert check_authorised([AUTH], "X", 3, date(2025, 12, 31), date(2025, 12, 31)) is AUTH


@pytest.mark.parametrize(("occupation", "level"), [("X", 5), ("Y", 3)])
def test_assessor_outside_authorisation_is_forbidden(occupation: str, level: int) -> None:
    with pytest.raises(errors.NotAuthorised) as caught:
        check_authorised([AUTH], occupation, level, TODAY, TODAY)
    assert (caught.value.rule, caught.value.status) == ("not_authorised", 403)


def test_assessment_before_authorisation_starts_is_forbidden() -> None:
    with pytest.raises(errors.NotAuthorised) as caught:
        check_authorised([AUTH], "X", 3, date(2023, 12, 31), TODAY)
    assert type(caught.value) is errors.NotAuthorised


def test_assessor_after_authorisation_ended_is_forbidden() -> None:
    with pytest.raises(errors.AuthorisationEnded) as caught:
        check_authorised([AUTH], "X", 3, date(2025, 12, 30), date(2026, 1, 1))
    assert (caught.value.rule, caught.value.status) == ("authorisation_ended", 403)


def test_a_renewed_authorisation_covers_after_the_old_one_ended() -> None:
    renewed = Authorisation("X", frozenset({3, 4}), date(2026, 1, 1))
    on = date(2026, 3, 1)
    assert check_authorised([AUTH, renewed], "X", 3, on, on) is renewed


# -- promotion by assessment ---------------------------------------------------------------------


def test_exactly_two_years_to_the_day_at_level_five_allows_level_four() -> None:
    promotion = decide_assessment_promotion(
        holding(5, date(2022, 3, 1)), 4, date(2024, 3, 1), RULES
    )
    assert promotion == Promotion("6-18-01-01", 5, 4, Route.ASSESSMENT, date(2024, 3, 1))


def test_one_day_short_of_two_years_is_too_early_and_names_the_date() -> None:
    with pytest.raises(errors.TooEarlyForPromotion) as caught:
        decide_assessment_promotion(holding(5, date(2022, 3, 1)), 4, date(2024, 2, 29), RULES)
    error = caught.value
    assert (error.rule, error.field, error.possible_on) == (
        "too_early_for_promotion",
        "assessed_on",
        date(2024, 3, 1),
    )
    assert "2024-03-01" in error.detail


def test_level_held_since_29_february_counts_its_anniversary_on_28_february() -> None:
    current = holding(5, date(2024, 2, 29))
    with pytest.raises(errors.TooEarlyForPromotion) as caught:
        decide_assessment_promotion(current, 4, date(2026, 2, 27), RULES)
    assert caught.value.possible_on == date(2026, 2, 28)
    assert decide_assessment_promotion(current, 4, date(2026, 2, 28), RULES).to_level == 4


def test_level_held_since_29_february_reaches_29_february_in_a_leap_year() -> None:
    current = holding(4, date(2024, 2, 29))
    with pytest.raises(errors.TooEarlyForPromotion) as caught:
        decide_assessment_promotion(current, 3, date(2028, 2, 28), RULES)
    assert caught.value.possible_on == date(2028, 2, 29)


@pytest.mark.parametrize(("from_level", "years"), [(4, 4), (3, 4), (2, 4)])
def test_higher_levels_need_four_years_by_default(from_level: int, years: int) -> None:
    current = holding(from_level, date(2020, 7, 1))
    with pytest.raises(errors.TooEarlyForPromotion) as caught:
        decide_assessment_promotion(current, from_level - 1, date(2024, 6, 30), RULES)
    assert caught.value.possible_on == date(2020 + years, 7, 1)
    promotion = decide_assessment_promotion(current, from_level - 1, date(2024, 7, 1), RULES)
    assert promotion.to_level == from_level - 1


def test_rules_table_sets_years_per_occupation() -> None:
    rules = PromotionRules(by_occupation={"6-18-01-01": {4: 1}})
    current = holding(5, date(2024, 1, 10))
    assert decide_assessment_promotion(current, 4, date(2025, 1, 10), rules).to_level == 4
    other = holding(5, date(2024, 1, 10), occupation_code="4-01-02-03")
    with pytest.raises(errors.TooEarlyForPromotion):
        decide_assessment_promotion(other, 4, date(2025, 1, 10), rules)


def test_pass_that_skips_a_level_is_refused_naming_the_next_level() -> None:
    with pytest.raises(errors.LevelSkipped) as caught:
        decide_assessment_promotion(holding(5, date(2010, 1, 1)), 3, TODAY, RULES)
    error = caught.value
    assert (error.rule, error.field, error.next_level) == ("level_skipped", "level", 4)
    assert "4" in error.detail


@pytest.mark.parametrize("level", [3, 4, 5])
def test_pass_at_or_below_the_current_level_is_refused(level: int) -> None:
    with pytest.raises(errors.AlreadyAtLevel) as caught:
        decide_assessment_promotion(holding(3, date(2010, 1, 1)), level, TODAY, RULES)
    assert (caught.value.rule, caught.value.field) == ("already_at_level", "level")


def test_nothing_is_above_level_one() -> None:
    with pytest.raises(errors.AlreadyAtLevel):
        decide_assessment_promotion(holding(1, date(2000, 1, 1)), 1, TODAY, RULES)


def test_first_level_in_an_occupation_is_five() -> None:
    promotion = decide_assessment_promotion(None, 5, TODAY, RULES, occupation_code="X")
    assert (promotion.from_level, promotion.to_level) == (None, 5)
    with pytest.raises(errors.LevelSkipped) as caught:
        decide_assessment_promotion(None, 4, TODAY, RULES, 30.0, occupation_code="X")
    assert caught.value.next_level == 5


def test_years_in_the_occupation_may_allow_a_higher_first_level() -> None:
    rules = PromotionRules(first_level_years={"X": {4: 3, 3: 8}})
    assert decide_assessment_promotion(None, 3, TODAY, rules, 8, occupation_code="X").to_level == 3
    assert decide_assessment_promotion(None, 4, TODAY, rules, 8, occupation_code="X").to_level == 4
    with pytest.raises(errors.LevelSkipped) as caught:
        decide_assessment_promotion(None, 3, TODAY, rules, 7.9, occupation_code="X")
    assert caught.value.next_level == 4
    with pytest.raises(errors.LevelSkipped):
        decide_assessment_promotion(None, 4, TODAY, rules, None, occupation_code="X")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"years_before": {4: 2, 3: 4, 2: 4}}, "years_before.1"),
        ({"by_occupation": {"X": {5: 1}}}, "by_occupation.X.5"),
        ({"by_occupation": {"X": {4: 1.5}}}, "by_occupation.X.4"),
        ({"first_level_years": {"X": {3: -1}}}, "first_level_years.X.3"),
    ],
)
def test_invalid_promotion_rules_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(errors.InvalidRulesTable) as caught:
        PromotionRules(**kwargs)
    assert caught.value.errors is not None and field in caught.value.errors
    assert caught.value.status == 422


# -- decide: the whole assessment ----------------------------------------------------------------


def test_a_fail_is_no_promotion_even_if_it_would_skip_a_level() -> None:
    failed = assessment(level=2, review_passed=True, practical_score=40)
    assert decide(failed, holding(5, date(2024, 1, 1)), RULES, TODAY) is None


def test_a_pass_becomes_a_promotion() -> None:
    promotion = decide(assessment(), holding(5, date(2023, 5, 20)), RULES, TODAY)
    assert promotion is not None and (promotion.from_level, promotion.to_level) == (5, 4)


def test_a_future_assessment_is_refused_before_anything_else() -> None:
    with pytest.raises(errors.AssessmentInFuture):
        decide(assessment(assessed_on=date(2025, 6, 2), practical_score=0), None, RULES, TODAY)


def test_a_pass_too_early_is_refused() -> None:
    with pytest.raises(errors.TooEarlyForPromotion):
        decide(assessment(), holding(5, date(2023, 5, 21)), RULES, TODAY)
