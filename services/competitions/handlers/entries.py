"""Registering and withdrawing entries, checked against the registry replicas."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.competitions import commands, events
from services.competitions.adapters.orm import CompetitionRow, EntryRow, EntryWorkerRow
from services.competitions.adapters.read_tables import EnterpriseReplica, WorkerReplica
from services.competitions.adapters.repository import (
    REGISTERED,
    WITHDRAWN,
    entry_data,
    get_competition,
    get_entry,
    to_domain,
)
from services.competitions.domain import errors, model
from services.competitions.handlers.context import Context


def register_entry(ctx: Context, command: commands.RegisterEntry) -> EntryRow:
    session = ctx.session
    row = get_competition(session, command.competition_id, lock="update")
    model.check_entry(
        to_domain(row),
        command.enterprise_id,
        command.worker_ids,
        _workers(session, command.worker_ids),
        _entered(session, row.id, command.worker_ids),
        _entry_count(session, row.id, command.enterprise_id),
        ctx.now,
    )
    enterprise = session.get(EnterpriseReplica, command.enterprise_id)
    model.check_enterprise_active(command.enterprise_id, enterprise and enterprise.active)
    entry = EntryRow(
        id=str(uuid.uuid4()),
        competition_id=row.id,
        enterprise_id=command.enterprise_id,
        team_name=command.team_name,
        worker_ids=list(command.worker_ids),
        region_code=enterprise.region_code if enterprise else None,
        status=REGISTERED,
        registered_at=ctx.now,
    )
    _insert(session, entry)
    ctx.outbox.add(session, events.ENTRY_REGISTERED, row.id, entry_data(entry, row.year))
    return entry


def _workers(session: Session, ids: tuple[str, ...]) -> dict[str, model.WorkerView]:
    replicas = session.scalars(select(WorkerReplica).where(WorkerReplica.id.in_(ids)))
    return {w.id: model.WorkerView(w.id, w.enterprise_id or "", w.active) for w in replicas}


def _entered(session: Session, competition_id: str, ids: tuple[str, ...]) -> set[str]:
    query = select(EntryWorkerRow.worker_id).where(
        EntryWorkerRow.competition_id == competition_id, EntryWorkerRow.worker_id.in_(ids)
    )
    return set(session.scalars(query))


def _entry_count(session: Session, competition_id: str, enterprise_id: str) -> int:
    query = select(func.count()).where(
        EntryRow.competition_id == competition_id,
        EntryRow.enterprise_id == enterprise_id,
        EntryRow.status == REGISTERED,
    )
    return session.scalar(query) or 0


def _insert(session: Session, entry: EntryRow) -> None:
    """A worker entered by a concurrent request meanwhile is caught by the primary key."""
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
            session.add_all(
                EntryWorkerRow(
                    competition_id=entry.competition_id,
                    worker_id=worker_id,
                    entry_id=entry.id,
                    enterprise_id=entry.enterprise_id,
                )
                for worker_id in entry.worker_ids
            )
            session.flush()
    except IntegrityError as error:
        raise errors.WorkerAlreadyEntered(
            "A worker of this entry was entered meanwhile."
        ) from error


def withdraw_entry(ctx: Context, command: commands.WithdrawEntry) -> EntryRow:
    row: CompetitionRow = get_competition(ctx.session, command.competition_id, lock="update")
    entry = get_entry(
        ctx.session, row.id, command.entry_id, command.acting_enterprise_id, registered=True
    )
    model.check_withdrawal(to_domain(row), ctx.now)
    entry.status, entry.withdrawn_at = WITHDRAWN, ctx.now
    ctx.session.execute(delete(EntryWorkerRow).where(EntryWorkerRow.entry_id == entry.id))
    ctx.outbox.add(ctx.session, events.ENTRY_WITHDRAWN, row.id, entry_data(entry, row.year))
    return entry
