"""What the registry answers without changing anything: lists, skill levels, union statistics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session, aliased

from services.registry.adapters.orm import (
    Enterprise,
    IdNumberAudit,
    Region,
    Worker,
    WorkerNameCharacter,
    WorkerSkill,
)
from services.registry.adapters.union_counts import counts_by_county
from services.registry.domain.errors import UnknownRegion
from services.registry.domain.rules import rate


def enterprises_query(session: Session, filters: Mapping[str, Any]) -> Select[Any]:
    """Enterprises matching the filters; a region includes the towns and villages below it."""
    query = select(Enterprise).order_by(Enterprise.registered_at, Enterprise.id)
    if filters.get("region_code"):
        region = session.get(Region, filters["region_code"])
        if region is None:
            raise UnknownRegion(filters["region_code"])
        if region.level != "city":  # codes below a county start with the county's code
            query = query.where(Enterprise.region_code.startswith(region.code, autoescape=True))
    for name in ("has_union", "above_designated_size", "ownership", "active"):
        if filters.get(name) is not None:
            query = query.where(getattr(Enterprise, name) == filters[name])
    if filters.get("only_id") is not None:
        query = query.where(Enterprise.id == filters["only_id"])
    if filters.get("q"):
        text = filters["q"]
        query = query.where(
            or_(
                Enterprise.name.icontains(text, autoescape=True),
                Enterprise.uscc.startswith(text.upper(), autoescape=True),
            )
        )
    return query


def workers_query(
    enterprise_id: str | None,
    active: bool | None,
    name: str | None = None,
    id_number_hash: str | None = None,
) -> Select[Any]:
    """Workers, of one enterprise or (``None``) of all; by a name fragment, or by the keyed
    hash of a full ID number (the number itself is never asked for: it is not stored)."""
    query = select(Worker)
    if enterprise_id is not None:
        query = query.where(Worker.enterprise_id == enterprise_id)
    if active is not None:
        query = query.where(Worker.active.is_(active))
    if id_number_hash is not None:
        query = query.where(Worker.id_number_hash == id_number_hash)
    if name:
        return _with_name_fragment(query, name)
    return query.order_by(Worker.registered_at, Worker.id)


def _with_name_fragment(query: Select[Any], name: str) -> Select[Any]:
    """Workers whose name holds ``name``: those with its first character (``name_characters``),
    in the list's order (registration, then id), that also have each of its other characters
    (asked of the same index before the worker's row is read), then the whole fragment checked
    on each one's name."""
    first, *others = dict.fromkeys(c for c in name.lower() if not c.isspace())
    found = aliased(WorkerNameCharacter)
    query = query.join(found, found.worker_id == Worker.id).where(found.character == first)
    for character in others:
        also = aliased(WorkerNameCharacter)
        query = query.where(
            exists().where(
                also.character == character,
                also.registered_at == found.registered_at,
                also.worker_id == found.worker_id,
            )
        )
    return query.where(Worker.name.icontains(name, autoescape=True)).order_by(
        found.registered_at, found.worker_id
    )


def kept_worker_total(
    session: Session, enterprise_id: str | None, active: bool | None, q: object
) -> int | None:
    """The total of every enterprise's workers, unsearched, from the union counts (current
    workers, former ones, or both); ``None`` where they cannot say (a search, one enterprise)."""
    if enterprise_id is not None or q:
        return None
    kept = counts_by_county(session).values()
    current = sum(counts["workers"] for counts in kept)
    former = sum(counts["former_workers"] for counts in kept)
    return {True: current, False: former, None: current + former}[active]


def audit_query(worker_id: str | None) -> Select[Any]:
    """The audited reads of full ID numbers, newest first."""
    query = select(IdNumberAudit)
    if worker_id is not None:
        query = query.where(IdNumberAudit.worker_id == worker_id)
    return query.order_by(IdNumberAudit.viewed_at.desc(), IdNumberAudit.id.desc())


def names_of(session: Session, worker_ids: Sequence[str]) -> dict[str, str]:
    """Workers' names by id, for answers that show a person which worker a record is about."""
    if not worker_ids:
        return {}
    query = select(Worker.id, Worker.name).where(Worker.id.in_(set(worker_ids)))
    return {worker_id: name for worker_id, name in session.execute(query)}


def skills_of(session: Session, worker_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Each worker's highest level per occupation, best first."""
    skills: dict[str, list[dict[str, Any]]] = {worker_id: [] for worker_id in worker_ids}
    if not worker_ids:
        return skills
    query = (
        select(WorkerSkill)
        .where(WorkerSkill.worker_id.in_(worker_ids))
        .order_by(WorkerSkill.level, WorkerSkill.occupation_code)
    )
    for skill in session.scalars(query):
        skills[skill.worker_id].append(
            {"occupation_code": skill.occupation_code, "level": skill.level}
        )
    return skills


COUNTS = ("enterprises", "enterprises_with_union", "workers", "union_members", "migrant_workers")


def union_statistics(session: Session) -> dict[str, Any]:
    """Union formation and membership over active enterprises and workers, by county: read
    from the counts kept as the facts change (``adapters/union_counts.py``), never a scan."""
    counties = dict(
        session.execute(
            select(Region.code, Region.name).where(Region.level == "county").order_by(Region.code)
        ).all()
    )
    kept = counts_by_county(session)
    tally = {code: {key: kept.get(code, {}).get(key, 0) for key in COUNTS} for code in counties}
    totals = {key: sum(counts[key] for counts in tally.values()) for key in COUNTS}
    by_region = [
        {"region_code": code, "name": counties[code], **_with_rates(counts)}
        for code, counts in tally.items()
    ]
    return {**_with_rates(totals), "by_region": by_region}


def _with_rates(counts: dict[str, int]) -> dict[str, Any]:
    return {
        **counts,
        "union_formation_rate": rate(counts["enterprises_with_union"], counts["enterprises"]),
        "union_membership_rate": rate(counts["union_members"], counts["workers"]),
        "migrant_share": rate(counts["migrant_workers"], counts["workers"]),
    }
