"""The union counts, kept as the facts change: one row per county (``UnionCount``).

Every change to an enterprise or a worker moves the counts in its own transaction, in one of
two ways, and both end in :func:`add_to_union_counts`:

- a change made through the session's objects (a registration, a correction, a transfer, a
  leaving, a deregistration: whatever a handler sets) is counted as the session flushes it,
  from each object's previous and new values (:func:`_count_flushed`), so no handler has to
  remember it;
- a bulk statement (an import's batch) bypasses the objects, so whoever writes one adds its
  sums once: ``SqlRepository.hire_many`` does for workers, and an import of enterprises calls
  :func:`add_to_union_counts` with :func:`enterprise_tally` of each row (or their sum).

:func:`reconcile` counts the same from the tables (:func:`recount`) and corrects any drift: the
registry's job ``reconcile-counts`` runs it daily, ``jiangong reconcile registry`` on demand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import case, event, func, inspect, select, update
from sqlalchemy.orm import Session, UOWTransaction

from services.registry.adapters.orm import Enterprise, Region, UnionCount, Worker, db

COUNTED = tuple(column.name for column in UnionCount.__table__.columns if not column.primary_key)
Tally = Counter[tuple[str, str]]
"""Changes to the counts, by ``(county code, counted)``."""


def county_of(region_code: str) -> str:
    return region_code[:6]


def enterprise_tally(region_code: str, active: bool, has_union: bool, times: int = 1) -> Tally:
    """What an enterprise adds to the counts (``times=-1``: what it takes away)."""
    if not active:
        return Counter()
    county = county_of(region_code)
    return Counter(
        {(county, "enterprises"): times, (county, "enterprises_with_union"): times * has_union}
    )


def worker_tally(
    region_code: str, active: bool, is_union_member: bool, is_migrant: bool, times: int = 1
) -> Tally:
    """What a worker adds to the counts of the county of ``region_code`` (their enterprise's)."""
    county = county_of(region_code)
    if not active:
        return Counter({(county, "former_workers"): times})
    return Counter(
        {
            (county, "workers"): times,
            (county, "union_members"): times * is_union_member,
            (county, "migrant_workers"): times * is_migrant,
        }
    )


def add_to_union_counts(session: Session, tally: Mapping[tuple[str, str], int]) -> None:
    """Move the counts by ``tally``, in the session's transaction: one UPDATE per county, in
    the counties' order, so two transactions never wait on each other's rows crosswise."""
    table = UnionCount.__table__
    by_county: dict[str, dict[str, int]] = {}
    for (county, counted), change in tally.items():
        if change:
            by_county.setdefault(county, {})[counted] = change
    for county in sorted(by_county):
        changes = by_county[county]
        moved = session.execute(
            update(table)
            .where(table.c.county_code == county)
            .values({name: table.c[name] + change for name, change in changes.items()})
        )
        if moved.rowcount == 0:  # type: ignore[attr-defined]
            values = {**dict.fromkeys(COUNTED, 0), **changes}
            session.execute(table.insert().values(county_code=county, **values))


def counts_by_county(session: Session) -> dict[str, dict[str, int]]:
    """The kept counts, by county code."""
    rows = session.execute(select(UnionCount.__table__)).mappings()
    return {row["county_code"]: {name: int(row[name]) for name in COUNTED} for row in rows}


def recount(session: Session) -> dict[str, dict[str, int]]:
    """The same counts from the tables: a scan of every enterprise and worker (every county
    has its counts, even none)."""
    counts: dict[str, dict[str, int]] = {}
    for code in session.scalars(select(Region.code).where(Region.level == "county")):
        _counts(counts, code)
    county = func.substr(Enterprise.region_code, 1, 6).label("county")
    enterprises = (
        select(county, func.count(), _count_true(Enterprise.has_union))
        .where(Enterprise.active.is_(True))
        .group_by(county)
    )
    for code, count, with_union in session.execute(enterprises):
        _counts(counts, code).update(enterprises=count, enterprises_with_union=int(with_union or 0))
    workers = (
        select(
            county,
            _count_true(Worker.active),
            _count_true(Worker.active & Worker.is_union_member),
            _count_true(Worker.active & Worker.is_migrant),
            _count_true(~Worker.active),
        )
        .join(Enterprise, Worker.enterprise_id == Enterprise.id)
        .group_by(county)
    )
    for code, active, members, migrants, former in session.execute(workers):
        _counts(counts, code).update(
            workers=int(active or 0),
            union_members=int(members or 0),
            migrant_workers=int(migrants or 0),
            former_workers=int(former or 0),
        )
    return counts


class Drift(NamedTuple):
    """A kept count that differed from its recount."""

    county_code: str
    counted: str
    kept: int
    recounted: int


def reconcile(session: Session) -> list[Drift]:
    """Recount from the tables and correct every kept count that drifted; returns the drift
    found. The kept counts are locked first (``FOR UPDATE``; on SQLite the job's transaction
    holds the write lock), so a write waits until the correction commits and none is lost."""
    session.execute(select(UnionCount.county_code).with_for_update()).all()
    kept, counted = counts_by_county(session), recount(session)
    drifts = [
        Drift(county, name, kept.get(county, {}).get(name, 0), counted.get(county, {}).get(name, 0))
        for county in sorted(set(kept) | set(counted))
        for name in COUNTED
    ]
    drifts = [drift for drift in drifts if drift.kept != drift.recounted]
    add_to_union_counts(
        session, Counter({(d.county_code, d.counted): d.recounted - d.kept for d in drifts})
    )
    return drifts


def _counts(counts: dict[str, dict[str, int]], county: str) -> dict[str, int]:
    return counts.setdefault(county, dict.fromkeys(COUNTED, 0))


def _count_true(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


# -- what a flush moves ------------------------------------------------------------------------


@event.listens_for(db.session, "before_flush")
def _count_flushed(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    tally: Tally = Counter()
    with session.no_autoflush:
        for record in (*session.new, *session.dirty, *session.deleted):
            if isinstance(record, Enterprise):
                tally.update(_enterprise_moves(session, record))
            elif isinstance(record, Worker):
                tally.update(_worker_moves(session, record))
    add_to_union_counts(session, tally)


def _enterprise_moves(session: Session, enterprise: Enterprise) -> Tally:
    before, after = _states(session, enterprise, ("region_code", "active", "has_union"))
    tally: Tally = Counter()
    for state, times in ((before, -1), (after, 1)):
        if state is not None:
            region_code, active, has_union = state
            tally.update(enterprise_tally(region_code, active, has_union, times))
    if before is not None and after is not None and county_of(before[0]) != county_of(after[0]):
        tally.update(_workers_moved(session, enterprise.id, before[0], after[0]))
    return tally


def _workers_moved(session: Session, enterprise_id: str, old: str, new: str) -> Tally:
    """An enterprise moved to another county takes its workers' counts with it (as they stand
    in the database; a worker changed in the same flush is counted from there)."""
    query = select(Worker.active, Worker.is_union_member, Worker.is_migrant, func.count()).where(
        Worker.enterprise_id == enterprise_id
    )
    tally: Tally = Counter()
    for active, member, migrant, count in session.execute(
        query.group_by(Worker.active, Worker.is_union_member, Worker.is_migrant)
    ):
        tally.update(worker_tally(old, active, member, migrant, times=-count))
        tally.update(worker_tally(new, active, member, migrant, times=count))
    return tally


def _worker_moves(session: Session, worker: Worker) -> Tally:
    before, after = _states(
        session, worker, ("enterprise_id", "active", "is_union_member", "is_migrant")
    )
    tally: Tally = Counter()
    for state, times in ((before, -1), (after, 1)):
        if state is not None:
            enterprise_id, active, member, migrant = state
            region_code = _region_of(session, enterprise_id)
            tally.update(worker_tally(region_code, active, member, migrant, times))
    return tally


def _region_of(session: Session, enterprise_id: str) -> str:
    enterprise = session.get(Enterprise, enterprise_id)
    assert enterprise is not None, "a worker's enterprise is never deleted"
    return enterprise.region_code


def _states(
    session: Session, record: Any, names: Sequence[str]
) -> tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]:
    """The record's counted values before this flush and after it (``None``: it was not there
    before, or is not there after)."""
    state = inspect(record)
    before = None if state.pending else tuple(_previous(state, record, name) for name in names)
    after = None if record in session.deleted else tuple(getattr(record, n) for n in names)
    return before, after


def _previous(state: Any, record: Any, name: str) -> Any:
    history = state.attrs[name].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else getattr(record, name)
