"""Regions and enterprises: add a region, register, correct and deregister an enterprise."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from services.registry.adapters.orm import Enterprise, Region, new_id
from services.registry.adapters.repository import Repository
from services.registry.commands import (
    AddRegion,
    DeregisterEnterprise,
    RegisterEnterprise,
    UpdateEnterprise,
)
from services.registry.domain.enterprises import (
    check_may_deregister,
    check_region_free,
    check_uscc_free,
    known_region,
    open_enterprise,
)
from services.registry.domain.rules import (
    check_enterprise_region,
    check_new_region,
    check_union_founding,
)
from services.registry.events import (
    ENTERPRISE_DEREGISTERED,
    ENTERPRISE_REGISTERED,
    ENTERPRISE_UPDATED,
    enterprise_data,
)
from shared.handling import Context


def add_region(ctx: Context, command: AddRegion, repository: Repository) -> Region:
    parent = repository.region(command.parent_code)
    level = check_new_region(command.code, command.parent_code, parent.level if parent else None)
    check_region_free(repository.region(command.code))
    region = Region(
        code=command.code, name=command.name, level=level, parent_code=command.parent_code
    )
    repository.add(region)
    return region


def register_enterprise(
    ctx: Context, command: RegisterEnterprise, repository: Repository
) -> Enterprise:
    region = region_of(repository, command.region_code)
    check_enterprise_region(region.code, region.level)
    check_union_founding(command.has_union, command.union_founded_on, ctx.today)
    check_uscc_free(repository.enterprise_id_with_uscc(command.uscc))
    enterprise = Enterprise(id=new_id(), active=True, **asdict(command))
    repository.add(enterprise)
    ctx.outbox.add(ctx.session, ENTERPRISE_REGISTERED, enterprise.id, enterprise_data(enterprise))
    return enterprise


def update_enterprise(
    ctx: Context, command: UpdateEnterprise, repository: Repository
) -> Enterprise:
    enterprise = active_enterprise(repository, command.enterprise_id, lock=True)
    changes = dict(command.changes)
    if "region_code" in changes:
        region = region_of(repository, changes["region_code"])
        check_enterprise_region(region.code, region.level)
    if changes.get("has_union") is False and "union_founded_on" not in changes:
        changes["union_founded_on"] = None  # no union, no founding date
    check_union_founding(
        changes.get("has_union", enterprise.has_union),
        changes.get("union_founded_on", enterprise.union_founded_on),
        ctx.today,
    )
    if apply_changes(enterprise, changes):
        ctx.outbox.add(ctx.session, ENTERPRISE_UPDATED, enterprise.id, enterprise_data(enterprise))
    return enterprise


def deregister_enterprise(
    ctx: Context, command: DeregisterEnterprise, repository: Repository
) -> Enterprise:
    enterprise = active_enterprise(repository, command.enterprise_id, lock=True)
    count = repository.active_worker_count(enterprise.id)
    check_may_deregister(count, command.deregistered_on, ctx.today)
    enterprise.active = False
    enterprise.deregistered_on = command.deregistered_on or ctx.today
    ctx.outbox.add(ctx.session, ENTERPRISE_DEREGISTERED, enterprise.id, enterprise_data(enterprise))
    return enterprise


# -- what the handlers load, or the domain's refusal when they cannot --------------------------


def region_of(repository: Repository, code: str) -> Region:
    return known_region(repository.region(code), code)


def active_enterprise(repository: Repository, enterprise_id: str, lock: bool = False) -> Enterprise:
    """The active enterprise, or the refusal; a change locks it first (see ``worker_of``)."""
    return open_enterprise(repository.enterprise(enterprise_id, lock))


def apply_changes(record: object, changes: Mapping[str, Any]) -> bool:
    """Set the values that differ; whether any did (an unchanged record sends no event)."""
    changed = {key: value for key, value in changes.items() if getattr(record, key) != value}
    for key, value in changed.items():
        setattr(record, key, value)
    return bool(changed)
