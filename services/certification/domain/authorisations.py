"""An assessor's authorisation: one occupation, some levels, a period; ended once.

An authorisation covers at least one level (1 to 5), from ``valid_from`` until ``valid_until``
(inclusive; none: open-ended). Ending one on a day stops it that day; it cannot end before it
is valid from, nor end twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from shared.errors import Conflict, InvalidValue

from .levels import check_level


def authorised_levels(levels: Sequence[int], field: str) -> list[int]:
    """The levels, checked, each once, from the lowest to the highest."""
    if not levels:
        raise InvalidValue("An authorisation covers at least one level.", field=field)
    return sorted({check_level(level, field) for level in levels}, reverse=True)


def check_period(valid_from: date, valid_until: date | None, field: str) -> None:
    if valid_until is not None and valid_until < valid_from:
        raise InvalidValue(
            "An authorisation is valid until a day on or after it is valid from.", field=field
        )


def check_may_end(valid_from: date, ended_on: date | None, ends_on: date) -> None:
    """An authorisation still running ends on a day from its start."""
    if ended_on is not None:
        raise Conflict(f"The authorisation has already ended, on {ended_on.isoformat()}.")
    if ends_on < valid_from:
        raise InvalidValue("An authorisation cannot end before it is valid from.", field="ended_on")
