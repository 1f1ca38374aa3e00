"""The plan's targets (``plan/DIGEST.md``) and the span the plan runs over.

Three kinds of target:

- **rate**: a share of the registry's active records, in percent, judged against its goal
  directly (coverage, participation, union formation and membership: ≥ 90 %);
- **yearly**: a count of one calendar year (promotions: 3,000 a year, every promotion of the
  year counted, as certification counts them);
- **cumulative**: a count of everything dated up to the end of the year asked for (20 municipal
  studios, 1,000 skill leaders, 100,000 workers trained, 10,000 of them migrant workers), as
  certification counts its "to date" figures; its pace is judged over the plan's five-year span.

Each target's ``goal`` here is the digest's figure; :mod:`services.dashboard.domain.goals`
lets settings change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    RATE = "rate"
    YEARLY = "yearly"
    CUMULATIVE = "cumulative"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    label_en: str
    kind: Kind
    goal: float
    unit: str
    part: str
    """The name of the count the target's value is (a rate's numerator)."""
    whole: str | None = None
    """A rate's denominator."""


TARGETS: tuple[Target, ...] = (
    Target(
        "enterprise_coverage",
        "劳动竞赛企业覆盖面",
        "Enterprises covered by labour competitions",
        Kind.RATE,
        90,
        "percent",
        "enterprises_participating",
        "enterprises_total",
    ),
    Target(
        "worker_participation",
        "职工参赛率",
        "Workers taking part in labour competitions",
        Kind.RATE,
        90,
        "percent",
        "workers_participating",
        "workers_total",
    ),
    Target(
        "yearly_promotions",
        "职工技能晋级",
        "Workers promoted a skill level this year",
        Kind.YEARLY,
        3000,
        "promotions",
        "promotions",
    ),
    Target(
        "municipal_studios",
        "市级高技能人才(劳模)创新工作室",
        "Municipal high-skill-talent (model-worker) innovation studios",
        Kind.CUMULATIVE,
        20,
        "studios",
        "municipal_studios",
    ),
    Target(
        "skill_leaders",
        "企业职业技能带头人",
        "Enterprise vocational skill leaders",
        Kind.CUMULATIVE,
        1000,
        "workers",
        "skill_leaders",
    ),
    Target(
        "trained_workers",
        "技能培训职工",
        "Workers given skill training",
        Kind.CUMULATIVE,
        100_000,
        "workers",
        "workers_trained",
    ),
    Target(
        "trained_migrant_workers",
        "农民工培训",
        "Migrant workers trained",
        Kind.CUMULATIVE,
        10_000,
        "workers",
        "migrant_workers_trained",
    ),
    Target(
        "union_formation",
        "工会组建率",
        "Enterprises with a union",
        Kind.RATE,
        90,
        "percent",
        "enterprises_with_union",
        "enterprises",
    ),
    Target(
        "union_membership",
        "职工入会率",
        "Workers who are union members",
        Kind.RATE,
        90,
        "percent",
        "union_members",
        "workers",
    ),
)

BY_KEY: dict[str, Target] = {target.key: target for target in TARGETS}

PLAN_FIRST_YEAR = 2026
PLAN_YEARS = 5


@dataclass(frozen=True)
class PlanSpan:
    """The plan's calendar years: ``first_year`` and the ``years - 1`` after it."""

    first_year: int = PLAN_FIRST_YEAR
    years: int = PLAN_YEARS

    @property
    def start(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def end(self) -> date:
        """The first day after the plan."""
        return date(self.first_year + self.years, 1, 1)

    @property
    def last_year(self) -> int:
        return self.first_year + self.years - 1


def counted_until(year: int) -> date:
    """The first day a cumulative target of ``year`` no longer counts: a fact counts if dated
    before it, however early (certification's "to date" figures count from no start either)."""
    return date(year + 1, 1, 1)
