"""The events the competitions service produces, with the schema each one's ``data`` is
validated with before it enters the outbox.

Every event's subject (its Kafka key) is the competition id, so that all the facts of one
competition stay in order on one partition. :func:`competition_data` and :func:`entry_data` give
the data of a competition's and an entry's events.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from services.competitions.adapters.orm import CompetitionRow, EntryRow
from shared.clock import iso, shanghai_date

COMPETITION_OPENED = "jiangong.competition.opened.v1"
COMPETITION_CLOSED = "jiangong.competition.closed.v1"
COMPETITION_PUBLISHED = "jiangong.competition.published.v1"
ENTRY_REGISTERED = "jiangong.entry.registered.v1"
ENTRY_WITHDRAWN = "jiangong.entry.withdrawn.v1"
SCORE_RECORDED = "jiangong.score.recorded.v1"
RESULTS_PUBLISHED = "jiangong.results.published.v1"
AWARD_GRANTED = "jiangong.award.granted.v1"
LEADERBOARD_UPDATED = "jiangong.leaderboard.updated.v1"


class CompetitionChanged(Schema):
    """competition.opened / closed / published: the competition as it now is."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    kind = fields.String(required=True)
    level = fields.String(required=True)
    contest_class = fields.Integer(allow_none=True)
    region_code = fields.String(required=True)
    occupation_code = fields.String(allow_none=True)
    year = fields.Integer(required=True)
    published_on = fields.Date(allow_none=True)


class EntryChanged(Schema):
    """entry.registered / withdrawn."""

    id = fields.String(required=True)
    competition_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    worker_ids = fields.List(fields.String(), required=True)
    team_name = fields.String(allow_none=True)
    year = fields.Integer(required=True)
    region_code = fields.String(allow_none=True)
    registered_at = fields.AwareDateTime(required=True)
    withdrawn_at = fields.AwareDateTime(allow_none=True)


class ScoreRecorded(Schema):
    competition_id = fields.String(required=True)
    entry_id = fields.String(required=True)
    judge_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    marks = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    recorded_at = fields.AwareDateTime(required=True)


class RankingRow(Schema):
    rank = fields.Integer(required=True)
    entry_id = fields.String(required=True)
    enterprise_id = fields.String()
    score = fields.Float(required=True)
    award = fields.String(allow_none=True, required=True)
    scaled_score = fields.Float(allow_none=True)


class ResultsPublished(Schema):
    competition_id = fields.String(required=True)
    year = fields.Integer(required=True)
    published_on = fields.Date(required=True)
    ranking = fields.List(fields.Nested(RankingRow), required=True)


class AwardGranted(Schema):
    competition_id = fields.String(required=True)
    entry_id = fields.String(required=True)
    kind = fields.String(required=True)
    level = fields.String(required=True)
    contest_class = fields.Integer(allow_none=True)
    occupation_code = fields.String(allow_none=True)
    region_code = fields.String(required=True)
    year = fields.Integer(required=True)
    published_on = fields.Date(required=True)
    award = fields.String(required=True)
    award_order = fields.Integer(required=True)
    points = fields.Integer(required=True)
    rank = fields.Integer(required=True)
    ranked_entries = fields.Integer(required=True)
    worker_ids = fields.List(fields.String(), required=True)
    enterprise_id = fields.String(required=True)


class BoardRow(Schema):
    """A ranked row, with the names the service's replicas gave it when the row was written
    (``enterprise_name`` null and ``worker_names`` empty where a replica is missing)."""

    rank = fields.Integer(required=True)
    entry_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    enterprise_name = fields.String(required=True, allow_none=True)
    team_name = fields.String(required=True, allow_none=True)
    worker_names = fields.List(fields.String(), required=True)
    score = fields.Float(required=True)
    award = fields.String(allow_none=True, required=True)


class LeaderboardUpdated(Schema):
    """The public board's top rows (frozen ones while a freeze holds) and its new version."""

    competition_id = fields.String(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True)
    final = fields.Boolean(required=True)
    frozen = fields.Boolean(required=True)
    total = fields.Integer(required=True)
    rows = fields.List(fields.Nested(BoardRow), required=True)


PRODUCES: dict[str, type[Schema]] = {
    COMPETITION_OPENED: CompetitionChanged,
    COMPETITION_CLOSED: CompetitionChanged,
    COMPETITION_PUBLISHED: CompetitionChanged,
    ENTRY_REGISTERED: EntryChanged,
    ENTRY_WITHDRAWN: EntryChanged,
    SCORE_RECORDED: ScoreRecorded,
    RESULTS_PUBLISHED: ResultsPublished,
    AWARD_GRANTED: AwardGranted,
    LEADERBOARD_UPDATED: LeaderboardUpdated,
}


def competition_data(row: CompetitionRow) -> dict[str, Any]:
    published_on = shanghai_date(row.published_at) if row.published_at else None
    return {
        "id": row.id,
        "title": row.title,
        "status": row.status,
        "kind": row.kind,
        "level": row.level,
        "contest_class": row.contest_class,
        "region_code": row.region_code,
        "occupation_code": row.occupation_code,
        "year": row.year,
        "published_on": published_on.isoformat() if published_on else None,
    }


def entry_data(entry: EntryRow, year: int) -> dict[str, Any]:
    return {
        "id": entry.id,
        "competition_id": entry.competition_id,
        "enterprise_id": entry.enterprise_id,
        "worker_ids": list(entry.worker_ids),
        "team_name": entry.team_name,
        "year": year,
        "region_code": entry.region_code,
        "registered_at": iso(entry.registered_at),
        "withdrawn_at": iso(entry.withdrawn_at),
    }
