"""The certification service's command handlers, registered by command type in ``HANDLERS``.

Each handler is a plain function ``handler(ctx, command, repository)``: ``ctx`` is the kernel's
:class:`~shared.handling.Context` (the transaction, the outbox, the time, the settings),
``repository`` the service's records in the context's transaction (the port in
:mod:`..adapters.repository`). It asks the domain, writes its records and stages its events in
that one transaction; it never commits (``execute`` does, for a request; the consumer for its
batch; ``unit_of_work`` for the demo).

:func:`bootstrap` wires a repository into the handlers, giving the kernel what it calls,
``handler(ctx, command)``: ``HANDLERS`` with the SQL repository, a unit test with a fake one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from services.certification import commands
from services.certification.adapters.repository import Repository, SqlRepository
from services.certification.handlers import (
    assessments,
    assessors,
    certificates,
    contest,
    recognition,
    rules,
    trainings,
)
from shared.handling import Context, Handlers, with_repository

BY_COMMAND: dict[type, Callable[[Context, Any, Repository], Any]] = {
    commands.AddAssessor: assessors.add_assessor,
    commands.AddAuthorisation: assessors.add_authorisation,
    commands.EndAuthorisation: assessors.end_authorisation,
    commands.RecordAssessment: assessments.record_assessment,
    commands.RevokeCertificate: certificates.revoke_certificate,
    commands.ReplaceRulesTable: rules.replace_rules_table,
    commands.ApplyContestAward: contest.apply_contest_award,
    commands.ApplyForStudio: recognition.apply_for_studio,
    commands.ApproveStudio: recognition.approve_studio,
    commands.DesignateSkillLeader: recognition.designate_skill_leader,
    commands.RecordTraining: trainings.record_training,
}


def bootstrap(repository_of: Callable[[Session], Repository] = SqlRepository) -> Handlers:
    """The handlers as the kernel calls them, each given ``repository_of(ctx.session)``."""
    return with_repository(BY_COMMAND, repository_of)


HANDLERS = bootstrap()

__all__ = ["BY_COMMAND", "HANDLERS", "bootstrap"]
