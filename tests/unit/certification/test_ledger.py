"""The skill ledger, and properties of any sequence of decisions and any arrival of awards."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.certification.domain import errors
from services.certification.domain.assessment import (
    AssessmentInput,
    PromotionRules,
    decide,
)
from services.certification.domain.contest import (
    DEFAULT_CONTEST_RULES,
    Award,
    decide_contest_promotion,
)
from services.certification.domain.ledger import (
    LedgerEntry,
    append,
    contest_promotions_in_year,
    current_levels,
    fold_contest_awards,
)
from services.certification.domain.levels import Route

OCCUPATION = "6-18-01-01"


def entry(
    level: int, since: date, route: Route = Route.ASSESSMENT, occupation: str = OCCUPATION
) -> LedgerEntry:
    return LedgerEntry("w1", occupation, level, since, route, None, f"src-{level}-{since}")


def award(
    entry_id: str,
    published_on: date,
    *,
    level: str = "city",
    contest_class: int | None = 2,
    rank: int = 1,
    workers: tuple[str, ...] = ("w1",),
    competition_id: str = "c1",
) -> Award:
    return Award(
        competition_id, entry_id, workers, "skill_contest", level, contest_class, rank, 20,
        published_on, OCCUPATION,
    )  # fmt: skip


# -- the ledger ----------------------------------------------------------------------------------


def test_current_level_is_the_highest_per_occupation() -> None:
    entries = (
        entry(5, date(2019, 1, 1)),
        entry(3, date(2024, 1, 1)),
        entry(4, date(2021, 1, 1)),
        entry(5, date(2020, 1, 1), occupation="other"),
    )
    current = current_levels(entries)
    assert {code: e.level for code, e in current.items()} == {OCCUPATION: 3, "other": 5}
    assert current[OCCUPATION].holding.since == date(2024, 1, 1)


def test_current_levels_refuses_entries_of_two_workers() -> None:
    other = LedgerEntry("w2", OCCUPATION, 5, date(2020, 1, 1), Route.ASSESSMENT, None, "s")
    with pytest.raises(ValueError):
        current_levels([entry(5, date(2020, 1, 1)), other])


@pytest.mark.parametrize("level", [4, 5])
def test_ledger_refuses_an_entry_that_is_not_higher(level: int) -> None:
    ledger = (entry(4, date(2020, 1, 1)),)
    with pytest.raises(errors.AlreadyAtLevel):
        append(ledger, entry(level, date(2025, 1, 1)))
    assert append(ledger, entry(3, date(2025, 1, 1)))[-1].level == 3


def test_contest_promotions_count_in_the_year_of_their_date() -> None:
    entries = [
        entry(4, date(2024, 12, 31), Route.CONTEST),
        entry(3, date(2025, 1, 1), Route.CONTEST),
        entry(2, date(2025, 6, 1), Route.ASSESSMENT),
    ]
    assert contest_promotions_in_year(entries, 2024) == 1
    assert contest_promotions_in_year(entries, 2025) == 1


def test_the_same_award_delivered_three_times_promotes_once() -> None:
    once = award("e1", date(2025, 5, 1))
    added = fold_contest_awards([once, once, once], {}, DEFAULT_CONTEST_RULES)
    assert [(e.level, e.route, e.source_id) for e in added] == [(3, Route.CONTEST, "c1/e1")]


def test_second_award_in_a_year_gives_no_second_promotion_but_next_year_does() -> None:
    first = award("e1", date(2025, 3, 1), level="enterprise", contest_class=None)
    second = award("e2", date(2025, 9, 1), competition_id="c2")
    next_year = award("e3", date(2026, 1, 1), competition_id="c3")
    added = fold_contest_awards([next_year, second, first], {}, DEFAULT_CONTEST_RULES)
    assert [(e.level, e.since) for e in added] == [(4, date(2025, 3, 1)), (3, date(2026, 1, 1))]


def test_each_worker_of_a_team_award_is_decided_on_their_own_level() -> None:
    team = award("e1", date(2025, 5, 1), workers=("w2", "w1"))
    added = fold_contest_awards([team], {("w1", OCCUPATION): 3}, DEFAULT_CONTEST_RULES)
    assert [(e.worker_id, e.level) for e in added] == [("w1", 2), ("w2", 3)]


# -- properties ----------------------------------------------------------------------------------

START = date(2023, 1, 1)
WORKERS = ("w1", "w2", "w3")

assessments = st.builds(
    lambda level, days, ok: ("assess", level, days, ok),
    st.integers(1, 5),
    st.integers(0, 1500),
    st.booleans(),
)
contests = st.builds(
    lambda band, rank, days: ("contest", band, rank, days),
    st.sampled_from([("city", 1), ("city", 2), ("county", None), ("enterprise", None)]),
    st.integers(1, 12),
    st.integers(0, 1500),
)


@given(st.lists(st.one_of(assessments, contests), max_size=25))
@settings(max_examples=150, deadline=None)
def test_a_workers_level_never_goes_down(operations: list[tuple]) -> None:
    rules, ledger, day = PromotionRules(), (), START
    for number, operation in enumerate(operations):
        held = current_levels(ledger).get(OCCUPATION)
        day = day + timedelta(days=operation[-1] if operation[0] == "contest" else operation[2])
        try:
            if operation[0] == "assess":
                _, level, _, ok = operation
                scores = (80, 80) if ok else (80, 30)
                done = AssessmentInput(OCCUPATION, level, *scores, day, review_passed=True)
                promotion = decide(done, held.holding if held else None, rules, day)
            else:
                (kind, klass), rank = operation[1], operation[2]
                an_award = award(f"e{number}", day, level=kind, contest_class=klass, rank=rank)
                this_year = contest_promotions_in_year(ledger, day.year)
                decision = decide_contest_promotion(
                    an_award, held.level if held else None, this_year, DEFAULT_CONTEST_RULES
                )
                promotion = decision.promotion()
        except (errors.LevelSkipped, errors.AlreadyAtLevel, errors.TooEarlyForPromotion):
            continue
        if promotion is None:
            continue
        assert promotion.from_level == (held.level if held else None)
        ledger = append(ledger, LedgerEntry.of("w1", promotion, f"src-{number}"))
        after = current_levels(ledger)[OCCUPATION].level
        assert held is None or after < held.level


award_facts = st.fixed_dictionaries(
    {
        "competition": st.sampled_from(["c1", "c2", "c3"]),
        "band": st.sampled_from([("city", 1), ("city", 2), ("county", None), ("enterprise", None)]),
        "rank": st.integers(1, 12),
        "workers": st.lists(st.sampled_from(WORKERS), min_size=1, max_size=2, unique=True),
        "published_on": st.dates(date(2024, 12, 25), date(2026, 1, 5)),
    }
)


def _awards(facts: list[dict]) -> list[Award]:
    return [
        award(
            f"e{index}",
            fact["published_on"],
            level=fact["band"][0],
            contest_class=fact["band"][1],
            rank=fact["rank"],
            workers=tuple(fact["workers"]),
            competition_id=fact["competition"],
        )
        for index, fact in enumerate(facts)
    ]


@given(
    facts=st.lists(award_facts, min_size=1, max_size=8),
    initial=st.dictionaries(st.sampled_from(WORKERS), st.integers(1, 5), max_size=3),
    data=st.data(),
)
@settings(max_examples=150, deadline=None)
def test_any_order_and_repetition_of_awards_gives_the_same_ledger(
    facts: list[dict], initial: dict[str, int], data: st.DataObject
) -> None:
    awards = _awards(facts)
    levels = {(worker, OCCUPATION): level for worker, level in initial.items()}
    arrival = data.draw(st.permutations(awards))
    repeats = data.draw(st.lists(st.sampled_from(awards), max_size=6))
    for repeat in repeats:
        arrival.insert(data.draw(st.integers(0, len(arrival))), repeat)

    expected = fold_contest_awards(awards, levels, DEFAULT_CONTEST_RULES)
    ledger = fold_contest_awards(arrival, levels, DEFAULT_CONTEST_RULES)

    assert ledger == expected
    per_year = Counter((e.worker_id, e.since.year) for e in ledger)
    assert all(count == 1 for count in per_year.values())
    for worker in WORKERS:
        mine = [e.level for e in ledger if e.worker_id == worker]
        start = levels.get((worker, OCCUPATION), 6)
        assert all(a > b for a, b in pairwise([start, *mine]))
