"""Assessment and promotion by assessment.

- **Pass**: theory and practical are each scored 0–100 and both must be ≥ 60; levels 2 and 1
  also need the review panel's pass (综合评审). A fail is recorded and counted, and promotes no
  one: :func:`decide` returns ``None`` for it and checks no promotion rule.
- **Date**: the assessment date is not later than today (in Asia/Shanghai, the caller's today).
- **Authorisation**: an assessor records only within an authorisation covering the occupation,
  the level, the assessment date and today (``valid_until`` inclusive); one that has ended is
  :class:`~.errors.AuthorisationEnded`, anything else uncovered :class:`~.errors.NotAuthorised`.
- **Promotion**: a pass exactly one level above the current level in the occupation, after the
  years at the current level that :class:`PromotionRules` requires (defaults: to 4 after 2
  years at 5; to 3, 2 and 1 after 4 years each), counted by calendar anniversary
  (:func:`~.counting.anniversary`: exactly two years to the day is enough; a level held since
  29 February has its anniversary on 28 February in other years). A first level in an
  occupation is 5, or any level up to the highest the table's ``first_level_years`` allows for
  the worker's years in the occupation. At or below the current level is
  :class:`~.errors.AlreadyAtLevel`; a skipped level :class:`~.errors.LevelSkipped` (naming the
  next possible one); too early :class:`~.errors.TooEarlyForPromotion` (with ``possible_on``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from . import errors
from .counting import anniversary
from .levels import (
    LOWEST,
    REVIEW_PANEL_LEVELS,
    Promotion,
    Route,
    SkillHolding,
    check_level,
    is_higher,
)

PASS_MARK = 60


@dataclass(frozen=True, slots=True)
class AssessmentInput:
    """One assessment as the assessor records it; scores out of range refuse to build."""

    occupation_code: str
    level: int
    theory_score: float
    practical_score: float
    assessed_on: date
    review_passed: bool | None = None

    def __post_init__(self) -> None:
        check_level(self.level)
        for name in ("theory_score", "practical_score"):
            score = getattr(self, name)
            if isinstance(score, bool) or not isinstance(score, int | float):
                raise errors.ScoresOutOfRange(field=name)
            if not 0 <= score <= 100:
                raise errors.ScoresOutOfRange(field=name)


def passed(assessment: AssessmentInput) -> bool:
    """Both scores ≥ 60 and, for levels 2 and 1, the review panel's pass."""
    scores_pass = min(assessment.theory_score, assessment.practical_score) >= PASS_MARK
    if assessment.level in REVIEW_PANEL_LEVELS:
        return scores_pass and assessment.review_passed is True
    return scores_pass


def check_assessed_on(assessed_on: date, today: date) -> None:
    if assessed_on > today:
        raise errors.AssessmentInFuture()


@dataclass(frozen=True, slots=True)
class Authorisation:
    """What one assessor may assess: an occupation, some levels, from a date until a date."""

    occupation_code: str
    levels: frozenset[int]
    valid_from: date
    valid_until: date | None = None

    def covers(self, occupation_code: str, level: int) -> bool:
        return occupation_code == self.occupation_code and level in self.levels

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def check_authorised(
    authorisations: Iterable[Authorisation],
    occupation_code: str,
    level: int,
    assessed_on: date,
    today: date,
) -> Authorisation:
    """The authorisation that covers the assessment, or a 403 refusal."""
    matching = [a for a in authorisations if a.covers(occupation_code, level)]
    for authorisation in matching:
        if authorisation.valid_on(assessed_on) and authorisation.valid_on(today):
            return authorisation
    if any(a.valid_until is not None and a.valid_until < today for a in matching):
        raise errors.AuthorisationEnded()
    raise errors.NotAuthorised()


DEFAULT_YEARS_BEFORE: Mapping[int, int] = {4: 2, 3: 4, 2: 4, 1: 4}
"""Years at the level below before moving to the key level."""


@dataclass(frozen=True)
class PromotionRules:
    """Years at the current level before the next, per occupation over a default, and the years
    in an occupation that allow a first level above 5 (``{occupation: {level: years}}``)."""

    years_before: Mapping[int, int] = field(default_factory=lambda: dict(DEFAULT_YEARS_BEFORE))
    by_occupation: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    first_level_years: Mapping[str, Mapping[int, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems: dict[str, list[str]] = {}
        for level in (4, 3, 2, 1):
            if level not in self.years_before:
                problems[f"years_before.{level}"] = ["Missing: years before this level."]
        tables: dict[str, Mapping[int, float]] = {"years_before": self.years_before}
        tables |= {f"by_occupation.{code}": t for code, t in self.by_occupation.items()}
        tables |= {f"first_level_years.{code}": t for code, t in self.first_level_years.items()}
        for name, table in tables.items():
            kinds = int | float if name.startswith("first_level_years") else int
            for level, years in table.items():
                if level not in (4, 3, 2, 1):
                    problems[f"{name}.{level}"] = ["A level here is 4, 3, 2 or 1."]
                elif isinstance(years, bool) or not isinstance(years, kinds) or years < 0:
                    problems[f"{name}.{level}"] = ["Years are a number, 0 or more."]
        if problems:
            raise errors.InvalidRulesTable(errors=problems)

    def years_at_level_before(self, occupation_code: str, to_level: int) -> int:
        """Whole years at the level below ``to_level`` needed to be promoted to it."""
        overrides = self.by_occupation.get(occupation_code, {})
        return int(overrides.get(to_level, self.years_before[to_level]))  # whole years

    def highest_first_level(self, occupation_code: str, years_in_occupation: float | None) -> int:
        """The highest level a first assessment in the occupation may give (5 by default)."""
        allowed = [
            level
            for level, years in self.first_level_years.get(occupation_code, {}).items()
            if years_in_occupation is not None and years_in_occupation >= years
        ]
        return min(allowed, default=LOWEST)


def decide_assessment_promotion(
    current: SkillHolding | None,
    level: int,
    assessed_on: date,
    rules: PromotionRules,
    years_in_occupation: float | None = None,
    *,
    occupation_code: str | None = None,
) -> Promotion:
    """The promotion a pass at ``level`` gives, or the refusal (see the module's rules).

    ``current`` is the worker's holding in the occupation; for a first level, pass
    ``occupation_code`` (and ``years_in_occupation`` where the table allows more than 5).
    """
    level = check_level(level)
    occupation = current.occupation_code if current else occupation_code
    if occupation is None:
        raise ValueError("occupation_code is needed for a first level")
    if current is None:
        first = rules.highest_first_level(occupation, years_in_occupation)
        if level < first:
            raise errors.LevelSkipped(
                first, f"A first level in this occupation is {first} at most."
            )
        return Promotion(occupation, None, level, Route.ASSESSMENT, assessed_on)
    if not is_higher(level, current.level):
        raise errors.AlreadyAtLevel(f"The worker already holds level {current.level} here.")
    step = current.level - 1  # level is above current, so current is 2 or lower
    if level != step:
        raise errors.LevelSkipped(step)
    years = rules.years_at_level_before(occupation, level)
    possible_on = anniversary(current.since, years)
    if assessed_on < possible_on:
        raise errors.TooEarlyForPromotion(
            possible_on,
            f"Level {level} needs {years} years at level {current.level}; "
            f"the promotion is possible from {possible_on.isoformat()}.",
        )
    return Promotion(occupation, current.level, level, Route.ASSESSMENT, assessed_on)


def decide(
    assessment: AssessmentInput,
    current: SkillHolding | None,
    rules: PromotionRules,
    today: date,
    years_in_occupation: float | None = None,
) -> Promotion | None:
    """Check the date, then ``None`` for a fail or the pass's promotion (or its refusal)."""
    check_assessed_on(assessment.assessed_on, today)
    if current is not None and current.occupation_code != assessment.occupation_code:
        raise ValueError("current holding is of another occupation")
    if not passed(assessment):
        return None
    return decide_assessment_promotion(
        current,
        assessment.level,
        assessment.assessed_on,
        rules,
        years_in_occupation,
        occupation_code=assessment.occupation_code,
    )
