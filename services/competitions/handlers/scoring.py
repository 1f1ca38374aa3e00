"""A judge's marks for an entry: checked, stored (replacing the judge's earlier ones), kept in
the history, announced.

The entry's row is locked before the judge's scoresheet is read, so that marks sent at once
for one entry are stored one after the other, each stamped after the one it replaces."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.competitions import commands, events
from services.competitions.adapters.orm import ScoreHistoryRow, ScoresheetRow
from services.competitions.adapters.repository import Repository, to_domain
from services.competitions.domain import model
from shared.clock import as_utc, iso
from shared.handling import Context


def record_score(
    ctx: Context, command: commands.RecordScore, repository: Repository
) -> ScoresheetRow:
    row = repository.competition(command.competition_id, lock="share")
    entry = repository.entry(row.id, command.entry_id, registered=True, lock=True)
    judge = repository.judge(row.id, command.judge_id)
    competition = to_domain(row)
    model.check_judge_may_score(competition, judge, entry)
    assert entry is not None  # checked by the rule above
    marks = {code: float(mark) for code, mark in command.marks.items()}
    model.check_marks(competition, marks)
    sheet = repository.scoresheet(entry.id, command.judge_id) or ScoresheetRow(
        entry_id=entry.id, judge_id=command.judge_id, competition_id=row.id
    )
    recorded_at = _after(ctx.now, sheet)
    sheet.marks, sheet.recorded_at = marks, recorded_at
    history = ScoreHistoryRow(
        competition_id=row.id,
        entry_id=entry.id,
        judge_id=command.judge_id,
        marks=marks,
        recorded_at=recorded_at,
    )
    repository.add(sheet, history)  # the judge's current marks, and every marking ever
    data = {
        "competition_id": row.id,
        "entry_id": entry.id,
        "judge_id": command.judge_id,
        "enterprise_id": entry.enterprise_id,
        "marks": marks,
        "recorded_at": iso(recorded_at),
    }
    ctx.outbox.add(ctx.session, events.SCORE_RECORDED, row.id, data)
    return sheet


def _after(now: datetime, sheet: ScoresheetRow) -> datetime:
    """When these marks are recorded: now, but strictly after the marks they replace.

    The board keeps a judge's marks with the newest ``recorded_at``; the entry's lock orders
    the judge's marks, and so must their times, though ``now`` was taken before the lock (a
    request waiting behind another has the earlier ``now``; the clocks of several servers
    differ)."""
    if sheet.recorded_at is None:
        return now
    return max(now, as_utc(sheet.recorded_at) + timedelta(microseconds=1))
