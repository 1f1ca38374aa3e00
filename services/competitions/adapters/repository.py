"""The service's own records: the :class:`Repository` port the command handlers read and write
through, its SQL implementation over a session, and rows turned into domain objects.

Handlers never touch the session themselves: everything they load or store goes through a
``Repository``, so that their unit tests give them an in-memory one (no database). The views
read with the functions below (:func:`get_competition`, :func:`get_entry`) directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.competitions.adapters.orm import (
    CompetitionRow,
    EntryRow,
    EntryWorkerRow,
    JudgeRow,
    ScoresheetRow,
)
from services.competitions.adapters.read_tables import EnterpriseReplica, WorkerReplica
from services.competitions.domain import errors
from services.competitions.domain.model import Award, Competition, Criterion, Status, WorkerView
from shared.clock import maybe_utc
from shared.errors import NotFound

REGISTERED, WITHDRAWN = "registered", "withdrawn"
Lock = Literal["", "update", "share"]
Marks = dict[str, dict[str, dict[str, float]]]
"""``marks[entry_id][judge_id][criterion_code]``."""


class Repository(Protocol):
    """What the command handlers load and store (the port; :class:`SqlRepository` is the
    adapter, the unit tests have an in-memory one)."""

    def competition(self, competition_id: str, lock: Lock = "") -> CompetitionRow:
        """The competition, or :class:`NotFound`; ``lock`` holds it to the transaction's end."""
        ...

    def judge(self, competition_id: str, judge_id: str) -> JudgeRow | None: ...

    def judge_ids(self, competition_id: str) -> list[str]:
        """The judges assigned to the competition."""
        ...

    def judge_marked(self, competition_id: str, judge_id: str) -> int:
        """How many entries of the competition the judge has marks for."""
        ...

    def enterprise(self, enterprise_id: str) -> EnterpriseReplica | None: ...

    def region_seen(self, region_code: str) -> bool:
        """Whether an enterprise the registry announced (active or not) lies in that region or
        below it: its ``region_code`` is the code or starts with it."""
        ...

    def workers(self, ids: Iterable[str]) -> dict[str, WorkerView]:
        """The replicas of those workers the registry has told us about."""
        ...

    def entered(self, competition_id: str, ids: Iterable[str]) -> set[str]:
        """Those of the workers already in a registered entry of the competition."""
        ...

    def entry_count(self, competition_id: str, enterprise_id: str) -> int:
        """The enterprise's registered entries in the competition."""
        ...

    def entry(
        self,
        competition_id: str,
        entry_id: str,
        enterprise_id: str | None = None,
        registered: bool = False,
        lock: bool = False,
    ) -> EntryRow | None:
        """See :func:`find_entry`; ``lock`` holds the entry's row to the transaction's end."""
        ...

    def registered_entries(self, competition_id: str) -> dict[str, EntryRow]: ...

    def marks(self, competition_id: str) -> Marks:
        """Every judge's current marks for the competition's entries."""
        ...

    def scoresheet(self, entry_id: str, judge_id: str) -> ScoresheetRow | None: ...

    def add(self, *rows: object) -> None:
        """Rows to store, written now (a refused one raises here, not at the commit); adding
        one already stored changes nothing."""
        ...

    def remove(self, row: object) -> None:
        """A stored row deleted now."""
        ...

    def add_entry(self, entry: EntryRow) -> None:
        """A new entry with its workers; :class:`~.errors.WorkerAlreadyEntered` if one of them
        was entered meanwhile (by a concurrent request)."""
        ...

    def release_workers(self, entry: EntryRow) -> None:
        """The entry's workers may be entered again (it was withdrawn)."""
        ...


class SqlRepository:
    """:class:`Repository` over the transaction's session."""

    def __init__(self, session: Session):
        self.session = session

    def competition(self, competition_id: str, lock: Lock = "") -> CompetitionRow:
        return get_competition(self.session, competition_id, lock)

    def judge(self, competition_id: str, judge_id: str) -> JudgeRow | None:
        return self.session.get(JudgeRow, (competition_id, judge_id))

    def judge_ids(self, competition_id: str) -> list[str]:
        query = select(JudgeRow.judge_id).where(JudgeRow.competition_id == competition_id)
        return list(self.session.scalars(query.order_by(JudgeRow.judge_id)))

    def judge_marked(self, competition_id: str, judge_id: str) -> int:
        query = select(func.count()).where(
            ScoresheetRow.competition_id == competition_id, ScoresheetRow.judge_id == judge_id
        )
        return self.session.scalar(query) or 0

    def enterprise(self, enterprise_id: str) -> EnterpriseReplica | None:
        return self.session.get(EnterpriseReplica, enterprise_id)

    def region_seen(self, region_code: str) -> bool:
        below = EnterpriseReplica.region_code.startswith(region_code, autoescape=True)
        return bool(self.session.scalar(select(exists().where(below))))

    def workers(self, ids: Iterable[str]) -> dict[str, WorkerView]:
        replicas = self.session.scalars(select(WorkerReplica).where(WorkerReplica.id.in_(ids)))
        return {w.id: WorkerView(w.id, w.enterprise_id or "", w.active) for w in replicas}

    def entered(self, competition_id: str, ids: Iterable[str]) -> set[str]:
        query = select(EntryWorkerRow.worker_id).where(
            EntryWorkerRow.competition_id == competition_id, EntryWorkerRow.worker_id.in_(ids)
        )
        return set(self.session.scalars(query))

    def entry_count(self, competition_id: str, enterprise_id: str) -> int:
        query = select(func.count()).where(
            EntryRow.competition_id == competition_id,
            EntryRow.enterprise_id == enterprise_id,
            EntryRow.status == REGISTERED,
        )
        return self.session.scalar(query) or 0

    def entry(
        self,
        competition_id: str,
        entry_id: str,
        enterprise_id: str | None = None,
        registered: bool = False,
        lock: bool = False,
    ) -> EntryRow | None:
        if lock:  # FOR NO KEY UPDATE: rows referring to the entry may still be written
            self.session.get(
                EntryRow, entry_id, with_for_update={"key_share": True}, populate_existing=True
            )
        return find_entry(self.session, competition_id, entry_id, enterprise_id, registered)

    def registered_entries(self, competition_id: str) -> dict[str, EntryRow]:
        query = select(EntryRow).where(
            EntryRow.competition_id == competition_id, EntryRow.status == REGISTERED
        )
        return {entry.id: entry for entry in self.session.scalars(query)}

    def marks(self, competition_id: str) -> Marks:
        marks: Marks = defaultdict(dict)
        query = select(ScoresheetRow).where(ScoresheetRow.competition_id == competition_id)
        for sheet in self.session.scalars(query):
            marks[sheet.entry_id][sheet.judge_id] = sheet.marks
        return dict(marks)

    def scoresheet(self, entry_id: str, judge_id: str) -> ScoresheetRow | None:
        return self.session.get(ScoresheetRow, (entry_id, judge_id))

    def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def remove(self, row: object) -> None:
        self.session.delete(row)
        self.session.flush()

    def add_entry(self, entry: EntryRow) -> None:
        """A worker entered by a concurrent request meanwhile is caught by the primary key of
        ``entry_workers``."""
        try:
            with self.session.begin_nested():
                self.session.add(entry)
                self.session.flush()
                self.session.add_all(
                    EntryWorkerRow(
                        competition_id=entry.competition_id,
                        worker_id=worker_id,
                        entry_id=entry.id,
                        enterprise_id=entry.enterprise_id,
                    )
                    for worker_id in entry.worker_ids
                )
                self.session.flush()
        except IntegrityError as error:
            raise errors.WorkerAlreadyEntered(
                "A worker of this entry was entered meanwhile."
            ) from error

    def release_workers(self, entry: EntryRow) -> None:
        self.session.execute(delete(EntryWorkerRow).where(EntryWorkerRow.entry_id == entry.id))


# -- reads the views and the jobs share -----------------------------------------------------


def get_competition(session: Session, competition_id: str, lock: Lock = "") -> CompetitionRow:
    """The competition; ``lock`` ("update" or "share") holds its row until the transaction
    ends (PostgreSQL; SQLite serialises writers anyway)."""
    query = select(CompetitionRow).where(CompetitionRow.id == competition_id)
    if lock:
        query = query.with_for_update(read=lock == "share")
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound.of("competition")
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
    if entry is None or not is_entry_of(entry, competition_id, enterprise_id, registered):
        return None
    return entry


def is_entry_of(
    entry: EntryRow, competition_id: str, enterprise_id: str | None, registered: bool
) -> bool:
    return (
        entry.competition_id == competition_id
        and (enterprise_id is None or entry.enterprise_id == enterprise_id)
        and (not registered or entry.status == REGISTERED)
    )


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
        raise NotFound.of("entry")
    return entry


def due_to_close(session: Session, now: datetime) -> list[str]:
    """The open competitions whose registration deadline has passed."""
    query = select(CompetitionRow.id).where(
        CompetitionRow.status == Status.OPEN.value,
        CompetitionRow.registration_closes_at <= now,
    )
    return list(session.scalars(query))


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
        registration_closes_at=maybe_utc(row.registration_closes_at),
        freeze_at=maybe_utc(row.freeze_at),
        status=row.status,  # type: ignore[arg-type]
        tie_breaks=tuple(row.tie_breaks),
        region_code=row.region_code,
    )
