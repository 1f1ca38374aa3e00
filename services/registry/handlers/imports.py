"""A spreadsheet of workers registered at once, in two steps.

``check_rows`` checks every row before any transaction begins (the rules, the ID number's
lookup hash and cipher, a person twice in the file), so that the registry's write lock is
never held while a file is read or checked. ``import_workers`` then writes the good rows of a
batch in a few statements (one INSERT per table and an executemany of events) and reports the
others by the row number the clerk sees in the spreadsheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.registry.adapters.orm import new_id
from services.registry.adapters.repository import Repository
from services.registry.commands import ImportWorkers
from services.registry.domain.errors import InvalidWorker
from services.registry.domain.workers import CheckedRow, already_active, parse_new_worker
from services.registry.events import WORKER_REGISTERED, worker_data
from services.registry.handlers.enterprises import active_enterprise
from services.registry.handlers.workers import worker_values
from shared.handling import Context
from shared.pii import PiiCipher


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    atomic: bool = False
    unchanged: int = 0
    """Rows of what the registry already holds exactly as the row gives it (enterprises)."""

    def reject(self, row: int, errors: Mapping[str, list[str]]) -> None:
        self.rejected.append({"row": row, "errors": dict(errors)})

    def add(self, other: ImportResult) -> ImportResult:
        """This result and a later batch's, as one."""
        self.rows += other.rows
        self.created += other.created
        self.unchanged += other.unchanged
        self.rejected.extend(other.rejected)
        return self


def import_workers(ctx: Context, command: ImportWorkers, repository: Repository) -> ImportResult:
    enterprise = active_enterprise(repository, command.enterprise_id)
    result = ImportResult(rows=len(command.rows), atomic=command.atomic)
    new, rehired = _hires(command, repository, enterprise.id, result)
    if command.atomic and result.rejected:
        return result
    repository.hire_many(new, rehired)
    hired = [(w["id"], worker_data(w, enterprise.region_code)) for w in (*new, *rehired)]
    ctx.outbox.add_many(ctx.session, WORKER_REGISTERED, hired)
    result.created = len(hired)
    return result


Hires = list[dict[str, Any]]


def _hires(
    command: ImportWorkers, repository: Repository, enterprise_id: str, result: ImportResult
) -> tuple[Hires, Hires]:
    """The new workers and the people hired again among the rows; the rest go to ``result``,
    rejected, in row order."""
    known = repository.known_workers([checked.lookup for checked in command.rows if checked.lookup])
    new: Hires = []
    rehired: Hires = []
    for checked in command.rows:
        existing = known.get(checked.lookup)
        if checked.values is None:
            result.reject(checked.row, checked.errors or {})
        elif existing is None:
            new.append({**checked.values, "id": new_id(), "enterprise_id": enterprise_id})
        elif existing.active:
            reason = already_active(existing.enterprise_id, enterprise_id, command.reveal_employer)
            result.reject(checked.row, {"id_number": [reason]})
        else:  # someone who left, hired again: they keep their worker id
            rehired.append({**checked.values, "id": existing.id, "enterprise_id": enterprise_id})
    return new, rehired


def check_rows(
    rows: Iterable[tuple[int, Mapping[str, object]]], today: date, cipher: PiiCipher
) -> list[CheckedRow]:
    """Check each row, in the spreadsheet's order; a person twice in the file is rejected
    where they come again. Pure work on the file: no database, no lock."""
    checked: list[CheckedRow] = []
    first_rows: dict[str, int] = {}
    for row, cells in rows:
        try:
            worker = parse_new_worker(cells, today)
        except InvalidWorker as error:
            checked.append(CheckedRow(row, errors=error.errors or {}))
            continue
        lookup = cipher.lookup_hash(worker.identity.value)
        if lookup in first_rows:
            again = {"id_number": [f"the same ID number is already in row {first_rows[lookup]}"]}
            checked.append(CheckedRow(row, errors=again))
            continue
        first_rows[lookup] = row
        checked.append(CheckedRow(row, lookup, worker_values(worker, cipher)))
    return checked
