"""Unit tests for the competition lifecycle and the entry, marks and judge rules."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.competitions.domain import errors
from services.competitions.domain.model import (
    Action,
    Award,
    Competition,
    Criterion,
    Kind,
    Level,
    Status,
    WorkerView,
    check_entry,
    check_judge_may_score,
    check_marks,
    next_status,
)
from shared.errors import NotFound

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
CRITERIA = (
    Criterion("quality", "Quality", 0.6, 60.0),
    Criterion("safety", "Safety", 0.4, 40.0),
)
WORKERS = {
    "w1": WorkerView("w1", "ent-a", active=True),
    "w2": WorkerView("w2", "ent-a", active=True),
    "w3": WorkerView("w3", "ent-a", active=False),
    "w9": WorkerView("w9", "ent-b", active=True),
}


def make_competition(**overrides: Any) -> Competition:
    base = Competition(
        id="c1",
        kind=Kind.TEAM,
        level=Level.CITY,
        criteria=CRITERIA,
        awards=(Award("First prize", 1),),
        max_entries_per_enterprise=2,
        team_size_min=1,
        team_size_max=2,
        registration_closes_at=NOW + timedelta(days=1),
        status=Status.OPEN,
    )
    return replace(base, **overrides)


def enter(competition: Competition, worker_ids: list[str], **kwargs: Any) -> None:
    args: dict[str, Any] = {
        "enterprise_id": "ent-a",
        "workers": WORKERS,
        "entered_worker_ids": set(),
        "enterprise_entry_count": 0,
        "now": NOW,
    }
    args.update(kwargs)
    check_entry(competition, worker_ids=worker_ids, **args)


# --- lifecycle ---------------------------------------------------------------------------


def test_lifecycle_goes_draft_open_closed_published() -> None:
    competition = make_competition(status=Status.DRAFT)
    for action, expected in (
        (Action.OPEN, Status.OPEN),
        (Action.CLOSE, Status.CLOSED),
        (Action.PUBLISH, Status.PUBLISHED),
    ):
        competition = competition.apply(action)
        assert competition.status is expected


def test_publishing_twice_is_refused() -> None:
    published = make_competition(status=Status.PUBLISHED)
    with pytest.raises(errors.InvalidTransition):
        published.apply("publish")


def test_opening_a_closed_competition_is_refused() -> None:
    with pytest.raises(errors.InvalidTransition):
        next_status(Status.CLOSED, Action.OPEN)


@pytest.mark.parametrize(
    ("status", "action"),
    [("draft", "close"), ("draft", "publish"), ("open", "publish"), ("open", "open")],
)
def test_skipping_a_lifecycle_step_is_refused(status: str, action: str) -> None:
    with pytest.raises(errors.InvalidTransition):
        next_status(status, action)


def test_unknown_action_is_an_invalid_transition() -> None:
    with pytest.raises(errors.InvalidTransition):
        next_status(Status.DRAFT, "reopen")


def test_errors_carry_a_rule_code_and_a_message() -> None:
    error = errors.QuotaExceeded()
    assert isinstance(error, errors.CompetitionRuleBroken)
    assert error.rule == "quota_exceeded"
    assert str(error) == error.message != ""


# --- specification -----------------------------------------------------------------------


def test_competition_accepts_enum_values_as_strings() -> None:
    competition = Competition("c", "skill_contest", "county", CRITERIA, status="draft")  # type: ignore[arg-type]
    assert competition.kind is Kind.SKILL_CONTEST and competition.status is Status.DRAFT


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "football"},
        {"level": "province"},
        {"aggregation": "median"},
        {"contest_class": 3},
        {"team_size_min": 3, "team_size_max": 2},
        {"max_entries_per_enterprise": 0},
        {"criteria": (CRITERIA[0], CRITERIA[0])},
    ],
)
def test_malformed_specification_is_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(errors.InvalidCompetitionSpec):
        make_competition(**overrides)


def test_criterion_needs_positive_weight_and_max_marks() -> None:
    with pytest.raises(errors.InvalidCompetitionSpec):
        Criterion("q", "Quality", 0.0, 10.0)
    with pytest.raises(errors.InvalidCompetitionSpec):
        Criterion("q", "Quality", 1.0, -1.0)


# --- entries -----------------------------------------------------------------------------


def test_valid_entry_passes() -> None:
    enter(make_competition(), ["w1", "w2"])


@pytest.mark.parametrize("status", [Status.DRAFT, Status.CLOSED, Status.PUBLISHED])
def test_entry_when_competition_is_not_open_is_refused(status: Status) -> None:
    with pytest.raises(errors.RegistrationClosed):
        enter(make_competition(status=status), ["w1"])


def test_entry_after_the_deadline_is_refused() -> None:
    with pytest.raises(errors.RegistrationClosed):
        enter(make_competition(registration_closes_at=NOW), ["w1"])


def test_entry_without_deadline_is_accepted_while_open() -> None:
    enter(make_competition(registration_closes_at=None), ["w1"])


def test_worker_of_another_enterprise_is_refused() -> None:
    with pytest.raises(errors.WorkerNotInEnterprise):
        enter(make_competition(), ["w1", "w9"])


def test_unknown_worker_is_refused_as_not_in_enterprise() -> None:
    with pytest.raises(errors.WorkerNotInEnterprise):
        enter(make_competition(), ["ghost"])


def test_inactive_worker_is_refused() -> None:
    with pytest.raises(errors.WorkerNotActive):
        enter(make_competition(), ["w3"])


def test_worker_already_entered_is_refused() -> None:
    with pytest.raises(errors.WorkerAlreadyEntered):
        enter(make_competition(), ["w1", "w2"], entered_worker_ids={"w2"})


def test_worker_listed_twice_in_one_entry_is_refused() -> None:
    with pytest.raises(errors.WorkerAlreadyEntered):
        enter(make_competition(), ["w1", "w1"])


def test_entry_beyond_the_enterprise_quota_is_refused() -> None:
    enter(make_competition(), ["w1"], enterprise_entry_count=1)
    with pytest.raises(errors.QuotaExceeded):
        enter(make_competition(), ["w1"], enterprise_entry_count=2)


def test_no_quota_means_unlimited_entries() -> None:
    enter(make_competition(max_entries_per_enterprise=None), ["w1"], enterprise_entry_count=99)


@pytest.mark.parametrize("worker_ids", [[], ["w1", "w2", "w9"]])
def test_team_size_outside_the_range_is_refused(worker_ids: list[str]) -> None:
    with pytest.raises(errors.TeamSizeOutOfRange):
        enter(make_competition(), worker_ids)


# --- marks -------------------------------------------------------------------------------


def test_marks_within_range_pass() -> None:
    check_marks(make_competition(), {"quality": 60.0, "safety": 0.0})


@pytest.mark.parametrize(
    "marks",
    [
        {"quality": 60.5, "safety": 10.0},
        {"quality": -1.0, "safety": 10.0},
        {"quality": float("nan"), "safety": 10.0},
    ],
)
def test_marks_outside_zero_to_max_are_refused(marks: dict[str, float]) -> None:
    with pytest.raises(errors.MarksOutOfRange):
        check_marks(make_competition(), marks)


def test_mark_for_unknown_criterion_is_refused() -> None:
    with pytest.raises(errors.UnknownCriterion):
        check_marks(make_competition(), {"quality": 1.0, "safety": 1.0, "speed": 1.0})


def test_missing_criterion_is_refused() -> None:
    with pytest.raises(errors.MissingCriterion):
        check_marks(make_competition(), {"quality": 1.0})


# --- judges ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Of:
    """A judge or an entry, by its enterprise."""

    enterprise_id: str | None


def _closed(status: Status = Status.CLOSED) -> Competition:
    return make_competition(status=status)


def test_assigned_outside_judge_may_score_a_closed_competition() -> None:
    check_judge_may_score(_closed(), Of("ent-b"), Of("ent-a"))
    check_judge_may_score(_closed(), Of(None), Of("ent-a"))


@pytest.mark.parametrize("status", [Status.DRAFT, Status.OPEN, Status.PUBLISHED])
def test_scoring_outside_the_closed_phase_is_refused(status: Status) -> None:
    with pytest.raises(errors.NotScorable):
        check_judge_may_score(_closed(status), Of("ent-b"), Of("ent-a"))


def test_unassigned_judge_is_refused() -> None:
    with pytest.raises(errors.JudgeNotAssigned):
        check_judge_may_score(_closed(), None, Of("ent-a"))


def test_an_entry_not_registered_is_not_found_once_the_judge_may_score() -> None:
    with pytest.raises(errors.JudgeNotAssigned):
        check_judge_may_score(_closed(), None, None)
    with pytest.raises(NotFound):
        check_judge_may_score(_closed(), Of("ent-b"), None)


def test_judge_of_the_entrys_enterprise_is_refused() -> None:
    with pytest.raises(errors.JudgeOwnEnterprise):
        check_judge_may_score(_closed(), Of("ent-a"), Of("ent-a"))
