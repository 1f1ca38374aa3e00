"""Publishing results: the final standings from every judge's current marks, written as
results, announced with ``results.published`` and one ``award.granted`` per placed entry."""

from __future__ import annotations

from typing import Any

from services.competitions import commands, events
from services.competitions.adapters.orm import CompetitionRow, EntryRow, ResultRow
from services.competitions.adapters.repository import Marks, Repository, to_domain
from services.competitions.domain.model import (
    Action,
    Competition,
    Kind,
    check_publication_complete,
)
from services.competitions.domain.ranking import RankedRow, ScoredEntry, worldskills_scale
from services.competitions.domain.standings import (
    award_order,
    award_points,
    score_of,
    scored,
    standings,
)
from shared.clock import as_utc, shanghai_date
from shared.handling import Context


def publish_results(
    ctx: Context, command: commands.PublishResults, repository: Repository
) -> CompetitionRow:
    row = repository.competition(command.competition_id, lock="update")
    competition = to_domain(row).apply(Action.PUBLISH)
    entries, marks = repository.registered_entries(row.id), repository.marks(row.id)
    if not command.force:
        check_publication_complete(repository.judge_ids(row.id), list(entries), marks)
    scores = _scored(competition, entries, marks)
    ranked = standings(competition, scores, final=True)
    scaled = (
        worldskills_scale({r.entry_id: r.score for r in ranked})
        if competition.kind is Kind.SKILL_CONTEST
        else {}
    )
    row.status, row.published_at = competition.status.value, ctx.now
    repository.add(*(_result(row.id, r, scaled.get(r.entry_id)) for r in ranked))
    ctx.outbox.add(ctx.session, events.COMPETITION_PUBLISHED, row.id, events.competition_data(row))
    results = {
        "competition_id": row.id,
        "year": row.year,
        "published_on": shanghai_date(ctx.now).isoformat(),
        "ranking": [_ranking_row(r, scaled.get(r.entry_id)) for r in ranked],
    }
    ctx.outbox.add(ctx.session, events.RESULTS_PUBLISHED, row.id, results)
    for placed in (r for r in ranked if r.award is not None):
        data = _award_data(row, competition, placed, entries[placed.entry_id], len(ranked))
        ctx.outbox.add(ctx.session, events.AWARD_GRANTED, row.id, data)
    return row


def _scored(
    competition: Competition, entries: dict[str, EntryRow], marks: Marks
) -> list[ScoredEntry]:
    result = []
    for entry_id, by_judge in marks.items():
        entry = entries.get(entry_id)
        score = score_of(competition, by_judge)
        if entry is not None and score is not None:
            registered_at = as_utc(entry.registered_at)
            result.append(scored(entry.id, entry.enterprise_id, registered_at, score))
    return result


def _result(competition_id: str, row: RankedRow, scaled: float | None) -> ResultRow:
    return ResultRow(
        competition_id=competition_id,
        entry_id=row.entry_id,
        rank=row.rank,
        enterprise_id=row.enterprise_id,
        score=row.score,
        scaled_score=scaled,
        award=row.award,
    )


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
        "published_on": shanghai_date(row.published_at or row.created_at).isoformat(),
        "award": placed.award,
        "award_order": order,
        "points": award_points(order),
        "rank": placed.rank,
        "ranked_entries": ranked,
        "worker_ids": list(entry.worker_ids),
        "enterprise_id": placed.enterprise_id,
    }
