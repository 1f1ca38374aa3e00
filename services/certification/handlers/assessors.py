"""Assessors and their authorisations: an admin adds them, adds authorisations and ends them.

An authorisation covers one occupation, some levels (1 to 5), from ``valid_from`` until
``valid_until`` (inclusive; none: open-ended). Ending one on a day stops it that day: from then
on it lets its assessor record nothing. Nothing is deleted: an ended authorisation stays, with
its ``ended_on``, on the assessor's record.
"""

from __future__ import annotations

from services.certification import commands
from services.certification.adapters.orm import Assessor, AssessorAuthorisation, new_id
from services.certification.adapters.repository import Repository
from services.certification.domain.authorisations import (
    authorised_levels,
    check_may_end,
    check_period,
)
from shared.errors import found
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
    found(repository.assessor(command.assessor_id), "assessor")
    row = _authorisation(command.assessor_id, command.authorisation)
    repository.add(row)
    return row


def end_authorisation(
    ctx: Context, command: commands.EndAuthorisation, repository: Repository
) -> AssessorAuthorisation:
    row = found(
        repository.authorisation(command.assessor_id, command.authorisation_id), "authorisation"
    )
    ended_on = command.ended_on or ctx.today
    check_may_end(row.valid_from, row.ended_on, ended_on)
    row.ended_on = ended_on
    return row


def _authorisation(
    assessor_id: str, new: commands.NewAuthorisation, at: str = ""
) -> AssessorAuthorisation:
    levels = authorised_levels(new.levels, f"{at}levels")
    check_period(new.valid_from, new.valid_until, f"{at}valid_until")
    return AssessorAuthorisation(
        id=new_id(),
        assessor_id=assessor_id,
        occupation_code=new.occupation_code,
        levels=levels,
        valid_from=new.valid_from,
        valid_until=new.valid_until,
        ended_on=None,
    )
