"""The competitions service's command handlers, registered by command type in ``HANDLERS``.

Each handler is a plain function ``handler(ctx, command, repository)``: ``ctx`` is the kernel's
:class:`~shared.handling.Context` (the transaction, the outbox, the time), ``repository`` the
service's records in the context's transaction (the port in :mod:`..adapters.repository`). It
asks the domain, writes its records and stages its events in that one transaction; it never
commits (``execute`` does, for a request; ``run_each`` for a job; ``unit_of_work`` for the
demo).

:func:`bootstrap` wires a repository into the handlers, giving the kernel what it calls,
``handler(ctx, command)``: ``HANDLERS`` with the SQL repository, a unit test with a fake one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from services.competitions import commands
from services.competitions.adapters.repository import Repository, SqlRepository
from services.competitions.handlers import entries, lifecycle, publishing, scoring
from shared.handling import Context, Handlers, with_repository

BY_COMMAND: dict[type, Callable[[Context, Any, Repository], Any]] = {
    commands.CreateCompetition: lifecycle.create_competition,
    commands.EditCompetition: lifecycle.edit_competition,
    commands.MoveCompetition: lifecycle.move_competition,
    commands.AssignJudge: lifecycle.assign_judge,
    commands.RemoveJudge: lifecycle.remove_judge,
    commands.PublishResults: publishing.publish_results,
    commands.RegisterEntry: entries.register_entry,
    commands.WithdrawEntry: entries.withdraw_entry,
    commands.RecordScore: scoring.record_score,
}


def bootstrap(repository_of: Callable[[Session], Repository] = SqlRepository) -> Handlers:
    """The handlers as the kernel calls them, each given ``repository_of(ctx.session)``."""
    return with_repository(BY_COMMAND, repository_of)


HANDLERS = bootstrap()

__all__ = ["BY_COMMAND", "HANDLERS", "bootstrap"]
