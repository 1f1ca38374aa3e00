"""The handlers of studios, skill leaders, trainings, contest awards and rules tables, run with a
fake context: an in-memory session that answers ``get`` and simple equality selects, and an
outbox that validates and keeps what it is given. No database."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import BinaryExpression, BooleanClauseList

from services.certification import commands, events
from services.certification.adapters.orm import (
    ContestDecision,
    ContestPromotionYear,
    LedgerEntry,
    SkillLeader,
    Studio,
    WorkerReplica,
)
from services.certification.domain import errors
from services.certification.handlers import contest, recognition, rules, trainings
from shared.handling import Context
from shared.settings import Settings

NOW = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)  # 10:00 in Jiaxing


class FakeSession:
    """The part of a SQLAlchemy session the handlers use, over a list of rows."""

    def __init__(self, *rows: Any) -> None:
        self.rows: list[Any] = list(rows)

    def get(self, model: type, key: Any, **_: Any) -> Any:
        columns = inspect(model).primary_key
        for row in self.rows:
            if isinstance(row, model):
                values = tuple(getattr(row, column.key) for column in columns)
                if values == (key if isinstance(key, tuple) else (key,)):
                    return row
        return None

    def add(self, row: Any) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        pass

    def scalars(self, statement: Any) -> Iterator[Any]:
        description = statement.column_descriptions[0]
        entity, expression = description["entity"], description["expr"]
        if entity is None or not (
            expression is entity or isinstance(expression, InstrumentedAttribute)
        ):
            return iter(())  # an aggregate: nothing stored here to aggregate
        found = [r for r in self.rows if isinstance(r, entity) and _holds(r, statement.whereclause)]
        return iter(found if expression is entity else [getattr(r, expression.key) for r in found])

    def scalar(self, statement: Any) -> Any:
        return next(self.scalars(statement), None)

    def of(self, model: type) -> list[Any]:
        return [row for row in self.rows if isinstance(row, model)]


def _holds(row: Any, clause: Any) -> bool:
    if clause is None:
        return True
    if isinstance(clause, BooleanClauseList) and clause.operator is operator.and_:
        return all(_holds(row, part) for part in clause.clauses)
    if isinstance(clause, BinaryExpression) and clause.operator is operator.eq:
        return bool(getattr(row, clause.left.key) == clause.right.value)
    raise NotImplementedError(f"the fake session does not read {clause}")


class FakeOutbox:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, Any]]] = []

    def add(self, _session: Any, event_type: str, subject: str, data: dict[str, Any]) -> None:
        events.PRODUCES[event_type]().load(data)  # what the real outbox checks
        self.events.append((event_type, subject, dict(data)))

    def of(self, event_type: str) -> list[dict[str, Any]]:
        return [data for kind, _, data in self.events if kind == event_type]


def context(*rows: Any, now: datetime = NOW) -> Context:
    return Context(FakeSession(*rows), FakeOutbox(), now, Settings.from_env({}))  # type: ignore[arg-type]


def worker(worker_id: str = "w1", enterprise_id: str = "e1", **overrides: Any) -> WorkerReplica:
    facts: dict[str, Any] = {
        "id": worker_id,
        "enterprise_id": enterprise_id,
        "name": "张小强",
        "id_number_masked": "330402********123X",
        "region_code": "330481",
        "occupation_code": "6-18-01-01",
        "is_migrant": False,
        "active": True,
        "updated_at": NOW,
    }
    return WorkerReplica(**{**facts, **overrides})


def ledger(worker_id: str, level: int, occupation_code: str = "6-18-01-01") -> LedgerEntry:
    return LedgerEntry(
        worker_id=worker_id,
        occupation_code=occupation_code,
        level=level,
        since=date(2020, 1, 1),
        route="assessment",
    )


# -- studios -------------------------------------------------------------------------------------


def apply(ctx: Context, **overrides: Any) -> Studio:
    fields: dict[str, Any] = {
        "name": "数控技术创新工作室",
        "enterprise_id": "e1",
        "leader_worker_id": "w1",
        "level": "municipal",
        "leader_is_model_worker": False,
    }
    return recognition.apply_for_studio(ctx, commands.ApplyForStudio(**{**fields, **overrides}))


def test_a_technician_leads_an_applied_studio_with_no_event_yet() -> None:
    ctx = context(worker(), ledger("w1", 2))
    studio = apply(ctx)
    assert (studio.status, studio.region_code, studio.level) == ("applied", "330481", "municipal")
    assert ctx.session.of(Studio) == [studio]
    assert ctx.outbox.events == []


def test_a_model_worker_leads_with_no_level() -> None:
    assert apply(context(worker()), leader_is_model_worker=True).status == "applied"


def test_a_leader_at_level_three_is_not_qualified() -> None:
    ctx = context(worker(), ledger("w1", 3))
    with pytest.raises(errors.LeaderNotQualified) as caught:
        apply(ctx)
    assert (caught.value.status, caught.value.field) == (422, "leader_worker_id")
    assert ctx.session.of(Studio) == []


@pytest.mark.parametrize(
    "leader", [worker(enterprise_id="e2"), worker(active=False), worker(worker_id="w9")]
)
def test_a_leader_must_be_an_active_worker_of_the_enterprise(leader: WorkerReplica) -> None:
    with pytest.raises(errors.LeaderNotInEnterprise):
        apply(context(leader), leader_is_model_worker=True)


def test_a_studio_level_is_municipal_county_or_enterprise() -> None:
    with pytest.raises(errors.InvalidStudioLevel):
        apply(context(worker()), level="provincial", leader_is_model_worker=True)


def test_approval_emits_studio_approved_in_the_year_of_its_date() -> None:
    ctx = context(worker())
    studio = apply(ctx, leader_is_model_worker=True)
    recognition.approve_studio(ctx, commands.ApproveStudio(studio.id, date(2024, 12, 31)))
    assert studio.status == "approved"
    [event] = ctx.outbox.of(events.STUDIO_APPROVED)
    assert (event["id"], event["year"], event["approved_on"]) == (studio.id, 2024, "2024-12-31")


def test_an_application_is_approved_once() -> None:
    ctx = context(worker())
    studio = apply(ctx, leader_is_model_worker=True)
    recognition.approve_studio(ctx, commands.ApproveStudio(studio.id, None))
    assert studio.approved_on == date(2025, 6, 2)
    with pytest.raises(errors.StudioAlreadyDecided):
        recognition.approve_studio(ctx, commands.ApproveStudio(studio.id, None))
    assert len(ctx.outbox.of(events.STUDIO_APPROVED)) == 1


def test_approving_an_unknown_studio_is_not_found() -> None:
    with pytest.raises(errors.StudioNotFound):
        recognition.approve_studio(context(), commands.ApproveStudio("s-none", None))


# -- skill leaders -------------------------------------------------------------------------------


def designate(ctx: Context, occupation_code: str = "6-18-01-01") -> SkillLeader:
    command = commands.DesignateSkillLeader("w1", occupation_code, None)
    return recognition.designate_skill_leader(ctx, command)


def test_a_skill_leader_is_designated_once_per_occupation() -> None:
    ctx = context(worker())
    leader = designate(ctx)
    assert (leader.enterprise_id, leader.designated_on) == ("e1", date(2025, 6, 2))
    with pytest.raises(errors.SkillLeaderAlreadyDesignated):
        designate(ctx)
    designate(ctx, "6-18-02-01")
    assert [e["occupation_code"] for e in ctx.outbox.of(events.SKILL_LEADER_DESIGNATED)] == [
        "6-18-01-01",
        "6-18-02-01",
    ]


def test_an_unknown_or_departed_worker_is_not_designated() -> None:
    with pytest.raises(errors.WorkerNotFound):
        designate(context())
    with pytest.raises(errors.WorkerNotActive):
        designate(context(worker(active=False)))


# -- trainings -----------------------------------------------------------------------------------


def train(ctx: Context, completed_on: date, acting: str | None = None) -> Any:
    command = commands.RecordTraining("w1", "安全生产", 8.0, completed_on, acting)
    return trainings.record_training(ctx, command)


def test_a_training_carries_the_county_and_the_migrant_flag() -> None:
    ctx = context(worker(is_migrant=True))
    training = train(ctx, date(2025, 6, 1), acting="e1")
    [event] = ctx.outbox.of(events.TRAINING_COMPLETED)
    assert (event["id"], event["is_migrant"], event["region_code"]) == (training.id, True, "330481")


def test_another_enterprises_worker_is_not_found() -> None:
    ctx = context(worker())
    with pytest.raises(errors.WorkerNotFound):
        train(ctx, date(2025, 6, 1), acting="e2")
    assert ctx.outbox.events == []


def test_a_training_is_not_completed_in_the_future_of_jiaxing() -> None:
    with pytest.raises(errors.TrainingInFuture):
        train(context(worker()), date(2025, 6, 3))
    new_year_in_jiaxing = datetime(2024, 12, 31, 16, 30, tzinfo=UTC)
    train(context(worker(), now=new_year_in_jiaxing), date(2025, 1, 1))


# -- contest awards ------------------------------------------------------------------------------


@pytest.fixture
def promoted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """``promote`` replaced: the promotions it was asked for, each also a ledger line."""
    done: list[tuple[str, Any]] = []

    def fake_promote(
        ctx: Context, worker: WorkerReplica, promotion: Any, source_id: str, _v: Any
    ) -> None:
        done.append((worker.id, promotion))
        ctx.session.add(ledger(worker.id, promotion.to_level, promotion.occupation_code))

    monkeypatch.setattr(contest, "promote", fake_promote)
    return done


def award(**overrides: Any) -> commands.ApplyContestAward:
    data = {
        "competition_id": "c1",
        "entry_id": "n1",
        "kind": "skill_contest",
        "level": "city",
        "contest_class": 1,
        "occupation_code": "6-18-01-01",
        "year": 2025,
        "published_on": date(2025, 5, 10),
        "award": "一等奖",
        "rank": 1,
        "ranked_entries": 30,
        "worker_ids": ["w1"],
        "enterprise_id": "e1",
    }
    return commands.ApplyContestAward("event-1", {**data, **overrides})


def test_a_skill_contest_award_promotes_and_records_the_decision(promoted: list[Any]) -> None:
    ctx = context(worker())
    [decision] = contest.apply_contest_award(ctx, award())
    assert (decision.granted, decision.to_level, decision.rules_version) == (True, 2, 1)
    [(worker_id, promotion)] = promoted
    assert (worker_id, promotion.to_level, str(promotion.route)) == ("w1", 2, "contest_award")
    assert ctx.session.get(ContestPromotionYear, ("w1", 2025)).competition_id == "c1"


def test_the_same_award_again_decides_nothing(promoted: list[Any]) -> None:
    ctx = context(worker())
    contest.apply_contest_award(ctx, award())
    assert contest.apply_contest_award(ctx, award()) == []
    assert len(promoted) == 1
    assert len(ctx.session.of(ContestDecision)) == 1


def test_a_second_contest_of_the_year_is_refused_with_the_rule(promoted: list[Any]) -> None:
    ctx = context(worker())
    contest.apply_contest_award(ctx, award(level="county", contest_class=None))
    [refused] = contest.apply_contest_award(
        ctx, award(competition_id="c2", published_on="2025-11-01")
    )
    assert (refused.granted, refused.rule, refused.from_level) == (
        False,
        errors.ContestPromotionThisYear.rule,
        3,
    )
    assert refused.detail == errors.ContestPromotionThisYear.default_detail
    assert len(promoted) == 1


def test_other_awards_and_unknown_workers_are_not_decided(promoted: list[Any]) -> None:
    ctx = context(worker())
    assert contest.apply_contest_award(ctx, award(kind="team")) == []
    assert contest.apply_contest_award(ctx, award(worker_ids=["w9"])) == []
    assert ctx.session.of(ContestDecision) == [] and promoted == []


# -- rules tables --------------------------------------------------------------------------------


def test_an_unknown_rules_table_is_not_found() -> None:
    with pytest.raises(errors.UnknownRulesTable):
        rules.replace_rules_table(context(), commands.ReplaceRulesTable("bonus", {}, "admin"))


def test_a_bad_contest_table_is_refused_by_field_and_not_stored() -> None:
    ctx = context()
    body = {"bands": [{"level": "city", "to_level": 9, "max_rank": 3}]}
    with pytest.raises(errors.InvalidRulesTable) as caught:
        rules.replace_rules_table(ctx, commands.ReplaceRulesTable("contest", body, "admin"))
    assert "bands[0].to_level" in (caught.value.errors or {})
    assert ctx.session.rows == []


def test_a_good_contest_table_is_the_next_version() -> None:
    ctx = context()
    body = {"bands": [{"level": "county", "to_level": 3, "max_rank": 8}]}
    stored = rules.replace_rules_table(ctx, commands.ReplaceRulesTable("contest", body, "admin"))
    assert (stored.kind, stored.version, stored.built_in) == ("contest", 2, False)
    assert stored.body["bands"][0]["max_rank"] == 8
