"""Registering and withdrawing entries, checked against the registry replicas."""

from __future__ import annotations

import uuid

from services.competitions import commands, events
from services.competitions.adapters.orm import EntryRow
from services.competitions.adapters.repository import REGISTERED, WITHDRAWN, Repository, to_domain
from services.competitions.domain import model
from shared.errors import found
from shared.handling import Context


def register_entry(
    ctx: Context, command: commands.RegisterEntry, repository: Repository
) -> EntryRow:
    row = repository.competition(command.competition_id, lock="update")
    competition = to_domain(row)
    workers = command.worker_ids
    model.check_entry(
        competition,
        command.enterprise_id,
        workers,
        repository.workers(workers),
        repository.entered(row.id, workers),
        repository.entry_count(row.id, command.enterprise_id),
        ctx.now,
    )
    enterprise = repository.enterprise(command.enterprise_id)
    model.check_enterprise_active(command.enterprise_id, enterprise)
    region = enterprise.region_code if enterprise else None
    model.check_enterprise_in_county(competition, command.enterprise_id, region)
    entry = EntryRow(
        id=str(uuid.uuid4()),
        competition_id=row.id,
        enterprise_id=command.enterprise_id,
        team_name=command.team_name,
        worker_ids=list(workers),
        region_code=region,
        status=REGISTERED,
        registered_at=ctx.now,
    )
    repository.add_entry(entry)
    ctx.outbox.add(ctx.session, events.ENTRY_REGISTERED, row.id, events.entry_data(entry, row.year))
    return entry


def withdraw_entry(
    ctx: Context, command: commands.WithdrawEntry, repository: Repository
) -> EntryRow:
    row = repository.competition(command.competition_id, lock="update")
    entry = found(
        repository.entry(row.id, command.entry_id, command.acting_enterprise_id, registered=True),
        "entry",
    )
    model.check_withdrawal(to_domain(row), ctx.now)
    entry.status, entry.withdrawn_at = WITHDRAWN, ctx.now
    repository.release_workers(entry)
    ctx.outbox.add(ctx.session, events.ENTRY_WITHDRAWN, row.id, events.entry_data(entry, row.year))
    return entry
