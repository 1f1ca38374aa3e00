"""Regions and enterprises: register, correct, deregister."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.registry.adapters.orm import Enterprise, Region, Worker, new_id
from services.registry.domain.errors import (
    DuplicateUscc,
    EnterpriseDeregistered,
    EnterpriseHasActiveWorkers,
    EnterpriseNotFound,
    InvalidValue,
    UnknownRegion,
)
from services.registry.domain.rules import (
    check_enterprise_region,
    check_new_region,
    check_not_future,
    check_union_founding,
)
from services.registry.events import (
    ENTERPRISE_DEREGISTERED,
    ENTERPRISE_REGISTERED,
    ENTERPRISE_UPDATED,
    enterprise_data,
)
from shared.outbox import Outbox


def add_region(session: Session, code: str, name: str, parent_code: str) -> Region:
    parent = session.get(Region, parent_code)
    level = check_new_region(code, parent_code, parent.level if parent else None)
    if session.get(Region, code) is not None:
        raise InvalidValue("A region with this code exists already.", field="code")
    region = Region(code=code, name=name, level=level, parent_code=parent_code)
    session.add(region)
    return region


def region_of(session: Session, code: str) -> Region:
    region = session.get(Region, code)
    if region is None:
        raise UnknownRegion(f"{code} is not a region of Jiaxing known to the registry.")
    return region


def register_enterprise(
    session: Session, outbox: Outbox, details: Mapping[str, Any], today: date
) -> Enterprise:
    check_enterprise_region(
        details["region_code"], region_of(session, details["region_code"]).level
    )
    check_union_founding(details["has_union"], details.get("union_founded_on"), today)
    existing = session.scalar(select(Enterprise.id).where(Enterprise.uscc == details["uscc"]))
    if existing is not None:
        raise DuplicateUscc(existing)
    enterprise = Enterprise(id=new_id(), active=True, **details)
    session.add(enterprise)
    session.flush()
    outbox.add(session, ENTERPRISE_REGISTERED, enterprise.id, enterprise_data(enterprise))
    return enterprise


def active_enterprise(session: Session, enterprise_id: str) -> Enterprise:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise EnterpriseNotFound()
    if not enterprise.active:
        raise EnterpriseDeregistered("The enterprise is deregistered; its records are closed.")
    return enterprise


def update_enterprise(
    session: Session, outbox: Outbox, enterprise_id: str, changes: Mapping[str, Any], today: date
) -> Enterprise:
    enterprise = active_enterprise(session, enterprise_id)
    changes = dict(changes)
    if "region_code" in changes:
        region = region_of(session, changes["region_code"])
        check_enterprise_region(region.code, region.level)
    if changes.get("has_union") is False and "union_founded_on" not in changes:
        changes["union_founded_on"] = None  # no union, no founding date
    check_union_founding(
        changes.get("has_union", enterprise.has_union),
        changes.get("union_founded_on", enterprise.union_founded_on),
        today,
    )
    changed = {k: v for k, v in changes.items() if getattr(enterprise, k) != v}
    for key, value in changed.items():
        setattr(enterprise, key, value)
    if changed:
        session.flush()
        outbox.add(session, ENTERPRISE_UPDATED, enterprise.id, enterprise_data(enterprise))
    return enterprise


def active_worker_count(session: Session, enterprise_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Worker)
            .where(Worker.enterprise_id == enterprise_id, Worker.active.is_(True))
        )
        or 0
    )


def deregister_enterprise(
    session: Session, outbox: Outbox, enterprise_id: str, on: date | None, today: date
) -> Enterprise:
    enterprise = active_enterprise(session, enterprise_id)
    count = active_worker_count(session, enterprise_id)
    if count:
        raise EnterpriseHasActiveWorkers(count)
    check_not_future(on, today, "deregistered_on")
    enterprise.active = False
    enterprise.deregistered_on = on or today
    session.flush()
    outbox.add(session, ENTERPRISE_DEREGISTERED, enterprise.id, enterprise_data(enterprise))
    return enterprise
