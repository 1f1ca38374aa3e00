"""Demo data for Jiaxing (``jiangong up --demo``): a few competitions of this year, two of them
open for entries. Entries come from the enterprises and workers the registry's demo announces.
Loading twice adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from services.competitions.adapters.orm import CompetitionRow
from services.competitions.commands import CreateCompetition, MoveCompetition
from services.competitions.domain.model import Action
from services.competitions.handlers import HANDLERS
from shared.clock import shanghai_date
from shared.handling import handle
from shared.runtime import unit_of_work

PRIZES = [
    {"name": "一等奖", "places": 1},
    {"name": "二等奖", "places": 2},
    {"name": "三等奖", "places": 3},
]


def _specs(year: int, closes: datetime) -> list[tuple[dict[str, Any], tuple[Action, ...]]]:
    return [
        (
            {
                "title": f"{year}年嘉兴市数控车工职业技能竞赛",
                "kind": "skill_contest",
                "level": "city",
                "contest_class": 1,
                "region_code": "330400",
                "occupation_code": "6-18-01-01",
                "year": year,
                "registration_closes_at": closes,
                "max_entries_per_enterprise": 3,
                "criteria": [
                    {"code": "theory", "name": "理论知识", "weight": 0.3, "max_marks": 100},
                    {"code": "practical", "name": "实际操作", "weight": 0.7, "max_marks": 100},
                ],
                "aggregation": "trimmed_mean",
                "awards": PRIZES,
            },
            (Action.OPEN,),
        ),
        (
            {
                "title": f"{year}年秀洲区班组创先争优竞赛",
                "kind": "team",
                "level": "county",
                "region_code": "330411",
                "year": year,
                "registration_closes_at": closes,
                "team_size": {"min": 3, "max": 8},
                "criteria": [
                    {"code": "results", "name": "工作业绩", "weight": 0.6, "max_marks": 60},
                    {"code": "management", "name": "班组管理", "weight": 0.4, "max_marks": 40},
                ],
                "awards": [{"name": "工人先锋号", "places": 3}],
            },
            (Action.OPEN,),
        ),
        (
            {
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
            (),
        ),
    ]


def load_demo(app: Flask) -> None:
    with unit_of_work(app) as ctx:
        if ctx.session.scalar(select(func.count()).select_from(CompetitionRow)):
            return
        closes = ctx.now + timedelta(days=30)
        for spec, actions in _specs(shanghai_date(ctx.now).year, closes):
            row = handle(HANDLERS, ctx, CreateCompetition(spec))
            for action in actions:
                handle(HANDLERS, ctx, MoveCompetition(row.id, action))
