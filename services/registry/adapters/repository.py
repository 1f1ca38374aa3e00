"""Where the handlers read and write the registry's records: the port and its SQL adapter.

:class:`Repository` is what a handler may ask of storage; :class:`SqlRepository` answers it in
the context's session (the request's, the job's or the consumer batch's transaction), and the
unit tests answer it from memory. Nothing here commits, and nothing here applies a rule: a
lookup that finds nothing returns ``None`` and the handler says what that means.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session

from services.registry.adapters.name_characters import forget_names, index_names
from services.registry.adapters.orm import (
    Enterprise,
    IdNumberAudit,
    ImportJob,
    ImportJobRejection,
    Region,
    Worker,
    WorkerEmployment,
    WorkerSkill,
)
from services.registry.adapters.union_counts import (
    Tally,
    add_to_union_counts,
    enterprise_tally,
    worker_tally,
)
from shared.clock import utc_now
from shared.db import upsert

LOOKUP_CHUNK = 5000  # bound parameters per query stay far below SQLite's and PostgreSQL's limits

Record = (
    Region | Enterprise | Worker | WorkerEmployment | IdNumberAudit | ImportJob | ImportJobRejection
)


class KnownWorker(NamedTuple):
    """A person the registry already has, as an import needs them: who, and employed where."""

    id: str
    active: bool
    enterprise_id: str


class Repository(Protocol):
    def add(self, record: Record) -> None: ...

    def region(self, code: str) -> Region | None: ...

    def enterprise(self, enterprise_id: str, lock: bool = False) -> Enterprise | None:
        """The enterprise; ``lock`` holds its row to the transaction's end (PostgreSQL)."""
        ...

    def enterprise_id_with_uscc(self, uscc: str) -> str | None: ...

    def active_worker_count(self, enterprise_id: str) -> int: ...

    def worker(self, worker_id: str, lock: bool = False) -> Worker | None:
        """The worker; ``lock`` holds their row to the transaction's end (PostgreSQL)."""
        ...

    def worker_with_id_number(self, lookup_hash: str) -> Worker | None:
        """The person's worker record, locked (PostgreSQL): a registration decides on it."""
        ...

    def open_employment(self, worker_id: str) -> WorkerEmployment | None: ...

    def import_job(self, job_id: str) -> ImportJob | None: ...

    def known_workers(self, lookup_hashes: Sequence[str]) -> dict[str, KnownWorker]:
        """The people among ``lookup_hashes`` the registry has, by lookup hash."""
        ...

    def hire_many(
        self, new: Sequence[Mapping[str, Any]], rehired: Sequence[Mapping[str, Any]]
    ) -> None:
        """Write many workers at once (the column values of each) and open their employments."""
        ...

    def keep_highest_level(self, worker_id: str, occupation_code: str, level: int) -> None:
        """Record ``level`` unless the worker already holds a higher one (a smaller number)."""
        ...

    def regions(self) -> list[tuple[str, str, str]]:
        """Every region as ``(code, name, level)``."""
        ...

    def known_enterprises(self, usccs: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The enterprises among ``usccs`` the registry has, by credit code: their columns."""
        ...

    def register_many(self, enterprises: Sequence[Mapping[str, Any]]) -> None:
        """Write many enterprises at once, the column values of each."""
        ...


class SqlRepository:
    """The registry's records in a SQLAlchemy session; the caller commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: Record) -> None:
        self.session.add(record)

    def region(self, code: str) -> Region | None:
        return self.session.get(Region, code)

    def enterprise(self, enterprise_id: str, lock: bool = False) -> Enterprise | None:
        return _get(self.session, Enterprise, enterprise_id, lock)

    def enterprise_id_with_uscc(self, uscc: str) -> str | None:
        return self.session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc))

    def active_worker_count(self, enterprise_id: str) -> int:
        query = (
            select(func.count())
            .select_from(Worker)
            .where(Worker.enterprise_id == enterprise_id, Worker.active.is_(True))
        )
        return self.session.scalar(query) or 0

    def worker(self, worker_id: str, lock: bool = False) -> Worker | None:
        return _get(self.session, Worker, worker_id, lock)

    def worker_with_id_number(self, lookup_hash: str) -> Worker | None:
        query = (
            select(Worker)
            .where(Worker.id_number_hash == lookup_hash)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        return self.session.scalar(query)

    def open_employment(self, worker_id: str) -> WorkerEmployment | None:
        return self.session.scalar(
            select(WorkerEmployment)
            .where(WorkerEmployment.worker_id == worker_id, WorkerEmployment.left_on.is_(None))
            .order_by(WorkerEmployment.id.desc())
            .limit(1)
        )

    def import_job(self, job_id: str) -> ImportJob | None:
        return self.session.get(ImportJob, job_id)

    def known_workers(self, lookup_hashes: Sequence[str]) -> dict[str, KnownWorker]:
        known: dict[str, KnownWorker] = {}
        columns = (Worker.id_number_hash, Worker.id, Worker.active, Worker.enterprise_id)
        for start in range(0, len(lookup_hashes), LOOKUP_CHUNK):
            chunk = lookup_hashes[start : start + LOOKUP_CHUNK]
            query = select(*columns).where(Worker.id_number_hash.in_(chunk))
            for lookup, *person in self.session.execute(query):
                known[lookup] = KnownWorker(*person)
        return known

    def hire_many(
        self, new: Sequence[Mapping[str, Any]], rehired: Sequence[Mapping[str, Any]]
    ) -> None:
        """One INSERT (an executemany) per table, one bulk UPDATE for people hired again; the
        union counts moved once by the batch's sums and the names' characters written (bulk
        statements are not flushed)."""
        add_to_union_counts(self.session, self._hiring_tally(new, rehired))
        new = [{"registered_at": utc_now(), **hire} for hire in new]  # the characters' order
        if new:
            self.session.execute(insert(Worker), new)
        if rehired:
            self.session.execute(update(Worker), list(rehired))
        self._index_names(new, rehired)
        employments = [
            {"worker_id": w["id"], "enterprise_id": w["enterprise_id"], "hired_on": w["hired_on"]}
            for w in (*new, *rehired)
        ]
        if employments:
            self.session.execute(insert(WorkerEmployment), employments)

    def _index_names(
        self, new: Sequence[Mapping[str, Any]], rehired: Sequence[Mapping[str, Any]]
    ) -> None:
        ids = [hire["id"] for hire in rehired]
        registered: dict[str, Any] = {}
        for start in range(0, len(ids), LOOKUP_CHUNK):
            query = select(Worker.id, Worker.registered_at).where(
                Worker.id.in_(ids[start : start + LOOKUP_CHUNK])
            )
            registered.update(self.session.execute(query).tuples().all())
        forget_names(self.session, ids)
        names = [(hire["id"], hire["registered_at"], hire["name"]) for hire in new]
        names += [(hire["id"], registered[hire["id"]], hire["name"]) for hire in rehired]
        index_names(self.session, names)

    def _hiring_tally(
        self, new: Sequence[Mapping[str, Any]], rehired: Sequence[Mapping[str, Any]]
    ) -> Tally:
        """What the hires add: each worker in their new enterprise's county; a person hired
        again is no longer a former worker of the county they left."""
        regions: dict[str, str] = {}
        tally: Tally = Counter()
        for hire in (*new, *rehired):
            enterprise_id = hire["enterprise_id"]
            if enterprise_id not in regions:
                regions[enterprise_id] = self.session.get_one(Enterprise, enterprise_id).region_code
            tally.update(
                worker_tally(
                    regions[enterprise_id], True, hire["is_union_member"], hire["is_migrant"]
                )
            )
        ids = [hire["id"] for hire in rehired]
        for start in range(0, len(ids), LOOKUP_CHUNK):
            query = (
                select(Enterprise.region_code, func.count())
                .join(Worker, Worker.enterprise_id == Enterprise.id)
                .where(Worker.id.in_(ids[start : start + LOOKUP_CHUNK]))
                .group_by(Enterprise.region_code)
            )
            for region_code, count in self.session.execute(query):
                tally.update(worker_tally(region_code, False, False, False, times=-count))
        return tally

    def keep_highest_level(self, worker_id: str, occupation_code: str, level: int) -> None:
        """An upsert keeping the smaller level: idempotent and order-tolerant, as replay needs."""
        table = WorkerSkill.__table__
        statement = upsert(self.session, table).values(
            worker_id=worker_id, occupation_code=occupation_code, level=level
        )
        higher = case(
            (statement.excluded.level < table.c.level, statement.excluded.level),
            else_=table.c.level,
        )
        self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.worker_id, table.c.occupation_code],
                set_={"level": higher},
            )
        )

    def regions(self) -> list[tuple[str, str, str]]:
        query = select(Region.code, Region.name, Region.level)
        return [(code, name, level) for code, name, level in self.session.execute(query)]

    def known_enterprises(self, usccs: Sequence[str]) -> dict[str, dict[str, Any]]:
        known: dict[str, dict[str, Any]] = {}
        for start in range(0, len(usccs), LOOKUP_CHUNK):
            query = select(Enterprise.__table__).where(
                Enterprise.uscc.in_(usccs[start : start + LOOKUP_CHUNK])
            )
            known.update((row["uscc"], dict(row)) for row in self.session.execute(query).mappings())
        return known

    def register_many(self, enterprises: Sequence[Mapping[str, Any]]) -> None:
        """One INSERT (an executemany) of the table's columns, past the ORM's objects, and the
        union counts moved once by the batch's sums (bulk statements are not flushed)."""
        tally: Tally = Counter()
        for enterprise in enterprises:
            tally.update(enterprise_tally(enterprise["region_code"], True, enterprise["has_union"]))
        add_to_union_counts(self.session, tally)
        if enterprises:
            self.session.execute(insert(Enterprise.__table__), list(enterprises))


def _get(session: Session, model: type[Record], key: str, lock: bool) -> Any:
    """A row by its key; locked, it is read again ``FOR NO KEY UPDATE`` (rows referring to it
    may still be written), whatever the session held of it (a view's earlier look)."""
    if not lock:
        return session.get(model, key)
    return session.get(model, key, with_for_update={"key_share": True}, populate_existing=True)
