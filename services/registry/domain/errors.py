"""What the registry refuses, one exception per rule; the API maps each family to one status.

The first line of each docstring is the problem's title; the message is its detail, fit to show
the clerk who sent the request. A ``field`` names the request field at fault. Messages never
contain a name or an ID number.
"""

from __future__ import annotations


class RegistryError(Exception):
    """A registry rule was broken"""

    field: str | None = None

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field


# -- 422: a value breaks a rule ------------------------------------------------------------------


class InvalidValue(RegistryError):
    """A value breaks a registry rule"""


class UnknownRegion(InvalidValue):
    """Unknown region"""

    field = "region_code"


class InvalidWorker(InvalidValue):
    """The worker's details break registry rules"""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(
            "Invalid " + ", ".join(sorted(errors)) + ".", field=next(iter(sorted(errors)))
        )
        self.errors = errors


# -- 404: not there (or not the caller's to see) ---------------------------------------------


class NotFound(RegistryError):
    """Not found"""


class EnterpriseNotFound(NotFound):
    """Enterprise not found"""

    def __init__(self) -> None:
        super().__init__("No enterprise with that id.")


class WorkerNotFound(NotFound):
    """Worker not found"""

    def __init__(self) -> None:
        super().__init__("No worker with that id.")


# -- 409: the current state does not allow it --------------------------------------------------


class Conflict(RegistryError):
    """The request conflicts with the registry's current state"""


class DuplicateUscc(Conflict):
    """Credit code already registered"""

    field = "uscc"

    def __init__(self, existing_id: str) -> None:
        super().__init__(
            f"An enterprise with this unified social credit code is already registered: "
            f"{existing_id}."
        )
        self.existing_id = existing_id


class WorkerActiveElsewhere(Conflict):
    """Worker already active"""

    field = "id_number"


class EnterpriseHasActiveWorkers(Conflict):
    """Enterprise still has active workers"""

    def __init__(self, count: int) -> None:
        noun = "worker" if count == 1 else "workers"
        super().__init__(
            f"The enterprise still has {count} active {noun}; "
            "record that they left or transfer them first."
        )
        self.count = count


class EnterpriseDeregistered(Conflict):
    """Enterprise deregistered"""


class WorkerHasLeft(Conflict):
    """Worker has left"""


class ConcurrentChange(Conflict):
    """Changed at the same time"""

    def __init__(self) -> None:
        super().__init__(
            "Another request changed the same records at the same time; nothing was saved. "
            "Try again."
        )


# -- spreadsheets ---------------------------------------------------------------------------


class UnsupportedFile(RegistryError):
    """Not a CSV or XLSX file"""

    field = "file"


class UnusableSpreadsheet(InvalidValue):
    """The spreadsheet cannot be imported"""

    field = "file"


class MissingColumns(UnusableSpreadsheet):
    """Required columns are missing"""

    def __init__(self, columns: list[str]) -> None:
        super().__init__(
            "The header row (row 1) lacks the required column"
            + ("s " if len(columns) > 1 else " ")
            + ", ".join(columns)
            + "."
        )
        self.columns = columns
