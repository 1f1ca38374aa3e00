"""Which enterprise and region a request may use: the registry's rules about enterprises,
decided on the records as they stand (any object with these fields)."""

from __future__ import annotations

from datetime import date
from typing import Protocol, TypeVar

from services.registry.domain.errors import (
    DuplicateUscc,
    EnterpriseDeregistered,
    EnterpriseHasActiveWorkers,
    EnterpriseNotFound,
    InvalidValue,
    UnknownRegion,
)
from services.registry.domain.rules import check_not_future


class Enterprise(Protocol):
    id: str
    active: bool


E = TypeVar("E", bound=Enterprise)
R = TypeVar("R")


def open_enterprise(enterprise: E | None) -> E:
    """The enterprise, known and not deregistered: its records are closed once it is."""
    if enterprise is None:
        raise EnterpriseNotFound()
    check_enterprise_open(enterprise)
    return enterprise


def check_enterprise_open(enterprise: Enterprise) -> None:
    if not enterprise.active:
        raise EnterpriseDeregistered("The enterprise is deregistered; its records are closed.")


def check_uscc_free(registered_id: str | None) -> None:
    """One enterprise per unified social credit code; the answer names the one registered."""
    if registered_id is not None:
        raise DuplicateUscc(registered_id)


def check_may_deregister(active_workers: int, on: date | None, today: date) -> None:
    """An enterprise is deregistered once no worker is active there, not on a future day."""
    if active_workers:
        raise EnterpriseHasActiveWorkers(active_workers)
    check_not_future(on, today, "deregistered_on")


def known_region(region: R | None, code: str) -> R:
    if region is None:
        raise UnknownRegion(code)
    return region


def check_region_free(existing: object | None) -> None:
    if existing is not None:
        raise InvalidValue("A region with this code exists already.", field="code")
