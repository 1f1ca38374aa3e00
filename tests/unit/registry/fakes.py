"""In-memory stand-ins for the registry's ports: its repository, and a context with no
database behind it for the recording outbox (``tests.support.outbox``).

The handlers run unchanged, wired to these by ``with_repository``; nothing here applies a rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from services.registry.adapters.orm import (
    Enterprise,
    IdNumberAudit,
    ImportJob,
    ImportJobRejection,
    Region,
    Worker,
    WorkerEmployment,
)
from services.registry.adapters.repository import KnownWorker, Record
from shared.handling import Context
from shared.pii import PiiCipher
from shared.regions import SEED
from shared.settings import Settings
from tests.support.outbox import RecordingOutbox

NOW = datetime(2025, 6, 30, 4, 0, tzinfo=UTC)  # noon in Jiaxing: ctx.today is 2025-06-30


class FakeRepository:
    """The registry's records in dicts, seeded, like a new database, with Jiaxing's regions."""

    def __init__(self) -> None:
        self.regions: dict[str, Region] = {}
        self.enterprises: dict[str, Enterprise] = {}
        self.workers: dict[str, Worker] = {}
        self.employments: list[WorkerEmployment] = []
        self.audits: list[IdNumberAudit] = []
        self.skills: dict[tuple[str, str], int] = {}
        self.jobs: dict[str, ImportJob] = {}
        self.job_rejections: list[ImportJobRejection] = []
        for code, name, level, parent_code in SEED:
            self.add(Region(code=code, name=name, level=level, parent_code=parent_code))

    def add(self, record: Record) -> None:
        match record:
            case Region():
                self.regions[record.code] = record
            case Enterprise():
                self.enterprises[record.id] = record
            case Worker():
                self.workers[record.id] = record
            case WorkerEmployment():
                self.employments.append(record)
            case IdNumberAudit():
                self.audits.append(record)
            case ImportJob():
                self.jobs[record.id] = record
            case ImportJobRejection():
                self.job_rejections.append(record)

    def region(self, code: str) -> Region | None:
        return self.regions.get(code)

    def enterprise(self, enterprise_id: str, lock: bool = False) -> Enterprise | None:
        return self.enterprises.get(enterprise_id)

    def enterprise_id_with_uscc(self, uscc: str) -> str | None:
        return next((e.id for e in self.enterprises.values() if e.uscc == uscc), None)

    def active_worker_count(self, enterprise_id: str) -> int:
        return sum(w.enterprise_id == enterprise_id and w.active for w in self.workers.values())

    def worker(self, worker_id: str, lock: bool = False) -> Worker | None:
        return self.workers.get(worker_id)

    def worker_with_id_number(self, lookup_hash: str) -> Worker | None:
        return next((w for w in self.workers.values() if w.id_number_hash == lookup_hash), None)

    def open_employment(self, worker_id: str) -> WorkerEmployment | None:
        open_ones = [e for e in self.employments if e.worker_id == worker_id and not e.left_on]
        return open_ones[-1] if open_ones else None

    def import_job(self, job_id: str) -> ImportJob | None:
        return self.jobs.get(job_id)

    def known_workers(self, lookup_hashes: Sequence[str]) -> dict[str, KnownWorker]:
        wanted = set(lookup_hashes)
        return {
            w.id_number_hash: KnownWorker(w.id, w.active, w.enterprise_id)
            for w in self.workers.values()
            if w.id_number_hash in wanted
        }

    def hire_many(
        self, new: Sequence[Mapping[str, Any]], rehired: Sequence[Mapping[str, Any]]
    ) -> None:
        for values in new:
            self.add(Worker(**values))
        for values in rehired:
            for key, value in values.items():
                setattr(self.workers[values["id"]], key, value)
        for values in (*new, *rehired):
            employment = WorkerEmployment(
                worker_id=values["id"],
                enterprise_id=values["enterprise_id"],
                hired_on=values["hired_on"],
            )
            self.add(employment)

    def keep_highest_level(self, worker_id: str, occupation_code: str, level: int) -> None:
        key = (worker_id, occupation_code)
        self.skills[key] = min(level, self.skills.get(key, level))


def fake_context(outbox: RecordingOutbox, cipher: PiiCipher, now: datetime = NOW) -> Context:
    """A context with no database behind it: the repository is handed to the handlers apart."""
    return Context(session=None, outbox=outbox, now=now, settings=Settings(), cipher=cipher)  # type: ignore[arg-type]
