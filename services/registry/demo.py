"""A believable Jiaxing, the same on every machine: about 300 enterprises across the seven
counties and about 3,000 workers, written through the registry's own commands (so every
enterprise and worker is also an event). Loading it twice changes nothing."""

from __future__ import annotations

import logging
import random
from dataclasses import replace
from datetime import date, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from services.registry.adapters.orm import Enterprise, Worker
from services.registry.commands import (
    ImportWorkers,
    RecordWorkerLeft,
    RegisterEnterprise,
    TransferWorker,
)
from services.registry.handlers import HANDLERS
from services.registry.handlers.imports import check_rows
from services.registry.handlers.workers import cipher_of
from shared.clock import SHANGHAI
from shared.handling import Context, handle
from shared.identifiers import FEMALE, MALE, USCC_ALPHABET, make_id_number, make_uscc
from shared.regions import COUNTIES
from shared.runtime import unit_of_work

log = logging.getLogger(__name__)

SEED = 20_150_501
AS_OF = date(2025, 6, 30)  # the demo's "today", so that every run builds the same people
NOON_AS_OF = datetime(AS_OF.year, AS_OF.month, AS_OF.day, 12, tzinfo=SHANGHAI)
ENTERPRISES = 300
COUNTY_WEIGHTS = {
    "330402": 14,
    "330411": 13,
    "330421": 14,
    "330424": 11,
    "330481": 17,
    "330482": 14,
    "330483": 17,
}
OTHER_ZHEJIANG = ("330106", "330205", "330302", "330502", "330602", "330702", "331002")
RURAL_ZHEJIANG = ("330127", "330328", "330329", "330824", "331123", "331126", "330727")
FIRMS = (
    "恒达",
    "新凯",
    "振华",
    "永信",
    "华诚",
    "嘉和",
    "瑞丰",
    "天成",
    "东方",
    "明珠",
    "金鼎",
    "鸿运",
    "宏远",
    "正泰",
    "远大",
    "星辰",
    "禾丰",
    "南湖",
    "运河",
    "梅湾",
)
TRADES = (
    ("纺织", "6-04"),
    ("皮革", "6-06"),
    ("紧固件", "6-18"),
    ("电子", "6-25"),
    ("汽车零部件", "6-22"),
    ("化纤", "6-05"),
    ("食品", "6-02"),
    ("建材", "6-16"),
    ("物流", "4-02"),
    ("机械", "6-20"),
    ("光伏", "6-24"),
    ("家纺", "6-04"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董沈姚钱褚蒋"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文斌海燕玲婷晨浩宇欣怡子涵"


def load_demo(app: Flask) -> None:
    with unit_of_work(app) as ctx:
        if ctx.session.scalar(select(func.count()).select_from(Enterprise)):
            log.info("registry demo skipped: enterprises exist already")
            return
        ctx = replace(ctx, now=NOON_AS_OF)
        rng = random.Random(SEED)
        enterprise_ids = []
        for number in range(ENTERPRISES):
            registration, trade = _enterprise(rng, number)
            enterprise = handle(HANDLERS, ctx, registration)
            enterprise_ids.append(enterprise.id)
            rows = [
                (n + 2, _worker(rng, registration.has_union, trade))
                for n in range(max(2, round(rng.lognormvariate(2.16, 0.6))))
            ]
            checked = check_rows(rows, ctx.today, cipher_of(ctx))
            handle(HANDLERS, ctx, ImportWorkers(enterprise.id, checked))
        _move_some(ctx, rng, enterprise_ids)
        log.info("registry demo loaded: %d enterprises", ENTERPRISES)


def _enterprise(rng: random.Random, number: int) -> tuple[RegisterEnterprise, str]:
    county = rng.choices(list(COUNTY_WEIGHTS), weights=list(COUNTY_WEIGHTS.values()))[0]
    trade, occupation_group = rng.choice(TRADES)
    organisation = "".join(rng.choice(USCC_ALPHABET) for _ in range(8)) + f"{number % 10}"
    has_union = rng.random() < 0.91
    size = rng.random() < 0.42
    registration = RegisterEnterprise(
        uscc=make_uscc("91" + county + organisation),
        name=f"{COUNTIES[county][:2]}{rng.choice(FIRMS)}{trade}{_suffix(rng, size)}",
        region_code=county,
        has_union=has_union,
        union_founded_on=_day(rng, date(1998, 1, 1), AS_OF) if has_union else None,
        above_designated_size=size,
        ownership="public" if rng.random() < 0.12 else "non_public",
        employee_count=rng.randint(200, 2400) if size else rng.randint(15, 180),
    )
    return registration, occupation_group


def _suffix(rng: random.Random, large: bool) -> str:
    return "股份有限公司" if large and rng.random() < 0.5 else "有限公司"


def _worker(rng: random.Random, union: bool, occupation_group: str) -> dict[str, object]:
    migrant = rng.random() < 0.2
    born = _day(
        rng,
        date(AS_OF.year - 60, AS_OF.month, AS_OF.day) + timedelta(days=1),
        date(AS_OF.year - 18, AS_OF.month, AS_OF.day),
    )
    origin = rng.choice(RURAL_ZHEJIANG if migrant else (*COUNTIES, *OTHER_ZHEJIANG))
    gender = MALE if rng.random() < 0.56 else FEMALE
    hired_on = _day(rng, max(date(born.year + 18, born.month, 1), date(2005, 1, 1)), AS_OF)
    member = rng.random() < (0.95 if union else 0.35)
    return {
        "id_number": make_id_number(origin, born, rng.randint(0, 99), gender),
        "name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
        "occupation_code": f"{occupation_group}-{rng.randint(1, 9):02d}-{rng.randint(1, 12):02d}",
        "is_migrant": migrant,
        "is_union_member": member,
        "union_joined_on": _day(rng, hired_on, AS_OF) if member else None,
        "hired_on": hired_on,
    }


def _move_some(ctx: Context, rng: random.Random, enterprise_ids: list[str]) -> None:
    """A few transfers and departures, so that histories and events look lived-in."""
    workers = ctx.session.scalars(select(Worker).order_by(Worker.id)).all()
    for worker in rng.sample(workers, 60):
        if rng.random() < 0.5:
            target = rng.choice([e for e in enterprise_ids if e != worker.enterprise_id])
            handle(HANDLERS, ctx, TransferWorker(worker.id, target))
        else:
            handle(HANDLERS, ctx, RecordWorkerLeft(worker.id))


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
