"""Demo data for Jiaxing (``jiangong up --demo``): a believable year of certification.

Workers come from the replica, which the registry's demo fills through events while this
loader waits: it polls (up to a minute, logging progress) until the replica holds workers and
has stopped growing. Then, with a fixed seed, it records through the service's own commands,
in date order, each at the moment it happened (the context's clock set to that day):

- an assessor authorised for the occupations of the chosen workers, from 2000 on;
- assessments: first levels (5) this year; for some workers a history of earlier passes years
  apart (5, then 4 two or more years later, then 3 four or more years after that, and for a
  few 2), so that this year's passes move them up within the years rule; a share of fails.
  Some hundreds of promotions fall in this year, across the counties;
- innovation studios (some municipal, some approved in earlier years) led by model workers or
  by this year's technicians; skill leaders; trainings over this year and the last.

A command the rules refuse is left out and counted. Loading twice adds nothing: a service that
already holds assessments or ledger lines is left alone.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from services.certification import commands
from services.certification.adapters.orm import Assessment, LedgerEntry, WorkerReplica
from services.certification.domain.assessment import AssessmentInput
from shared.clock import SHANGHAI, shanghai_date
from shared.errors import DomainError
from shared.handling import Context, handle
from shared.runtime import runtime_of, unit_of_work

log = logging.getLogger(__name__)

SEED = 20_250_601
WAIT_SECONDS = 60.0
SETTLE_SECONDS = 3.0
POLL_SECONDS = 0.5
ASSESSED_WORKERS = 820
TRAINED_WORKERS = 1_400
CHUNK = 300
DEFAULT_OCCUPATION = "6-18-01-01"
COURSES = (
    ("安全生产标准化培训", 8),
    ("数控车床操作与编程", 40),
    ("工业机器人运维", 32),
    ("电工作业（低压）", 24),
    ("质量管理QC小组方法", 16),
    ("新型学徒制理论课程", 60),
    ("班组长管理能力提升", 12),
    ("智能制造与数字化转型", 20),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董沈姚钱褚蒋"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文斌海燕玲婷晨浩宇欣怡子涵"
STUDIO_NAMES = (
    "数控技术",
    "精密模具",
    "智能装备",
    "新材料工艺",
    "节能降耗",
    "绿色印染",
    "光伏运维",
)


@dataclass(frozen=True)
class DemoWorker:
    id: str
    enterprise_id: str
    occupation_code: str
    hired_on: date | None


@dataclass
class Plan:
    """What to record: ``(day, order, command)``, recorded sorted by day then order."""

    rng: random.Random
    today: date
    steps: list[tuple[date, int, Any]] = field(default_factory=list)
    technicians: list[tuple[DemoWorker, date]] = field(default_factory=list)
    seniors: list[tuple[DemoWorker, date, date]] = field(default_factory=list)
    """Workers at level 3 or 2 this year: the day they reached it and the day of the level
    before."""

    def add(self, day: date, command: Any) -> None:
        self.steps.append((day, len(self.steps), command))

    def last_year(self) -> date:
        year = self.today.year - 1
        return _between(self.rng, date(year, 1, 1), date(year, 12, 31))

    def this_year(self, after: date | None = None) -> date:
        first = max(date(self.today.year, 1, 1), after or date.min)
        return _between(self.rng, min(first, self.today), self.today)


def load_demo(
    app: Flask,
    *,
    wait: float = WAIT_SECONDS,
    settle: float = SETTLE_SECONDS,
    poll: float = POLL_SECONDS,
) -> None:
    if _loaded(app):
        log.info("certification demo skipped: assessments or ledger lines exist already")
        return
    workers = _settled_workers(app, wait, settle, poll)
    if not workers:
        log.warning("certification demo skipped: the replica holds no workers")
        return
    today = shanghai_date(runtime_of(app).now())
    plan = Plan(random.Random(SEED), today)
    chosen = plan.rng.sample(workers, min(ASSESSED_WORKERS, len(workers)))
    assessors = _add_assessors(app, {worker.occupation_code for worker in chosen}, today)
    _plan_assessments(plan, assessors, chosen)
    _plan_studios(plan)
    _plan_leaders(plan)
    _plan_trainings(plan, workers)
    done, refused = _record(app, plan)
    log.info("certification demo loaded: %d commands recorded, %d refused", done, refused)


def _loaded(app: Flask) -> bool:
    with unit_of_work(app) as ctx:
        return any(
            ctx.session.scalar(select(func.count()).select_from(model))
            for model in (Assessment, LedgerEntry)
        )


def _settled_workers(app: Flask, wait: float, settle: float, poll: float) -> list[DemoWorker]:
    """The replica's active workers, once it holds some and has not grown for ``settle`` s."""
    deadline = time.monotonic() + wait
    seen, since, reported = -1, time.monotonic(), 0.0
    while True:
        with unit_of_work(app) as ctx:
            count = ctx.session.scalar(select(func.count()).select_from(WorkerReplica)) or 0
        now = time.monotonic()
        if count != seen:
            seen, since = count, now
        if count and now - since >= settle:
            break
        if now >= deadline:
            log.warning("certification demo: the replica still grows; going on with %d", count)
            break
        if now - reported >= 5:
            log.info("certification demo: waiting for the worker replica (%d so far)", count)
            reported = now
        time.sleep(poll)
    with unit_of_work(app) as ctx:
        rows = ctx.session.scalars(
            select(WorkerReplica).where(WorkerReplica.active.is_(True)).order_by(WorkerReplica.id)
        )
        return [
            DemoWorker(w.id, w.enterprise_id, w.occupation_code or DEFAULT_OCCUPATION, w.hired_on)
            for w in rows
        ]


def _add_assessors(app: Flask, occupations: set[str], today: date) -> dict[str, str]:
    """One assessor per occupation, authorised for every level since 2000: ``{code: id}``."""
    rng = random.Random(SEED)
    found = {}
    with unit_of_work(app) as ctx:
        for code in sorted(occupations):
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
            authorisation = commands.NewAuthorisation(code, (5, 4, 3, 2, 1), date(2000, 1, 1), None)
            command = commands.AddAssessor(name, [authorisation])
            assessor, _ = handle(runtime_of(app).definition.handlers, _at(ctx, today), command)
            found[code] = str(assessor.id)
    return found


# -- the plan ------------------------------------------------------------------------------------

LADDERS = ((5,), (5, 4), (5, 4, 3), (5, 4, 3, 2))
"""Levels passed, lowest first; the last one this year."""
LADDER_WEIGHTS = (40, 30, 18, 6)
YEARS_BEFORE = {4: 2, 3: 4, 2: 4}


def _plan_assessments(plan: Plan, assessors: dict[str, str], chosen: list[DemoWorker]) -> None:
    rng = plan.rng
    for worker in chosen:
        assessor_id = assessors[worker.occupation_code]
        draw = rng.random()
        if draw < 0.12:  # a fail this year: recorded, counted, no promotion
            _assess(plan, assessor_id, worker, 5, plan.this_year(), passed=False)
            continue
        if draw < 0.27:  # a first level last year, nothing yet this year
            _assess(plan, assessor_id, worker, 5, plan.last_year(), passed=True)
            continue
        ladder = rng.choices(LADDERS, weights=LADDER_WEIGHTS)[0]
        days = _ladder_days(rng, plan.this_year(), ladder)
        if worker.hired_on is not None and worker.hired_on > days[0]:
            ladder, days = (5,), [days[-1]]  # hired too late for a long history
        for level, day in zip(ladder, days, strict=True):
            _assess(plan, assessor_id, worker, level, day, passed=True)
        if ladder[-1] == 2:
            plan.technicians.append((worker, days[-1]))
        if ladder[-1] <= 3:
            plan.seniors.append((worker, days[-1], days[-2]))


def _ladder_days(rng: random.Random, last: date, ladder: tuple[int, ...]) -> list[date]:
    """Dates for each level of ``ladder``, the last one ``last``, each far enough after the one
    before it (the years the default rules require, and up to a year and a half more)."""
    days = [last]
    for level in reversed(ladder[1:]):
        earlier = _years_before(days[0], YEARS_BEFORE[level]) - timedelta(rng.randint(0, 540))
        days.insert(0, earlier)
    return days


def _assess(
    plan: Plan, assessor_id: str, worker: DemoWorker, level: int, day: date, passed: bool
) -> None:
    rng = plan.rng
    theory, practical = rng.randint(62, 97), rng.randint(60, 98)
    if not passed:
        theory = rng.randint(35, 59)
    review = True if level <= 2 else None
    assessment = AssessmentInput(worker.occupation_code, level, theory, practical, day, review)
    command = commands.RecordAssessment(assessor_id, worker.id, assessment)
    plan.add(day, command)


def _plan_studios(plan: Plan) -> None:
    """Studios led by this year's technicians (applied after the pass, approved weeks later)
    and by model workers (some approved in earlier years); one application left open."""
    rng = plan.rng
    levels = ["municipal", "municipal", "county", "municipal", "enterprise", "county"]
    for (worker, reached), level in zip(plan.technicians[:6], levels, strict=False):
        applied = min(plan.today, reached + timedelta(rng.randint(5, 40)))
        _studio(plan, worker, level, False, applied, approve=applied < plan.today)
    models = [worker for worker, _, _ in plan.seniors]
    for years_ago, level in ((2, "municipal"), (1, "municipal"), (1, "county"), (0, "municipal")):
        if not models:
            return
        worker = rng.choice(models)
        year = plan.today.year - years_ago
        applied = _between(rng, date(year, 1, 1), min(plan.today, date(year, 10, 31)))
        _studio(plan, worker, level, True, applied, approve=years_ago > 0)


def _studio(
    plan: Plan, worker: DemoWorker, level: str, model: bool, applied: date, approve: bool
) -> None:
    name = f"{plan.rng.choice(STUDIO_NAMES)}{'劳模' if model else '技能大师'}创新工作室"
    command = commands.ApplyForStudio(name, worker.enterprise_id, worker.id, level, model)
    plan.add(applied, command)
    if approve:
        approved = min(plan.today, applied + timedelta(plan.rng.randint(10, 60)))
        plan.add(approved, _Approve(command))


@dataclass(frozen=True)
class _Approve:
    """Approve the studio the application command made (its id known once it is recorded)."""

    application: commands.ApplyForStudio


def _plan_leaders(plan: Plan) -> None:
    """Two in three of this year's seniors; some designated last year, on the level before."""
    last_year = date(plan.today.year - 1, 1, 1)
    for worker, reached, before in plan.seniors[: max(10, len(plan.seniors) * 2 // 3)]:
        if before < last_year and plan.rng.random() < 0.4:
            day = _between(plan.rng, last_year, date(last_year.year, 12, 31))
        else:
            day = _between(plan.rng, reached, plan.today)
        plan.add(day, commands.DesignateSkillLeader(worker.id, worker.occupation_code, day))


def _plan_trainings(plan: Plan, workers: list[DemoWorker]) -> None:
    rng = plan.rng
    for worker in rng.sample(workers, min(TRAINED_WORKERS, len(workers))):
        for _ in range(1 if rng.random() < 0.75 else 2):
            course, hours = rng.choice(COURSES)
            day = plan.this_year() if rng.random() < 0.75 else plan.last_year()
            plan.add(day, commands.RecordTraining(worker.id, course, hours, day, None))


# -- recording -----------------------------------------------------------------------------------


def _record(app: Flask, plan: Plan) -> tuple[int, int]:
    handlers = runtime_of(app).definition.handlers
    steps = sorted(plan.steps, key=lambda step: (step[0], step[1]))
    studios: dict[int, str] = {}
    done = refused = 0
    for chunk in _chunks(steps, CHUNK):
        with unit_of_work(app) as ctx:
            for day, _, command in chunk:
                if isinstance(command, _Approve):
                    studio_id = studios.get(id(command.application))
                    if studio_id is None:
                        continue
                    command = commands.ApproveStudio(studio_id, day)
                try:
                    with ctx.session.begin_nested():
                        result = handle(handlers, _at(ctx, day), command)
                except DomainError as error:
                    refused += 1
                    log.debug("certification demo: %s refused: %s", type(command).__name__, error)
                    continue
                if isinstance(command, commands.ApplyForStudio):
                    studios[id(command)] = result.id
                done += 1
        log.info("certification demo: %d recorded so far", done)
    return done, refused


def _at(ctx: Context, day: date) -> Context:
    """The context as on ``day``, at ten in the morning in Jiaxing."""
    moment = datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI).astimezone(UTC)
    return replace(ctx, now=min(moment, ctx.now))


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
