"""Standings shared by publication and the live board; the rules added for the service."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from services.competitions.domain import errors
from services.competitions.domain.model import (
    Award,
    Competition,
    Criterion,
    Kind,
    Level,
    Status,
    check_enterprise_active,
    check_may_change,
    check_withdrawal,
)
from services.competitions.domain.standings import (
    award_order,
    award_points,
    score_of,
    scored,
    standings,
)

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
COMPETITION = Competition(
    id="c1",
    kind=Kind.SKILL_CONTEST,
    level=Level.CITY,
    criteria=(Criterion("quality", "Quality", 0.5, 100), Criterion("speed", "Speed", 0.5, 100)),
    awards=(Award("Gold", 1), Award("Silver", 1), Award("Bronze", 1), Award("Merit", 2)),
    registration_closes_at=NOW + timedelta(days=1),
    status=Status.OPEN,
)


def _entry(entry_id: str, quality: float, speed: float, minutes: int = 0):
    score = score_of(COMPETITION, {"j1": {"quality": quality, "speed": speed}})
    assert score is not None
    return scored(entry_id, f"ent-{entry_id}", NOW + timedelta(minutes=minutes), score)


def test_an_entry_no_judge_has_marked_has_no_score() -> None:
    assert score_of(COMPETITION, {}) is None


def test_the_score_keeps_the_first_criterion_for_the_tie_break() -> None:
    score = score_of(
        COMPETITION, {"j1": {"quality": 80, "speed": 60}, "j2": {"quality": 90, "speed": 70}}
    )
    assert score is not None and (score.score, score.first_criterion) == (75.0, 85.0)


def test_awards_are_handed_out_only_on_final_standings() -> None:
    entries = [_entry("a", 90, 90), _entry("b", 80, 80), _entry("c", 70, 70)]
    assert [row.award for row in standings(COMPETITION, entries, final=False)] == [None] * 3
    final = standings(COMPETITION, entries, final=True)
    assert [(row.entry_id, row.award) for row in final] == [
        ("a", "Gold"),
        ("b", "Silver"),
        ("c", "Bronze"),
    ]


def test_a_competitions_own_tie_breaks_decide_equal_scores() -> None:
    early_low_first = _entry("early", 70, 90, minutes=1)
    late_high_first = _entry("late", 90, 70, minutes=2)
    default = standings(COMPETITION, [early_low_first, late_high_first], final=False)
    assert [row.entry_id for row in default] == ["late", "early"]
    by_time = replace(COMPETITION, tie_breaks=("registered_at",))
    assert [
        row.entry_id for row in standings(by_time, [early_low_first, late_high_first], False)
    ] == [
        "early",
        "late",
    ]


def test_award_points_are_three_two_one_then_one() -> None:
    orders = [award_order(COMPETITION, name) for name in ("Gold", "Silver", "Bronze", "Merit")]
    assert orders == [1, 2, 3, 4]
    assert [award_points(order) for order in orders] == [3, 2, 1, 1]
    with pytest.raises(ValueError):
        award_order(COMPETITION, "Platinum")


def test_a_specification_with_unknown_tie_breaks_duplicate_awards_or_no_criteria_is_refused() -> (
    None
):
    with pytest.raises(errors.InvalidCompetitionSpec, match="tie-breaks"):
        replace(COMPETITION, tie_breaks=("coin_toss",))
    with pytest.raises(errors.InvalidCompetitionSpec, match="award"):
        replace(COMPETITION, awards=(Award("Gold", 1), Award("Gold", 2)))
    with pytest.raises(errors.InvalidCompetitionSpec, match="criterion"):
        replace(COMPETITION, criteria=())


def test_withdrawal_is_allowed_only_while_registration_is_open() -> None:
    check_withdrawal(COMPETITION, NOW)
    with pytest.raises(errors.RegistrationClosed):
        check_withdrawal(COMPETITION, NOW + timedelta(days=2))
    with pytest.raises(errors.RegistrationClosed):
        check_withdrawal(replace(COMPETITION, status=Status.CLOSED), NOW)


@dataclass(frozen=True)
class Announced:
    """An enterprise as the registry announced it."""

    active: bool


def test_an_unknown_or_inactive_enterprise_may_not_enter() -> None:
    check_enterprise_active("e1", Announced(active=True))
    for enterprise in (Announced(active=False), None):
        with pytest.raises(errors.EnterpriseNotActive):
            check_enterprise_active("e1", enterprise)


def test_a_published_competition_no_longer_changes() -> None:
    check_may_change(replace(COMPETITION, status=Status.CLOSED))
    with pytest.raises(errors.ResultsPublished):
        check_may_change(replace(COMPETITION, status=Status.PUBLISHED))
