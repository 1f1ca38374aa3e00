"""What callers ask of the registry: small frozen commands with imperative names.

A view, the demo loader or a consumer builds one and hands it to its handler (``HANDLERS`` in
``services.registry.handlers``) through the kernel: ``execute(command)`` in a request,
``handle(HANDLERS, ctx, command)`` in a unit of work. The values are already loaded and typed
(the API's schemas did that); the rules that need the registry's records are the handlers'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.registry.domain.workers import CheckedRow, NewWorker

# -- regions and enterprises ---------------------------------------------------------------------


@dataclass(frozen=True)
class AddRegion:
    """Add a town below a county, or a village below a town."""

    code: str
    name: str
    parent_code: str


@dataclass(frozen=True)
class RegisterEnterprise:
    uscc: str
    name: str
    region_code: str
    has_union: bool
    above_designated_size: bool
    ownership: str
    employee_count: int
    union_founded_on: date | None = None


@dataclass(frozen=True)
class ImportEnterprises:
    """Register the enterprises of a spreadsheet, its rows checked already
    (``check_enterprise_rows``). ``atomic``: create none if any row is rejected."""

    rows: Sequence[CheckedRow]
    atomic: bool = False


@dataclass(frozen=True)
class UpdateEnterprise:
    """Correct an enterprise's details: ``changes`` holds only the fields sent."""

    enterprise_id: str
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class DeregisterEnterprise:
    enterprise_id: str
    deregistered_on: date | None = None


# -- workers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterWorker:
    """Register a worker, or hire again someone who left. ``reveal_employer``: the refusal of
    someone still employed elsewhere may name that employer (an admin asks)."""

    enterprise_id: str
    new: NewWorker
    reveal_employer: bool = False


@dataclass(frozen=True)
class ImportWorkers:
    """Register the workers of a spreadsheet, its rows checked already (``check_rows``).
    ``atomic``: create none if any row is rejected."""

    enterprise_id: str
    rows: Sequence[CheckedRow]
    atomic: bool = False
    reveal_employer: bool = False


@dataclass(frozen=True)
class UpdateWorker:
    """Correct a current worker's details: ``changes`` holds only the fields sent."""

    worker_id: str
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class TransferWorker:
    worker_id: str
    enterprise_id: str
    """The enterprise the worker moves to."""
    transferred_on: date | None = None


@dataclass(frozen=True)
class RecordWorkerLeft:
    worker_id: str
    left_on: date | None = None


@dataclass(frozen=True)
class RevealIdNumber:
    """Show a worker's full ID number to ``viewer``, for ``reason``: kept in the audit."""

    worker_id: str
    viewer: str
    role: str
    reason: str


@dataclass(frozen=True)
class RecordPromotion:
    """A worker reached ``level`` in an occupation (from ``skill.promoted``)."""

    worker_id: str
    occupation_code: str
    level: int


# -- large imports, in the background --------------------------------------------------------


@dataclass(frozen=True)
class StartImportJob:
    """Record a background import of ``rows`` rows, queued; the job's id is ``job_id``. It
    imports an enterprise's workers, or (``kind``, no ``enterprise_id``) enterprises."""

    job_id: str
    enterprise_id: str | None
    rows: int
    atomic: bool
    requested_by: str
    kind: str = "workers"


@dataclass(frozen=True)
class ImportChunk:
    """Import one chunk of a background job's rows, checked already (one transaction), and
    count it."""

    job_id: str
    rows: Sequence[CheckedRow]
    reveal_employer: bool = False


@dataclass(frozen=True)
class FinishImportJob:
    """Close a background import: ``error`` set means it failed (and says why)."""

    job_id: str
    error: str | None = None
