"""The counts the plan sets targets for, from read models fed by the service's own events.

**Fed by events.** ``skill.promoted``, ``training.completed``, ``studio.approved`` and
``skill_leader.designated`` come back from the service's own topic (the same path a dashboard
reads) and each becomes one row of a fact table, keyed by the event's id (promotions) or the
fact's own id: a redelivered or replayed event inserts nothing, so nothing is counted twice.
``jiangong replay certification`` empties these tables and refills them from the topic.

**Years.** A fact counts in the calendar year of its own date (the promotion's date, the
completion date, the approval or designation date; dates are Asia/Shanghai calendar days), not
of the moment it was processed: an assessment dated 31 December and recorded on 1 January counts
in the old year.

**Of the year, or to date.** The plan sets yearly targets for promotions (≥ 3,000 a year) and
targets over the whole plan for the rest (20 municipal studios, 1,000 skill leaders, 100,000
workers trained, 10,000 migrant workers trained). So:

- ``promotions``: of the year (total, by level, by county, by route);
- ``municipal_studios``, ``skill_leaders``: cumulative, approved or designated up to the end of
  the year (a past year shows where it stood then); ``…_in_year`` beside, for the year alone;
- ``trained_workers``, ``trained_migrant_workers``: distinct workers trained in the year (trained
  twice is counted once); ``…_to_date`` beside: distinct workers trained up to the end of the
  year. A worker is a migrant if a training of theirs says so.
- ``skill_leaders`` counts people: a worker designated in two occupations is one leader.

The same queries run over the service's own tables (:func:`recount`), so a reconciliation can
compare the read models with the facts they came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import (
    ColumnElement,
    Integer,
    Subquery,
    Table,
    and_,
    case,
    cast,
    distinct,
    extract,
    func,
    select,
)
from sqlalchemy.orm import Session

from services.certification import events
from services.certification.adapters.orm import (
    LedgerEntry,
    PromotionFact,
    SkillLeader,
    SkillLeaderFact,
    Studio,
    StudioFact,
    Training,
    TrainingFact,
)
from services.certification.domain.counting import year_of_fact
from services.certification.domain.levels import LEVELS, Route
from services.certification.domain.studios import StudioLevel, StudioStatus
from shared.db import upsert
from shared.handling import Context
from shared.inbox import Received, Subscription
from shared.regions import COUNTIES, JIAXING, county_of

# -- the subscriptions: one fact row per event, idempotent ---------------------------------------


class PromotedFacts(Schema):
    worker_id = fields.String(required=True)
    region_code = fields.String(required=True)
    occupation_code = fields.String(required=True)
    to_level = fields.Integer(required=True)
    route = fields.String(required=True)
    promoted_on = fields.Date(required=True)


class TrainingFacts(Schema):
    id = fields.String(required=True)
    worker_id = fields.String(required=True)
    region_code = fields.String(required=True)
    is_migrant = fields.Boolean(required=True)
    completed_on = fields.Date(required=True)


class StudioFacts(Schema):
    id = fields.String(required=True)
    region_code = fields.String(required=True)
    level = fields.String(required=True)
    approved_on = fields.Date(required=True)


class SkillLeaderFacts(Schema):
    id = fields.String(required=True)
    worker_id = fields.String(required=True)
    region_code = fields.String(required=True)
    designated_on = fields.Date(required=True)


def _insert_once(ctx: Context, table: Table, **values: Any) -> None:
    """Insert the fact unless its key is there already (a redelivery or a replay)."""
    ctx.session.execute(upsert(ctx.session, table).values(**values).on_conflict_do_nothing())


def on_skill_promoted(ctx: Context, event: Received) -> None:
    data = event.data
    _insert_once(
        ctx,
        PromotionFact.__table__,
        event_id=event.id,
        worker_id=data["worker_id"],
        occupation_code=data["occupation_code"],
        to_level=data["to_level"],
        route=data["route"],
        county_code=county_of(data["region_code"]),
        year=year_of_fact(data["promoted_on"]),
        promoted_on=data["promoted_on"],
    )


def on_training_completed(ctx: Context, event: Received) -> None:
    data = event.data
    _insert_once(
        ctx,
        TrainingFact.__table__,
        training_id=data["id"],
        worker_id=data["worker_id"],
        is_migrant=data["is_migrant"],
        county_code=county_of(data["region_code"]),
        year=year_of_fact(data["completed_on"]),
        completed_on=data["completed_on"],
    )


def on_studio_approved(ctx: Context, event: Received) -> None:
    data = event.data
    _insert_once(
        ctx,
        StudioFact.__table__,
        studio_id=data["id"],
        level=data["level"],
        county_code=county_of(data["region_code"]),
        year=year_of_fact(data["approved_on"]),
        approved_on=data["approved_on"],
    )


def on_skill_leader_designated(ctx: Context, event: Received) -> None:
    data = event.data
    _insert_once(
        ctx,
        SkillLeaderFact.__table__,
        leader_id=data["id"],
        worker_id=data["worker_id"],
        county_code=county_of(data["region_code"]),
        year=year_of_fact(data["designated_on"]),
        designated_on=data["designated_on"],
    )


def count_subscriptions() -> dict[str, Subscription]:
    return {
        events.SKILL_PROMOTED: Subscription(PromotedFacts, on_skill_promoted),
        events.TRAINING_COMPLETED: Subscription(TrainingFacts, on_training_completed),
        events.STUDIO_APPROVED: Subscription(StudioFacts, on_studio_approved),
        events.SKILL_LEADER_DESIGNATED: Subscription(SkillLeaderFacts, on_skill_leader_designated),
    }


# -- where the facts are read from: the read models, or the service's own tables -----------------


@dataclass(frozen=True)
class Sources:
    """The four kinds of fact, each as rows of the same columns wherever they come from:
    promotions ``(county, year, level, route)``, trainings ``(county, year, worker_id,
    is_migrant)``, studios ``(county, year, level)``, skill leaders ``(county, year,
    worker_id)``. Only approved studios are facts."""

    promotions: Subquery
    trainings: Subquery
    studios: Subquery
    leaders: Subquery


def read_models() -> Sources:
    p, t, s, k = PromotionFact, TrainingFact, StudioFact, SkillLeaderFact
    return Sources(
        _rows(p.county_code, p.year, p.to_level.label("level"), p.route),
        _rows(t.county_code, t.year, t.worker_id, t.is_migrant),
        _rows(s.county_code, s.year, s.level),
        _rows(k.county_code, k.year, k.worker_id),
    )


def recorded_facts() -> Sources:
    """The same rows from the facts themselves: the ledger, trainings, studios, leaders."""
    ledger, t, s, k = LedgerEntry, Training, Studio, SkillLeader
    approved = s.status == str(StudioStatus.APPROVED)
    return Sources(
        _rows(_county(ledger.region_code), _year(ledger.since), ledger.level, ledger.route),
        _rows(_county(t.region_code), _year(t.completed_on), t.worker_id, t.is_migrant),
        _rows(_county(s.region_code), _year(s.approved_on), s.level, where=approved),
        _rows(_county(k.region_code), _year(k.designated_on), k.worker_id),
    )


def _rows(
    county: Any,
    year: Any,
    *rest: Any,
    where: ColumnElement[bool] | None = None,
) -> Subquery:
    rows = select(county.label("county"), year.label("year"), *rest)
    return (rows if where is None else rows.where(where)).subquery()


def _county(region_code: Any) -> ColumnElement[Any]:
    return func.substr(region_code, 1, 6)


def _year(day: Any) -> ColumnElement[Any]:
    return cast(extract("year", day), Integer)


# -- the counts ---------------------------------------------------------------------------------

TRAINED = (
    "trained_workers",
    "trained_migrant_workers",
    "trained_workers_to_date",
    "trained_migrant_workers_to_date",
)
PER_COUNTY = (
    "promotions",
    "municipal_studios",
    "municipal_studios_in_year",
    "skill_leaders",
    "skill_leaders_in_year",
    *TRAINED,
)


def stats(
    session: Session, year: int, region_code: str | None = None, sources: Sources | None = None
) -> dict[str, Any]:
    """The counts of ``year`` (see the module), for Jiaxing or one county of it."""
    counter = _Counter(session, sources or read_models(), year, _county_filter(region_code))
    by_region: dict[str, dict[str, int]] = {
        county: dict.fromkeys(PER_COUNTY, 0) for county in counter.counties()
    }
    promotions = counter.promotions(by_region)
    studios = counter.studios(by_region)
    leaders = counter.leaders(by_region)
    trained = counter.trained(by_region)
    return {
        "year": year,
        "region_code": region_code or JIAXING,
        "promotions": promotions,
        **studios,
        **leaders,
        **trained,
        "by_region": by_region,
    }


def recount(session: Session, year: int, region_code: str | None = None) -> dict[str, Any]:
    """:func:`stats` counted from the service's own tables instead of its read models."""
    return stats(session, year, region_code, recorded_facts())


def _county_filter(region_code: str | None) -> str | None:
    return None if not region_code or region_code == JIAXING else county_of(region_code)


@dataclass(frozen=True)
class _Counter:
    session: Session
    sources: Sources
    year: int
    county: str | None

    def counties(self) -> list[str]:
        """The seven counties, or the one asked for (a fact naming another adds it)."""
        return [self.county] if self.county is not None else sorted(COUNTIES)

    def _where(self, source: Subquery, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        if self.county is not None:
            conditions = (*conditions, source.c.county == self.county)
        return and_(*conditions)

    def promotions(self, by_region: dict[str, dict[str, int]]) -> dict[str, Any]:
        p = self.sources.promotions
        rows = self.session.execute(
            select(p.c.county, p.c.level, p.c.route, func.count())
            .where(self._where(p, p.c.year == self.year))
            .group_by(p.c.county, p.c.level, p.c.route)
        ).all()
        by_level = {str(level): 0 for level in sorted(LEVELS)}
        by_route = {str(route): 0 for route in Route}
        by_county: dict[str, int] = {county: 0 for county in by_region}
        for county, level, route, n in rows:
            by_level[str(level)] = by_level.get(str(level), 0) + n
            by_route[route] = by_route.get(route, 0) + n
            by_county[county] = by_county.get(county, 0) + n
        for county, n in by_county.items():
            by_region.setdefault(county, dict.fromkeys(PER_COUNTY, 0))["promotions"] = n
        total = sum(by_level.values())
        return {"total": total, "by_level": by_level, "by_region": by_county, "by_route": by_route}

    def studios(self, by_region: dict[str, dict[str, int]]) -> dict[str, int]:
        s = self.sources.studios
        municipal = s.c.level == str(StudioLevel.MUNICIPAL)
        return self._cumulative(s, by_region, "municipal_studios", None, municipal)

    def leaders(self, by_region: dict[str, dict[str, int]]) -> dict[str, int]:
        k = self.sources.leaders
        return self._cumulative(k, by_region, "skill_leaders", k.c.worker_id)

    def _cumulative(
        self,
        source: Subquery,
        by_region: dict[str, dict[str, int]],
        name: str,
        people: Any,
        *conditions: ColumnElement[bool],
    ) -> dict[str, int]:
        """``name`` up to the end of the year and ``name_in_year``, total and per county;
        rows are counted, or the distinct ``people`` among them."""
        in_year = source.c.year == self.year
        if people is None:
            measures = (func.count(), func.count(case((in_year, 1))))
        else:
            measures = (_distinct(people), _distinct(people, in_year))
        where = self._where(source, source.c.year <= self.year, *conditions)
        totals = self.session.execute(select(*measures).where(where)).one()
        for county, to_date, of_year in self.session.execute(
            select(source.c.county, *measures).where(where).group_by(source.c.county)
        ):
            by_region.setdefault(county, dict.fromkeys(PER_COUNTY, 0))
            by_region[county][name], by_region[county][f"{name}_in_year"] = to_date, of_year
        return {name: totals[0], f"{name}_in_year": totals[1]}

    def trained(self, by_region: dict[str, dict[str, int]]) -> dict[str, int]:
        t = self.sources.trainings
        in_year, migrant = t.c.year == self.year, t.c.is_migrant.is_(True)
        measures = (
            _distinct(t.c.worker_id, in_year),
            _distinct(t.c.worker_id, and_(in_year, migrant)),
            _distinct(t.c.worker_id),
            _distinct(t.c.worker_id, migrant),
        )
        where = self._where(t, t.c.year <= self.year)
        totals = self.session.execute(select(*measures).where(where)).one()
        for county, *values in self.session.execute(
            select(t.c.county, *measures).where(where).group_by(t.c.county)
        ):
            by_region.setdefault(county, dict.fromkeys(PER_COUNTY, 0))
            by_region[county].update(zip(TRAINED, values, strict=True))
        return dict(zip(TRAINED, totals, strict=True))


def _distinct(column: Any, when: ColumnElement[bool] | None = None) -> Any:
    """How many distinct values of ``column`` (where ``when`` holds)."""
    value = column if when is None else case((when, column))
    return func.count(distinct(value))
