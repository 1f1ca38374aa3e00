"""Loading the service's own records, and turning them into domain objects and event data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.competitions.adapters.orm import CompetitionRow, EntryRow
from services.competitions.domain.model import Award, Competition, Criterion

SHANGHAI = ZoneInfo("Asia/Shanghai")
REGISTERED, WITHDRAWN = "registered", "withdrawn"


class NotFound(LookupError):
    """No such record, or not one the caller may see: the answer never tells which."""

    def __init__(self, what: str):
        super().__init__(f"No {what} with that id.")
        self.what = what


def aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; every one is stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def maybe_aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else aware(moment)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else aware(moment).isoformat()


def shanghai_date(moment: datetime) -> str:
    """The calendar date of ``moment`` in Asia/Shanghai, the date a yearly count goes by."""
    return aware(moment).astimezone(SHANGHAI).date().isoformat()


def get_competition(session: Session, competition_id: str, lock: str = "") -> CompetitionRow:
    """The competition; ``lock`` ("update" or "share") holds its row until the transaction
    ends (PostgreSQL; SQLite serialises writers anyway)."""
    query = select(CompetitionRow).where(CompetitionRow.id == competition_id)
    if lock:
        query = query.with_for_update(read=lock == "share")
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound("competition")
    return row


def find_entry(
    session: Session,
    competition_id: str,
    entry_id: str,
    enterprise_id: str | None = None,
    registered: bool = False,
) -> EntryRow | None:
    """An entry of the competition; with ``enterprise_id`` only one of that enterprise, with
    ``registered`` only one not withdrawn."""
    entry = session.get(EntryRow, entry_id)
    if (
        entry is None
        or entry.competition_id != competition_id
        or (enterprise_id is not None and entry.enterprise_id != enterprise_id)
        or (registered and entry.status != REGISTERED)
    ):
        return None
    return entry


def get_entry(
    session: Session,
    competition_id: str,
    entry_id: str,
    enterprise_id: str | None = None,
    registered: bool = False,
) -> EntryRow:
    """:func:`find_entry`, or :class:`NotFound`."""
    entry = find_entry(session, competition_id, entry_id, enterprise_id, registered)
    if entry is None:
        raise NotFound("entry")
    return entry


def to_domain(row: CompetitionRow) -> Competition:
    return Competition(
        id=row.id,
        kind=row.kind,  # type: ignore[arg-type]
        level=row.level,  # type: ignore[arg-type]
        criteria=tuple(Criterion(**criterion) for criterion in row.criteria),
        contest_class=row.contest_class,
        aggregation=row.aggregation,  # type: ignore[arg-type]
        awards=tuple(Award(**award) for award in row.awards),
        max_entries_per_enterprise=row.max_entries_per_enterprise,
        team_size_min=row.team_size_min,
        team_size_max=row.team_size_max,
        registration_closes_at=maybe_aware(row.registration_closes_at),
        freeze_at=maybe_aware(row.freeze_at),
        status=row.status,  # type: ignore[arg-type]
        tie_breaks=tuple(row.tie_breaks),
    )


def competition_data(row: CompetitionRow) -> dict[str, Any]:
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
        "published_on": shanghai_date(row.published_at) if row.published_at else None,
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
