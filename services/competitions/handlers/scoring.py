"""A judge's marks for an entry: checked, stored (replacing the judge's earlier ones), kept in
the history, announced."""

from __future__ import annotations

from services.competitions import commands, events
from services.competitions.adapters.orm import ScoreHistoryRow, ScoresheetRow
from services.competitions.adapters.repository import Repository, to_domain
from services.competitions.domain import model
from shared.clock import iso
from shared.handling import Context


def record_score(
    ctx: Context, command: commands.RecordScore, repository: Repository
) -> ScoresheetRow:
    row = repository.competition(command.competition_id, lock="share")
    entry = repository.entry(row.id, command.entry_id, registered=True)
    judge = repository.judge(row.id, command.judge_id)
    competition = to_domain(row)
    model.check_judge_may_score(competition, judge, entry)
    assert entry is not None  # checked by the rule above
    marks = {code: float(mark) for code, mark in command.marks.items()}
    model.check_marks(competition, marks)
    sheet = repository.scoresheet(entry.id, command.judge_id) or ScoresheetRow(
        entry_id=entry.id, judge_id=command.judge_id, competition_id=row.id
    )
    sheet.marks, sheet.recorded_at = marks, ctx.now
    history = ScoreHistoryRow(
        competition_id=row.id,
        entry_id=entry.id,
        judge_id=command.judge_id,
        marks=marks,
        recorded_at=ctx.now,
    )
    repository.add(sheet, history)  # the judge's current marks, and every marking ever
    data = {
        "competition_id": row.id,
        "entry_id": entry.id,
        "judge_id": command.judge_id,
        "enterprise_id": entry.enterprise_id,
        "marks": marks,
        "recorded_at": iso(ctx.now),
    }
    ctx.outbox.add(ctx.session, events.SCORE_RECORDED, row.id, data)
    return sheet
