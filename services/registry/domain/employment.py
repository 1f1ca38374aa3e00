"""Who may be hired, corrected, transferred or recorded as leaving: the registry's rules about
a worker's employment, decided on the records as they stand (any object with these fields).

A worker row is a person: someone who left keeps their record, closed, and is hired again by
registering them anew; an active worker belongs to one enterprise at a time.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol, TypeVar

from services.registry.domain.enterprises import Enterprise, check_enterprise_open
from services.registry.domain.errors import (
    InvalidValue,
    WorkerActiveElsewhere,
    WorkerHasLeft,
    WorkerNotFound,
)
from services.registry.domain.rules import check_end_of_employment
from services.registry.domain.workers import already_active


class Employment(Protocol):
    """A worker as the rules read them: where they work, since when, and whether they still do."""

    enterprise_id: str
    active: bool
    hired_on: date
    left_on: date | None


W = TypeVar("W", bound=Employment)
E = TypeVar("E", bound=Enterprise)


def known_worker(worker: W | None) -> W:
    if worker is None:
        raise WorkerNotFound()
    return worker


def check_may_be_hired(person: Employment | None, enterprise_id: str, reveal: bool) -> None:
    """A person is registered unless they work somewhere now; the answer names the other
    employer only where ``reveal`` allows."""
    if person is not None and person.active:
        reason = already_active(person.enterprise_id, enterprise_id, reveal)
        raise WorkerActiveElsewhere("The person with this ID number " + reason + ".")


def check_record_open(worker: Employment) -> None:
    """A former worker's record is closed to corrections."""
    if not worker.active:
        raise WorkerHasLeft("The worker has left; a former worker's record is closed.")


def transfer_target(worker: Employment, target: E | None, on: date, today: date) -> E:
    """A worker still employed moves to another, open enterprise, on a day from their hiring
    until today; returns the enterprise they move to."""
    if not worker.active:
        raise WorkerHasLeft("The worker has left; register them again to hire them.")
    if target is None:
        raise InvalidValue("No enterprise with that id.", field="enterprise_id")
    if target.id == worker.enterprise_id:
        raise InvalidValue("The worker already works for this enterprise.", field="enterprise_id")
    check_enterprise_open(target)
    check_end_of_employment(worker.hired_on, on, today, "transferred_on")
    return target


def check_may_leave(worker: Employment, on: date, today: date) -> None:
    """A worker leaves once, on a day from their hiring until today."""
    if not worker.active:
        raise WorkerHasLeft(f"The worker left on {worker.left_on}.")
    check_end_of_employment(worker.hired_on, on, today, "left_on")
