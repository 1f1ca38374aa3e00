"""Creating a competition, opening and closing it, assigning and removing its judges."""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

from services.competitions import commands, events
from services.competitions.adapters.orm import CompetitionRow, JudgeRow
from services.competitions.adapters.repository import Repository, to_domain
from services.competitions.domain import model
from shared.errors import found
from shared.handling import Context
from shared.regions import COUNTIES, JIAXING

REGIONS = model.Regions(JIAXING, frozenset(COUNTIES))
"""Jiaxing and its counties, as the domain's rules read them."""


_DEFAULTS = {"aggregation": "mean", "awards": [], "tie_breaks": list(model.TIE_BREAKS)}
_SPEC = (
    "title", "kind", "level", "contest_class", "region_code", "occupation_code", "year",
    "registration_closes_at", "freeze_at", "max_entries_per_enterprise", "criteria",
    "aggregation", "awards", "tie_breaks", "team_size_min", "team_size_max",
)  # fmt: skip


def _specified(spec_in: Any, repository: Repository, **row: Any) -> CompetitionRow:
    """A competition row from a specification as the API takes it (``team_size``, moments
    with their offset, null for a default), checked by the domain's rules: raises
    InvalidCompetitionSpec or UnknownRegion."""
    spec = {
        **_DEFAULTS,
        **{k: v for k, v in spec_in.items() if v is not None or k not in _DEFAULTS},
    }
    team_size = spec.pop("team_size", None) or {"min": 1, "max": 1}
    for moment in ("registration_closes_at", "freeze_at"):
        if spec.get(moment) is not None:  # stored in UTC: SQLite keeps no zone
            spec[moment] = spec[moment].astimezone(UTC)
    result = CompetitionRow(
        team_size_min=team_size["min"], team_size_max=team_size["max"], **row, **spec
    )
    to_domain(result)  # the domain's rules on a specification: raises InvalidCompetitionSpec
    code = result.region_code
    seen = REGIONS.is_town_or_village(code) and repository.region_seen(code)
    model.check_region(code, result.level, REGIONS, seen)
    return result


def create_competition(
    ctx: Context, command: commands.CreateCompetition, repository: Repository
) -> CompetitionRow:
    row = _specified(
        command.spec,
        repository,
        id=str(uuid.uuid4()),
        status=model.Status.DRAFT.value,
        created_at=ctx.now,
    )
    repository.add(row)
    return row


def edit_competition(
    ctx: Context, command: commands.EditCompetition, repository: Repository
) -> CompetitionRow:
    """A draft's specification changed: the fields given, checked with the rest as on
    creation; nothing is changed when one is refused."""
    row = repository.competition(command.competition_id, lock="update")
    model.check_editable(to_domain(row))
    current = {
        name: getattr(row, name) for name in _SPEC if name not in ("team_size_min", "team_size_max")
    }
    current["team_size"] = {"min": row.team_size_min, "max": row.team_size_max}
    edited = _specified(
        {**current, **command.changes},
        repository,
        id=row.id,
        status=row.status,
        created_at=row.created_at,
    )
    for name in _SPEC:
        setattr(row, name, getattr(edited, name))
    return row


_MOVED = {
    model.Action.OPEN: (events.COMPETITION_OPENED, "opened_at"),
    model.Action.CLOSE: (events.COMPETITION_CLOSED, "closed_at"),
}


def move_competition(
    ctx: Context, command: commands.MoveCompetition, repository: Repository
) -> CompetitionRow:
    row = repository.competition(command.competition_id, lock="update")
    event_type, stamp = _MOVED[command.action]
    competition = to_domain(row)
    if command.action == model.Action.OPEN:
        model.check_may_open(competition, ctx.now)
    row.status = competition.apply(command.action).status.value
    setattr(row, stamp, ctx.now)
    ctx.outbox.add(ctx.session, event_type, row.id, events.competition_data(row))
    return row


def assign_judge(ctx: Context, command: commands.AssignJudge, repository: Repository) -> JudgeRow:
    row = repository.competition(command.competition_id, lock="update")
    assigned = repository.judge(row.id, command.judge_id)
    model.check_judge_assignable(to_domain(row), command.judge_id, assigned)
    enterprise_id = command.enterprise_id
    enterprise = repository.enterprise(enterprise_id) if enterprise_id is not None else None
    model.check_judge_enterprise(enterprise_id, enterprise)
    judge = JudgeRow(
        competition_id=row.id,
        judge_id=command.judge_id,
        enterprise_id=command.enterprise_id,
        assigned_at=ctx.now,
    )
    repository.add(judge)
    return judge


def remove_judge(ctx: Context, command: commands.RemoveJudge, repository: Repository) -> None:
    row = repository.competition(command.competition_id, lock="update")
    judge = found(repository.judge(row.id, command.judge_id), "judge")
    model.check_judge_removable(to_domain(row), repository.judge_marked(row.id, judge.judge_id))
    repository.remove(judge)
