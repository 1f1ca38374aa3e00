"""Demo data for Jiaxing (``jiangong up --demo``): this year's labour competitions in every state,
with entries from many enterprises, judges' marks, a live board and a published one.

The enterprises and workers come from the registry replicas, which the registry's demo fills
through events while this loader waits: it polls (up to a minute, logging progress) until the
replicas hold enterprises and workers and have stopped growing. Then, with a fixed seed, it
records through the service's own commands, each at the moment it happened this year (the
context's clock set between 1 January and now, in order):

- **published**: the city's key-project competition (teams of 2–6), every entry marked by three
  judges, results and awards published (not a skill contest, so no exceptional promotion);
- **closed, scoring**: the city's CNC-turning skill contest (one worker an entry, up to three
  an enterprise): five judges (``judge-cnc-1`` … ``judge-cnc-5``, outside experts) have marked
  most entries, some only in part, some not yet: a live provisional board with names;
- **open**: the city's energy-saving competition (teams of 1–5) and Xiuzhou's team competition
  (its own enterprises only, teams of 3–8), both taking entries for another 30 days;
- **draft**: Haining's energy-saving competition, not yet announced.

About a third of the active enterprises have an entry in one of them (this year's coverage).
A command the rules refuse is left out and counted. Loading twice adds nothing: a service that
holds competitions already is left alone. With no replicas after the wait, the competitions are
created without entries (the open ones opened, the others left in draft).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from services.competitions.adapters.orm import CompetitionRow
from services.competitions.adapters.read_tables import EnterpriseReplica, WorkerReplica
from services.competitions.commands import (
    AssignJudge,
    CreateCompetition,
    MoveCompetition,
    PublishResults,
    RecordScore,
    RegisterEntry,
)
from services.competitions.domain.model import Action
from services.competitions.handlers import HANDLERS
from shared.clock import SHANGHAI
from shared.errors import DomainError
from shared.handling import Context, handle
from shared.runtime import unit_of_work

log = logging.getLogger(__name__)

SEED = 20_260_301
WAIT_SECONDS = 60.0
SETTLE_SECONDS = 2.0
POLL_SECONDS = 0.25
CHUNK = 150
OPEN_DAYS = 30

PRIZES = [
    {"name": "一等奖", "places": 1},
    {"name": "二等奖", "places": 2},
    {"name": "三等奖", "places": 3},
]
SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "公司")
PROJECT_TEAMS = ("技改攻坚队", "重点项目部", "青年突击队", "质量攻关组", "党员先锋队")
SAVING_TEAMS = ("节能降耗小组", "绿色制造攻关组", "能效提升小组", "减排技改组")
SHIFTS = ("一车间甲班", "二车间乙班", "装配班", "质检班", "设备维修班", "包装班", "仓储班")


@dataclass(frozen=True)
class Enterprise:
    id: str
    name: str
    region_code: str
    workers: tuple[str, ...]

    @property
    def short(self) -> str:
        """The name people say: without the company form."""
        for suffix in SUFFIXES:
            if self.name.endswith(suffix) and len(self.name) > len(suffix) + 1:
                return self.name[: -len(suffix)]
        return self.name


@dataclass
class Contest:
    """One demo competition: its specification, where it ends up, and who enters it."""

    spec: dict[str, Any]
    state: str  # draft, open, closed or published
    window: tuple[float, float]  # opened and closed, as shares of the year so far
    share: float  # of the eligible enterprises that enter
    per_enterprise: tuple[int, int]  # entries an entering enterprise registers
    team: Callable[[random.Random, Enterprise], str | None] = lambda _rng, _e: None
    county: str | None = None
    judges: tuple[str, ...] = ()
    marked: float = 0.0  # share of entries every judge marked (the rest: some, or none)
    id: str = ""
    entries: list[tuple[str, float]] = field(default_factory=list)  # (entry id, ability)


@dataclass
class Tally:
    recorded: int = 0
    refused: int = 0
    entries: int = 0
    marks: int = 0
    enterprises: set[str] = field(default_factory=set)


def _contests(year: int, closes: datetime) -> list[Contest]:
    return [
        Contest(
            spec={
                "title": f"{year}年嘉兴市重点工程劳动竞赛",
                "kind": "key_project",
                "level": "city",
                "region_code": "330400",
                "year": year,
                "max_entries_per_enterprise": 1,
                "team_size": {"min": 2, "max": 6},
                "criteria": [
                    {"code": "progress", "name": "工程进度", "weight": 0.4, "max_marks": 100},
                    {"code": "quality", "name": "工程质量", "weight": 0.35, "max_marks": 100},
                    {"code": "safety", "name": "安全文明", "weight": 0.25, "max_marks": 100},
                ],
                "awards": [*PRIZES, {"name": "优秀奖", "places": 4}],
            },
            state="published",
            window=(0.05, 0.30),
            share=0.08,
            per_enterprise=(1, 1),
            team=lambda rng, e: e.short + rng.choice(PROJECT_TEAMS),
            judges=("judge-project-1", "judge-project-2", "judge-project-3"),
            marked=1.0,
        ),
        Contest(
            spec={
                "title": f"{year}年嘉兴市数控车工职业技能竞赛",
                "kind": "skill_contest",
                "level": "city",
                "contest_class": 1,
                "region_code": "330400",
                "occupation_code": "6-18-01-01",
                "year": year,
                "max_entries_per_enterprise": 3,
                "criteria": [
                    {"code": "theory", "name": "理论知识", "weight": 0.3, "max_marks": 100},
                    {"code": "practical", "name": "实际操作", "weight": 0.7, "max_marks": 100},
                ],
                "aggregation": "trimmed_mean",
                "awards": PRIZES,
            },
            state="closed",
            window=(0.55, 0.85),
            share=0.18,
            per_enterprise=(1, 3),
            judges=tuple(f"judge-cnc-{n}" for n in range(1, 6)),
            marked=0.6,
        ),
        Contest(
            spec={
                "title": f"{year}年嘉兴市职工节能减排竞赛",
                "kind": "energy_saving",
                "level": "city",
                "region_code": "330400",
                "year": year,
                "registration_closes_at": closes,
                "max_entries_per_enterprise": 2,
                "team_size": {"min": 1, "max": 5},
                "criteria": [
                    {"code": "savings", "name": "节能成效", "weight": 0.6, "max_marks": 100},
                    {"code": "innovation", "name": "技术创新", "weight": 0.4, "max_marks": 100},
                ],
                "awards": PRIZES,
            },
            state="open",
            window=(0.70, 1.0),
            share=0.14,
            per_enterprise=(1, 2),
            team=lambda rng, e: e.short + rng.choice(SAVING_TEAMS),
        ),
        Contest(
            spec={
                "title": f"{year}年秀洲区班组创先争优竞赛",
                "kind": "team",
                "level": "county",
                "region_code": "330411",
                "year": year,
                "registration_closes_at": closes,
                "max_entries_per_enterprise": 2,
                "team_size": {"min": 3, "max": 8},
                "criteria": [
                    {"code": "results", "name": "工作业绩", "weight": 0.6, "max_marks": 60},
                    {"code": "management", "name": "班组管理", "weight": 0.4, "max_marks": 40},
                ],
                "awards": [{"name": "工人先锋号", "places": 3}],
            },
            state="open",
            window=(0.60, 1.0),
            share=0.45,
            per_enterprise=(1, 2),
            team=lambda rng, e: e.short + rng.choice(SHIFTS),
            county="330411",
        ),
        Contest(
            spec={
                "title": f"{year}年海宁市职工节能减排竞赛",
                "kind": "energy_saving",
                "level": "county",
                "region_code": "330481",
                "year": year,
                "criteria": [
                    {"code": "savings", "name": "节能成效", "weight": 1, "max_marks": 100}
                ],
                "awards": PRIZES,
            },
            state="draft",
            window=(0.9, 1.0),
            share=0.0,
            per_enterprise=(0, 0),
        ),
    ]


def load_demo(
    app: Flask,
    *,
    wait: float = WAIT_SECONDS,
    settle: float = SETTLE_SECONDS,
    poll: float = POLL_SECONDS,
) -> None:
    with unit_of_work(app) as ctx:
        if ctx.session.scalar(select(func.count()).select_from(CompetitionRow)):
            log.info("competitions demo skipped: competitions exist already")
            return
        now = ctx.now
    started = time.monotonic()
    enterprises = _settled_enterprises(app, wait, settle, poll)
    rng = random.Random(SEED)
    year = now.astimezone(SHANGHAI).year
    contests = _contests(year, now + timedelta(days=OPEN_DAYS))
    moment = _year_so_far(now)
    tally = Tally()
    if not enterprises:
        log.warning("competitions demo: the replicas hold no enterprises; no entries")
        for contest in contests:
            contest.state = "open" if contest.state == "open" else "draft"
    _create(app, contests, moment, tally)
    for contest in contests:
        if contest.state != "draft" and enterprises:
            _enter(app, rng, contest, enterprises, moment, tally)
    for contest in contests:
        if contest.state in ("closed", "published") and contest.entries:
            _judge(app, rng, contest, moment, tally)
    log.info(
        "competitions demo loaded in %.1f s: %d competitions, %d entries from %d of %d "
        "enterprises, %d markings, %d commands recorded, %d refused",
        time.monotonic() - started,
        len(contests),
        tally.entries,
        len(tally.enterprises),
        len(enterprises),
        tally.marks,
        tally.recorded,
        tally.refused,
    )


# -- waiting for the registry ------------------------------------------------------------------


def _counts(app: Flask) -> tuple[int, int]:
    with unit_of_work(app) as ctx:
        session = ctx.session
        enterprises = session.scalar(select(func.count()).select_from(EnterpriseReplica)) or 0
        workers = session.scalar(select(func.count()).select_from(WorkerReplica)) or 0
    return enterprises, workers


def _settled_enterprises(app: Flask, wait: float, settle: float, poll: float) -> list[Enterprise]:
    """The active enterprises with their active workers, once the replicas hold both and have
    not grown for ``settle`` seconds (or ``wait`` seconds have passed)."""
    deadline = time.monotonic() + wait
    seen, since, reported = (-1, -1), time.monotonic(), time.monotonic()
    while True:
        counts = _counts(app)
        now = time.monotonic()
        if counts != seen:
            seen, since = counts, now
        if all(counts) and now - since >= settle:
            break
        if now >= deadline:
            if all(counts):
                log.warning("competitions demo: the replicas still grow; going on with %s", counts)
            break
        if now - reported >= 5:
            log.info(
                "competitions demo: waiting for the registry replicas "
                "(%d enterprises, %d workers so far)",
                *counts,
            )
            reported = now
        time.sleep(poll)
    with unit_of_work(app) as ctx:
        session = ctx.session
        workers: dict[str, list[str]] = {}
        active_workers = (
            select(WorkerReplica.id, WorkerReplica.enterprise_id)
            .where(WorkerReplica.active.is_(True))
            .order_by(WorkerReplica.id)
        )
        for worker_id, enterprise_id in session.execute(active_workers):
            workers.setdefault(enterprise_id or "", []).append(worker_id)
        active_enterprises = (
            select(EnterpriseReplica)
            .where(EnterpriseReplica.active.is_(True))
            .order_by(EnterpriseReplica.id)
        )
        return [
            Enterprise(e.id, e.name or e.id, e.region_code or "", tuple(workers.get(e.id, ())))
            for e in session.scalars(active_enterprises)
        ]


# -- recording ---------------------------------------------------------------------------------


def _year_so_far(now: datetime) -> Callable[[float], datetime]:
    """A moment of this year so far (0: 1 January in Jiaxing, 1: now)."""
    local = now.astimezone(SHANGHAI)
    start = datetime(local.year, 1, 1, 8, tzinfo=SHANGHAI).astimezone(UTC)
    start = min(start, now)
    return lambda share: start + (now - start) * min(max(share, 0.0), 1.0)


def _record(ctx: Context, tally: Tally, moment: datetime, command: object) -> Any:
    """Run a command as at ``moment``; a refusal is counted and gives ``None``."""
    try:
        with ctx.session.begin_nested():
            result = handle(HANDLERS, replace(ctx, now=min(moment, ctx.now)), command)
    except DomainError as error:
        tally.refused += 1
        log.debug("competitions demo: %s refused: %s", type(command).__name__, error.rule)
        return None
    tally.recorded += 1
    return result


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _create(
    app: Flask, contests: list[Contest], moment: Callable[[float], datetime], tally: Tally
) -> None:
    with unit_of_work(app) as ctx:
        for contest in contests:
            opened, closed = contest.window
            spec = dict(contest.spec)
            if contest.state in ("closed", "published"):
                spec["registration_closes_at"] = moment(closed)
            row = _record(ctx, tally, moment(opened - 0.02), CreateCompetition(spec))
            contest.id = row.id
            if contest.state != "draft":
                _record(ctx, tally, moment(opened), MoveCompetition(row.id, Action.OPEN))


def _eligible(contest: Contest, enterprises: list[Enterprise]) -> list[Enterprise]:
    smallest = contest.spec.get("team_size", {"min": 1})["min"]
    return [
        e
        for e in enterprises
        if len(e.workers) >= smallest
        and (contest.county is None or e.region_code == contest.county)
    ]


def _enter(
    app: Flask,
    rng: random.Random,
    contest: Contest,
    enterprises: list[Enterprise],
    moment: Callable[[float], datetime],
    tally: Tally,
) -> None:
    eligible = _eligible(contest, enterprises)
    entering = rng.sample(eligible, round(len(eligible) * contest.share))
    size = contest.spec.get("team_size", {"min": 1, "max": 1})
    planned: list[tuple[Enterprise, tuple[str, ...], str | None]] = []
    for enterprise in entering:
        free = list(enterprise.workers)
        rng.shuffle(free)
        for _ in range(rng.randint(*contest.per_enterprise)):
            members = min(len(free), rng.randint(size["min"], size["max"]))
            if members < size["min"]:
                break
            workers, free = tuple(free[:members]), free[members:]
            planned.append((enterprise, workers, contest.team(rng, enterprise)))
    opened, closed = contest.window
    days = sorted(rng.uniform(opened + 0.01, closed - 0.01) for _ in planned)
    rng.shuffle(planned)
    steps = list(zip(days, planned, strict=True))
    for chunk in _chunks(steps):
        with unit_of_work(app) as ctx:
            for share, (enterprise, workers, team) in chunk:
                command = RegisterEntry(contest.id, enterprise.id, workers, team)
                entry = _record(ctx, tally, moment(share), command)
                if entry is not None:
                    contest.entries.append((entry.id, min(97.0, max(45.0, rng.gauss(76, 9)))))
                    tally.entries += 1
                    tally.enterprises.add(enterprise.id)


def _marks(rng: random.Random, contest: Contest, ability: float) -> dict[str, float]:
    marks = {}
    for criterion in contest.spec["criteria"]:
        top = float(criterion["max_marks"])
        given = (ability + rng.gauss(0, 4)) * top / 100
        marks[criterion["code"]] = round(min(top, max(0.0, given)) * 2) / 2
    return marks


def _judge(
    app: Flask,
    rng: random.Random,
    contest: Contest,
    moment: Callable[[float], datetime],
    tally: Tally,
) -> None:
    """Close the competition, assign its judges, record their marks; publish if it is to be."""
    _, closed = contest.window
    end = 0.5 if contest.state == "published" else 0.98
    steps: list[tuple[float, str, str, float]] = []  # (share of the year, entry, judge, ability)
    for entry_id, ability in contest.entries:
        draw = rng.random()
        if draw < contest.marked:
            judges = list(contest.judges)
        elif draw < contest.marked + (1 - contest.marked) / 2:
            judges = rng.sample(contest.judges, rng.randint(1, len(contest.judges) - 1))
        else:
            judges = []  # not marked yet
        steps += [(rng.uniform(closed + 0.02, end), entry_id, j, ability) for j in judges]
    steps.sort()
    with unit_of_work(app) as ctx:
        _record(ctx, tally, moment(closed), MoveCompetition(contest.id, Action.CLOSE))
        for judge in contest.judges:
            _record(ctx, tally, moment(closed + 0.01), AssignJudge(contest.id, judge, None))
    for chunk in _chunks(steps):
        with unit_of_work(app) as ctx:
            for share, entry_id, judge, ability in chunk:
                marks = _marks(rng, contest, ability)
                command = RecordScore(contest.id, entry_id, judge, marks)
                if _record(ctx, tally, moment(share), command) is not None:
                    tally.marks += 1
    if contest.state == "published":
        with unit_of_work(app) as ctx:
            _record(ctx, tally, moment(end + 0.02), PublishResults(contest.id))
