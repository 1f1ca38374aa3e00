"""A spreadsheet of workers registered at once: every row checked, the good ones written in a
few statements (one INSERT per table and an executemany of events), the rest reported by the
row number the clerk sees in the spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.registry.adapters.orm import new_id
from services.registry.adapters.repository import Repository
from services.registry.commands import ImportWorkers
from services.registry.domain.errors import InvalidWorker
from services.registry.domain.workers import already_active, parse_new_worker
from services.registry.events import WORKER_REGISTERED, worker_data
from services.registry.handlers.enterprises import active_enterprise
from services.registry.handlers.workers import cipher_of, worker_values
from shared.handling import Context
from shared.pii import PiiCipher

Accepted = dict[str, tuple[int, dict[str, Any]]]
"""The rows that passed, by the lookup hash of their ID number: ``(row number, columns)``."""


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    atomic: bool = False

    def reject(self, row: int, errors: Mapping[str, list[str]]) -> None:
        self.rejected.append({"row": row, "errors": dict(errors)})


def import_workers(ctx: Context, command: ImportWorkers, repository: Repository) -> ImportResult:
    enterprise = active_enterprise(repository, command.enterprise_id)
    result = ImportResult(atomic=command.atomic)
    accepted = _parse(command.rows, ctx.today, result, cipher_of(ctx))
    known = repository.known_workers(list(accepted))
    new: list[dict[str, Any]] = []
    rehired: list[dict[str, Any]] = []
    for lookup, (row, values) in accepted.items():
        existing = known.get(lookup)
        if existing is None:
            new.append({**values, "id": new_id(), "enterprise_id": enterprise.id})
        elif existing.active:
            reason = already_active(existing.enterprise_id, enterprise.id, command.reveal_employer)
            result.reject(row, {"id_number": [reason]})
        else:  # someone who left, hired again: they keep their worker id
            rehired.append({**values, "id": existing.id, "enterprise_id": enterprise.id})
    result.rejected.sort(key=lambda rejection: rejection["row"])
    if command.atomic and result.rejected:
        return result
    repository.hire_many(new, rehired)
    hired = [(w["id"], worker_data(w, enterprise.region_code)) for w in (*new, *rehired)]
    ctx.outbox.add_many(ctx.session, WORKER_REGISTERED, hired)
    result.created = len(hired)
    return result


def _parse(
    rows: Iterable[tuple[int, Mapping[str, object]]],
    today: date,
    result: ImportResult,
    cipher: PiiCipher,
) -> Accepted:
    """Check each row; the good ones by the lookup hash of their ID number, first row wins."""
    accepted: Accepted = {}
    for row, cells in rows:
        result.rows += 1
        try:
            worker = parse_new_worker(cells, today)
        except InvalidWorker as error:
            result.reject(row, error.errors or {})
            continue
        lookup = cipher.lookup_hash(worker.identity.value)
        if lookup in accepted:
            first = accepted[lookup][0]
            result.reject(row, {"id_number": [f"the same ID number is already in row {first}"]})
            continue
        accepted[lookup] = (row, worker_values(worker, cipher))
    return accepted
