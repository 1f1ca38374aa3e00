"""A spreadsheet of workers registered at once: every row checked, the good ones written in a
few statements (one INSERT per table and an executemany of events), the rest reported by the
row number the clerk sees in the spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from services.registry.adapters.orm import Worker, WorkerEmployment, new_id
from services.registry.commands.enterprises import active_enterprise
from services.registry.commands.workers import already_active, worker_values
from services.registry.domain.errors import InvalidWorker
from services.registry.domain.workers import parse_new_worker
from services.registry.events import WORKER_REGISTERED, worker_data
from shared.outbox import Outbox
from shared.pii import PiiCipher

LOOKUP_CHUNK = 5000  # bound parameters per query stay far below SQLite's and PostgreSQL's limits


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    atomic: bool = False

    def reject(self, row: int, errors: Mapping[str, list[str]]) -> None:
        self.rejected.append({"row": row, "errors": dict(errors)})


def import_workers(
    session: Session,
    outbox: Outbox,
    cipher: PiiCipher,
    enterprise_id: str,
    rows: Iterable[tuple[int, Mapping[str, object]]],
    today: date,
    atomic: bool = False,
    reveal_employer: bool = False,
) -> ImportResult:
    enterprise = active_enterprise(session, enterprise_id)
    result = ImportResult(atomic=atomic)
    accepted = _parse(rows, today, result, cipher)
    known = _known_workers(session, list(accepted))
    new, rehired = [], []
    for lookup, (row, values) in accepted.items():
        existing = known.get(lookup)
        if existing is None:
            new.append({**values, "id": new_id(), "enterprise_id": enterprise_id})
        elif existing.active:
            reason = already_active(existing.enterprise_id, enterprise_id, reveal_employer)
            result.reject(row, {"id_number": [reason]})
        else:  # someone who left, hired again: they keep their worker id
            rehired.append({**values, "id": existing.id, "enterprise_id": enterprise_id})
    result.rejected.sort(key=lambda rejection: rejection["row"])
    if atomic and result.rejected:
        return result
    _write(session, outbox, new, rehired, enterprise.region_code)
    result.created = len(new) + len(rehired)
    return result


def _parse(
    rows: Iterable[tuple[int, Mapping[str, object]]],
    today: date,
    result: ImportResult,
    cipher: PiiCipher,
) -> dict[str, tuple[int, dict[str, Any]]]:
    """Check each row; the good ones by the lookup hash of their ID number, first row wins."""
    accepted: dict[str, tuple[int, dict[str, Any]]] = {}
    for row, cells in rows:
        result.rows += 1
        try:
            worker = parse_new_worker(cells, today)
        except InvalidWorker as error:
            result.reject(row, error.errors)
            continue
        lookup = cipher.lookup_hash(worker.identity.value)
        if lookup in accepted:
            first = accepted[lookup][0]
            result.reject(row, {"id_number": [f"the same ID number is already in row {first}"]})
            continue
        accepted[lookup] = (row, worker_values(worker, cipher))
    return accepted


def _known_workers(session: Session, lookups: list[str]) -> dict[str, Any]:
    known: dict[str, Any] = {}
    for start in range(0, len(lookups), LOOKUP_CHUNK):
        chunk = lookups[start : start + LOOKUP_CHUNK]
        query = select(Worker.id, Worker.id_number_hash, Worker.active, Worker.enterprise_id).where(
            Worker.id_number_hash.in_(chunk)
        )
        known.update({row.id_number_hash: row for row in session.execute(query)})
    return known


def _write(
    session: Session,
    outbox: Outbox,
    new: list[dict[str, Any]],
    rehired: list[dict[str, Any]],
    region_code: str,
) -> None:
    if new:
        session.execute(insert(Worker), new)
    if rehired:
        session.execute(update(Worker), rehired)
    hired = new + rehired
    if hired:
        session.execute(
            insert(WorkerEmployment),
            [
                {
                    "worker_id": w["id"],
                    "enterprise_id": w["enterprise_id"],
                    "hired_on": w["hired_on"],
                }
                for w in hired
            ],
        )
    outbox.add_many(
        session, WORKER_REGISTERED, [(w["id"], worker_data(w, region_code)) for w in hired]
    )
