"""Publishing results: the final standings from every judge's current marks, written as
results, announced with ``results.published`` and one ``award.granted`` per placed entry."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.competitions import commands, events
from services.competitions.adapters.orm import CompetitionRow, EntryRow, ResultRow, ScoresheetRow
from services.competitions.adapters.repository import (
    REGISTERED,
    aware,
    competition_data,
    get_competition,
    shanghai_date,
    to_domain,
)
from services.competitions.domain.model import Action, Competition, Kind
from services.competitions.domain.ranking import RankedRow, ScoredEntry, worldskills_scale
from services.competitions.domain.standings import (
    award_order,
    award_points,
    score_of,
    scored,
    standings,
)
from services.competitions.handlers.context import Context


def publish_results(ctx: Context, command: commands.PublishResults) -> CompetitionRow:
    session = ctx.session
    row = get_competition(session, command.competition_id, lock="update")
    competition = to_domain(row).apply(Action.PUBLISH)
    entries = {
        entry.id: entry
        for entry in session.scalars(
            select(EntryRow).where(EntryRow.competition_id == row.id, EntryRow.status == REGISTERED)
        )
    }
    ranked = standings(competition, _scored(session, competition, entries), final=True)
    scaled = (
        worldskills_scale({r.entry_id: r.score for r in ranked})
        if competition.kind is Kind.SKILL_CONTEST
        else {}
    )
    row.status, row.published_at = competition.status.value, ctx.now
    session.add_all(
        ResultRow(
            competition_id=row.id,
            entry_id=r.entry_id,
            rank=r.rank,
            enterprise_id=r.enterprise_id,
            score=r.score,
            scaled_score=scaled.get(r.entry_id),
            award=r.award,
        )
        for r in ranked
    )
    published_on = shanghai_date(ctx.now)
    ctx.outbox.add(session, events.COMPETITION_PUBLISHED, row.id, competition_data(row))
    ranking = [_ranking_row(r, scaled.get(r.entry_id)) for r in ranked]
    results = {
        "competition_id": row.id,
        "year": row.year,
        "published_on": published_on,
        "ranking": ranking,
    }
    ctx.outbox.add(session, events.RESULTS_PUBLISHED, row.id, results)
    for placed in (r for r in ranked if r.award is not None):
        data = _award_data(row, competition, placed, entries[placed.entry_id], len(ranked))
        ctx.outbox.add(session, events.AWARD_GRANTED, row.id, data)
    return row


def _scored(
    session: Session, competition: Competition, entries: dict[str, EntryRow]
) -> list[ScoredEntry]:
    marks: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    sheets = select(ScoresheetRow).where(ScoresheetRow.competition_id == competition.id)
    for sheet in session.scalars(sheets):
        marks[sheet.entry_id][sheet.judge_id] = sheet.marks
    result = []
    for entry_id, by_judge in marks.items():
        entry = entries.get(entry_id)
        score = score_of(competition, by_judge)
        if entry is not None and score is not None:
            registered_at = aware(entry.registered_at)
            result.append(scored(entry.id, entry.enterprise_id, registered_at, score))
    return result


def _ranking_row(row: RankedRow, scaled: float | None) -> dict[str, Any]:
    return {
        "rank": row.rank,
        "entry_id": row.entry_id,
        "enterprise_id": row.enterprise_id,
        "score": row.score,
        "award": row.award,
        "scaled_score": scaled,
    }


def _award_data(
    row: CompetitionRow, competition: Competition, placed: RankedRow, entry: EntryRow, ranked: int
) -> dict[str, Any]:
    assert placed.award is not None
    order = award_order(competition, placed.award)
    return {
        "competition_id": row.id,
        "entry_id": placed.entry_id,
        "kind": row.kind,
        "level": row.level,
        "contest_class": row.contest_class,
        "occupation_code": row.occupation_code,
        "region_code": row.region_code,
        "year": row.year,
        "published_on": shanghai_date(row.published_at or row.created_at),
        "award": placed.award,
        "award_order": order,
        "points": award_points(order),
        "rank": placed.rank,
        "ranked_entries": ranked,
        "worker_ids": list(entry.worker_ids),
        "enterprise_id": placed.enterprise_id,
    }
