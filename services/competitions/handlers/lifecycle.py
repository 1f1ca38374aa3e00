"""Creating a competition, opening and closing it, assigning its judges."""

from __future__ import annotations

import uuid
from datetime import UTC

from services.competitions import commands, events
from services.competitions.adapters.orm import CompetitionRow, JudgeRow
from services.competitions.adapters.repository import Repository, to_domain
from services.competitions.domain import errors, model
from shared.handling import Context
from shared.regions import COUNTIES, JIAXING

REGIONS = model.Regions(JIAXING, frozenset(COUNTIES))
"""Jiaxing and its counties, as the domain's rules read them."""


def create_competition(
    ctx: Context, command: commands.CreateCompetition, repository: Repository
) -> CompetitionRow:
    defaults = {"aggregation": "mean", "awards": [], "tie_breaks": list(model.TIE_BREAKS)}
    spec = {
        **defaults,
        **{k: v for k, v in command.spec.items() if v is not None or k not in defaults},
    }
    team_size = spec.pop("team_size", None) or {"min": 1, "max": 1}
    for moment in ("registration_closes_at", "freeze_at"):
        if spec.get(moment) is not None:  # stored in UTC: SQLite keeps no zone
            spec[moment] = spec[moment].astimezone(UTC)
    row = CompetitionRow(
        id=str(uuid.uuid4()),
        team_size_min=team_size["min"],
        team_size_max=team_size["max"],
        status=model.Status.DRAFT.value,
        created_at=ctx.now,
        **spec,
    )
    to_domain(row)  # the domain's rules on a specification: raises InvalidCompetitionSpec
    code = row.region_code
    seen = REGIONS.is_town_or_village(code) and repository.region_seen(code)
    model.check_region(code, row.level, REGIONS, seen)
    repository.add(row)
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
    model.check_may_change(to_domain(row))
    if repository.judge(row.id, command.judge_id) is not None:
        raise errors.JudgeAlreadyAssigned(f"Judge {command.judge_id} is already assigned.")
    enterprise_id = command.enterprise_id
    known = enterprise_id is not None and repository.enterprise(enterprise_id) is not None
    model.check_judge_enterprise(enterprise_id, known)
    judge = JudgeRow(
        competition_id=row.id,
        judge_id=command.judge_id,
        enterprise_id=command.enterprise_id,
        assigned_at=ctx.now,
    )
    repository.add(judge)
    return judge
