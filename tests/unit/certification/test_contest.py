"""Promotion by contest (破格): the bands, the one-a-year rule and the rules table as JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from services.certification.domain import errors
from services.certification.domain.contest import (
    DEFAULT_CONTEST_RULES,
    Award,
    ContestBand,
    ContestRules,
    decide_contest_promotion,
)
from services.certification.domain.levels import Promotion, Route

RULES = DEFAULT_CONTEST_RULES


def award(**overrides: Any) -> Award:
    base = Award(
        competition_id="c1",
        entry_id="e1",
        worker_ids=("w1",),
        kind="skill_contest",
        level="city",
        contest_class=1,
        rank=1,
        ranked_entries=40,
        published_on=date(2025, 11, 20),
        occupation_code="6-18-01-01",
        year=2025,
    )
    return replace(base, **overrides)


def to_level(an_award: Award, current: int | None = None, this_year: int = 0) -> int | None:
    return decide_contest_promotion(an_award, current, this_year, RULES).to_level


# -- the default bands ---------------------------------------------------------------------------


@pytest.mark.parametrize(("rank", "expected"), [(1, 2), (10, 2), (11, None)])
def test_city_class_one_top_ten_leads_to_level_two(rank: int, expected: int | None) -> None:
    assert to_level(award(rank=rank)) == expected


@pytest.mark.parametrize(("rank", "expected"), [(6, 3), (7, None)])
def test_city_class_two_top_six_leads_to_level_three(rank: int, expected: int | None) -> None:
    assert to_level(award(contest_class=2, rank=rank)) == expected


@pytest.mark.parametrize(("rank", "expected"), [(6, 3), (7, None)])
def test_county_contest_top_six_leads_to_level_three(rank: int, expected: int | None) -> None:
    assert to_level(award(level="county", contest_class=None, rank=rank)) == expected


@pytest.mark.parametrize(
    ("ranked_entries", "rank", "expected"),
    [(10, 3, 4), (10, 4, None), (11, 4, 4), (11, 5, None), (1, 1, 4), (7, 3, 4), (7, 4, None)],
)
def test_enterprise_contest_top_thirty_percent_leads_to_level_four(
    ranked_entries: int, rank: int, expected: int | None
) -> None:
    an_award = award(level="enterprise", contest_class=None, rank=rank)
    assert to_level(replace(an_award, ranked_entries=ranked_entries)) == expected


def test_worker_already_at_the_band_level_goes_one_up() -> None:
    decision = decide_contest_promotion(award(contest_class=2, rank=2), 3, 0, RULES)
    assert (decision.granted, decision.from_level, decision.to_level) == (True, 3, 2)
    assert decision.promotion() == Promotion("6-18-01-01", 3, 2, Route.CONTEST, date(2025, 11, 20))


def test_worker_below_the_band_level_goes_to_it() -> None:
    assert to_level(award(contest_class=2), current=5) == 3
    assert to_level(award(contest_class=2), current=None) == 3


def test_worker_above_the_band_level_gets_nothing_with_the_reason() -> None:
    decision = decide_contest_promotion(award(contest_class=2), 2, 0, RULES)
    assert not decision.granted and decision.promotion() is None
    assert decision.reason == "above_contest_band"
    assert decision.rules_version == 1


def test_worker_at_level_one_cannot_go_higher() -> None:
    rules = ContestRules(7, (ContestBand("city", 1, max_rank=3),))
    decision = decide_contest_promotion(award(), 1, 0, rules)
    assert (decision.reason, decision.rules_version) == ("already_at_level", 7)


def test_second_contest_promotion_in_a_year_is_refused() -> None:
    decision = decide_contest_promotion(award(), 5, 1, RULES)
    assert not decision.granted
    assert decision.reason == errors.ContestPromotionThisYear.rule
    assert decision.detail == errors.ContestPromotionThisYear.default_detail


def test_only_skill_contests_promote() -> None:
    decision = decide_contest_promotion(award(kind="key_project"), None, 0, RULES)
    assert decision.reason == "not_eligible_for_contest_promotion"


def test_a_contest_without_occupation_promotes_no_one() -> None:
    decision = decide_contest_promotion(award(occupation_code=None), None, 0, RULES)
    assert decision.reason == "not_eligible_for_contest_promotion"


def test_the_year_is_the_year_of_publication() -> None:
    decision = decide_contest_promotion(award(published_on=date(2025, 12, 31)), None, 0, RULES)
    assert decision.year == 2025


def test_the_highest_admitting_band_wins() -> None:
    rules = ContestRules(
        2, (ContestBand("city", 4, max_rank=20), ContestBand("city", 3, max_rank=5))
    )
    assert decide_contest_promotion(award(rank=5), None, 0, rules).to_level == 3
    assert decide_contest_promotion(award(rank=6), None, 0, rules).to_level == 4


# -- the table as JSON ---------------------------------------------------------------------------


def test_rules_table_round_trips_through_json() -> None:
    data = json.loads(json.dumps(RULES.to_dict()))
    assert ContestRules.from_dict(data) == RULES


def test_a_replaced_table_takes_the_version_it_is_given() -> None:
    assert ContestRules.from_dict(RULES.to_dict(), version=5).version == 5


@pytest.mark.parametrize(
    ("band", "field"),
    [
        ({"level": "province", "to_level": 2, "max_rank": 3}, "bands[0].level"),
        ({"level": "city", "to_level": 0, "max_rank": 3}, "bands[0].to_level"),
        ({"level": "city", "to_level": 2.0, "max_rank": 3}, "bands[0].to_level"),
        ({"level": "city", "to_level": 2, "max_rank": True}, "bands[0].max_rank"),
        ({"level": "city", "to_level": 2, "top_percent": 101}, "bands[0].top_percent"),
        (
            {"level": "city", "to_level": 2, "contest_class": 3, "max_rank": 1},
            "bands[0].contest_class",
        ),
        ({"level": "city", "to_level": 2}, "bands[0].max_rank"),
        ({"level": "city", "to_level": 2, "max_rank": 3, "top_percent": 30}, "bands[0].max_rank"),
        ({"level": "city", "to_level": 2, "max_rank": 3, "colour": "red"}, "bands[0].colour"),
        ("city", "bands[0]"),
    ],
)
def test_invalid_band_is_refused_naming_the_field(band: object, field: str) -> None:
    with pytest.raises(errors.InvalidRulesTable) as caught:
        ContestRules.from_dict({"version": 2, "bands": [band]})
    assert caught.value.errors is not None and field in caught.value.errors
    assert (caught.value.rule, caught.value.status) == ("invalid_rules_table", 422)


def test_a_table_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(errors.InvalidRulesTable) as caught:
        ContestRules.from_dict([])  # type: ignore[arg-type]
    assert caught.value.errors == {"rules": ["The rules table is an object."]}


def test_every_problem_of_a_table_is_reported_at_once() -> None:
    with pytest.raises(errors.InvalidRulesTable) as caught:
        ContestRules.from_dict({"version": 0, "bands": []})
    assert set(caught.value.errors or {}) == {"version", "bands"}
