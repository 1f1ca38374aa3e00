"""Assessors and their authorisations: an admin adds them, adds authorisations and ends them.

An authorisation covers one occupation, some levels (1 to 5), from ``valid_from`` until
``valid_until`` (inclusive; none: open-ended). Ending one on a day stops it that day: from then
on it lets its assessor record nothing. Nothing is deleted: an ended authorisation stays, with
its ``ended_on``, on the assessor's record.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.certification import commands
from services.certification.adapters.orm import Assessor, AssessorAuthorisation, new_id
from services.certification.adapters.repository import Repository
from services.certification.domain.levels import check_level
from shared.errors import Conflict, InvalidValue, NotFound
from shared.handling import Context


def add_assessor(
    ctx: Context, command: commands.AddAssessor, repository: Repository
) -> tuple[Assessor, list[AssessorAuthorisation]]:
    assessor = Assessor(id=new_id(), name=command.name, created_at=ctx.now)
    rows = [
        _authorisation(assessor.id, new, f"authorisations.{i}.")
        for i, new in enumerate(command.authorisations)
    ]
    repository.add(assessor)  # first: its authorisations refer to it
    repository.add(*rows)
    return assessor, rows


def add_authorisation(
    ctx: Context, command: commands.AddAuthorisation, repository: Repository
) -> AssessorAuthorisation:
    if repository.assessor(command.assessor_id) is None:
        raise NotFound.of("assessor")
    row = _authorisation(command.assessor_id, command.authorisation)
    repository.add(row)
    return row


def end_authorisation(
    ctx: Context, command: commands.EndAuthorisation, repository: Repository
) -> AssessorAuthorisation:
    row = repository.authorisation(command.assessor_id, command.authorisation_id)
    if row is None:
        raise NotFound.of("authorisation")
    if row.ended_on is not None:
        raise Conflict(f"The authorisation has already ended, on {row.ended_on.isoformat()}.")
    ended_on = command.ended_on or ctx.today
    if ended_on < row.valid_from:
        raise InvalidValue("An authorisation cannot end before it is valid from.", field="ended_on")
    row.ended_on = ended_on
    return row


def _authorisation(
    assessor_id: str, new: commands.NewAuthorisation, at: str = ""
) -> AssessorAuthorisation:
    levels = _levels(new.levels, f"{at}levels")
    if new.valid_until is not None and new.valid_until < new.valid_from:
        raise InvalidValue(
            "An authorisation is valid until a day on or after it is valid from.",
            field=f"{at}valid_until",
        )
    return AssessorAuthorisation(
        id=new_id(),
        assessor_id=assessor_id,
        occupation_code=new.occupation_code,
        levels=levels,
        valid_from=new.valid_from,
        valid_until=new.valid_until,
        ended_on=None,
    )


def _levels(levels: Sequence[int], field: str) -> list[int]:
    if not levels:
        raise InvalidValue("An authorisation covers at least one level.", field=field)
    return sorted({check_level(level, field) for level in levels}, reverse=True)
