"""What the registry refuses, one exception per rule, each on the kernel's ``DomainError``.

Each class states its ``rule`` (the problem's stable code and ``type``), its HTTP ``status``,
its ``title`` and, where one field of the request is at fault, that ``field``. The message is
the problem's detail, fit to show the clerk who sent the request; it never contains a name or
an ID number. A unique index lost to a concurrent request is the kernel's ``ConcurrentChange``.
"""

from __future__ import annotations

from shared import errors


class InvalidValue(errors.InvalidValue):
    """A value breaks a registry rule."""

    rule = "registry_invalid_value"
    title = "A value breaks a registry rule"


class UnknownRegion(InvalidValue):
    rule = "unknown_region"
    title = "Unknown region"
    field = "region_code"

    def __init__(self, code: str) -> None:
        super().__init__(f"{code} is not a region of Jiaxing known to the registry.")
        self.code = code


class InvalidWorker(InvalidValue):
    rule = "invalid_worker"
    title = "The worker's details break registry rules"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(
            "Invalid " + ", ".join(sorted(errors)) + ".",
            field=next(iter(sorted(errors))),
            errors=errors,
        )


# -- 404: not there (or not the caller's to see) ---------------------------------------------


class NotFound(errors.NotFound):
    pass


class EnterpriseNotFound(NotFound):
    rule = "enterprise_not_found"
    title = "Enterprise not found"
    default_detail = "No enterprise with that id."


class WorkerNotFound(NotFound):
    rule = "worker_not_found"
    title = "Worker not found"
    default_detail = "No worker with that id."


# -- 409: the current state does not allow it --------------------------------------------------


class Conflict(errors.Conflict):
    rule = "registry_conflict"
    title = "The request conflicts with the registry's current state"


class DuplicateUscc(Conflict):
    rule = "duplicate_uscc"
    title = "Credit code already registered"
    field = "uscc"

    def __init__(self, existing_id: str) -> None:
        super().__init__(
            f"An enterprise with this unified social credit code is already registered: "
            f"{existing_id}."
        )
        self.existing_id = existing_id


class WorkerActiveElsewhere(Conflict):
    rule = "worker_already_active"
    title = "Worker already active"
    field = "id_number"


class EnterpriseHasActiveWorkers(Conflict):
    rule = "enterprise_has_active_workers"
    title = "Enterprise still has active workers"

    def __init__(self, count: int) -> None:
        noun = "worker" if count == 1 else "workers"
        super().__init__(
            f"The enterprise still has {count} active {noun}; "
            "record that they left or transfer them first."
        )
        self.count = count


class EnterpriseDeregistered(Conflict):
    rule = "enterprise_deregistered"
    title = "Enterprise deregistered"


class WorkerHasLeft(Conflict):
    rule = "worker_has_left"
    title = "Worker has left"


# -- spreadsheets ---------------------------------------------------------------------------


class UnsupportedFile(errors.DomainError):
    """Decided by the file reader (``adapters/spreadsheet.py``), as the other spreadsheet
    refusals: what a file holds, not a rule of the registry."""

    rule = "unsupported_file"
    edge = True
    status = 415
    title = "Not a CSV or XLSX file"
    field = "file"


class UnusableSpreadsheet(InvalidValue):
    rule = "unusable_spreadsheet"
    edge = True
    title = "The spreadsheet cannot be imported"
    field = "file"


class MissingColumns(UnusableSpreadsheet):
    rule = "missing_columns"
    title = "Required columns are missing"

    def __init__(self, columns: list[str]) -> None:
        super().__init__(
            "The header row (row 1) lacks the required column"
            + ("s " if len(columns) > 1 else " ")
            + ", ".join(columns)
            + "."
        )
        self.columns = columns


class SpreadsheetOverLimit(UnusableSpreadsheet):
    """A file that would make the import do more work than any spreadsheet of workers needs:
    too many rows, a part of the workbook that unpacks too far, XML nested too deep."""

    rule = "spreadsheet_over_limit"
    title = "The spreadsheet passes a limit of the import"

    def __init__(self, limit: str, detail: str) -> None:
        super().__init__(detail)
        self.limit = limit
