"""A judge's marks for an entry: checked, stored (replacing the judge's earlier ones), kept in
the history, announced."""

from __future__ import annotations

from services.competitions import commands, events
from services.competitions.adapters.orm import JudgeRow, ScoreHistoryRow, ScoresheetRow
from services.competitions.adapters.repository import (
    NotFound,
    find_entry,
    get_competition,
    iso,
    to_domain,
)
from services.competitions.domain import model
from services.competitions.handlers.context import Context


def record_score(ctx: Context, command: commands.RecordScore) -> ScoresheetRow:
    session = ctx.session
    row = get_competition(session, command.competition_id, lock="share")
    entry = find_entry(session, row.id, command.entry_id, registered=True)
    judge = session.get(JudgeRow, (row.id, command.judge_id))
    competition = to_domain(row)
    model.check_judge_may_score(
        competition.status,
        judge is not None,
        judge.enterprise_id if judge else None,
        entry.enterprise_id if entry else "",
    )
    if entry is None:  # asked after the rules, so that a draft competition says why
        raise NotFound("entry")
    marks = {code: float(mark) for code, mark in command.marks.items()}
    model.check_marks(competition, marks)
    sheet = session.get(ScoresheetRow, (entry.id, command.judge_id))
    if sheet is None:
        sheet = ScoresheetRow(entry_id=entry.id, judge_id=command.judge_id, competition_id=row.id)
        session.add(sheet)
    sheet.marks, sheet.recorded_at = marks, ctx.now
    session.add(
        ScoreHistoryRow(
            competition_id=row.id,
            entry_id=entry.id,
            judge_id=command.judge_id,
            marks=marks,
            recorded_at=ctx.now,
        )
    )
    data = {
        "competition_id": row.id,
        "entry_id": entry.id,
        "judge_id": command.judge_id,
        "enterprise_id": entry.enterprise_id,
        "marks": marks,
        "recorded_at": iso(ctx.now),
    }
    ctx.outbox.add(session, events.SCORE_RECORDED, row.id, data)
    return sheet
