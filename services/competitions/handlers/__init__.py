"""Command handlers: plain functions, registered by command type in ``HANDLERS``.

Each runs in the caller's transaction (``Context.session``), stages its events in the outbox
of that same transaction and leaves the commit to the caller: the API after a request, a job
after each competition. The rules are the domain's; a handler loads, asks, writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.competitions import commands
from services.competitions.handlers import entries, lifecycle, publishing, scoring
from services.competitions.handlers.context import Context

HANDLERS: dict[type, Callable[[Context, Any], Any]] = {
    commands.CreateCompetition: lifecycle.create_competition,
    commands.MoveCompetition: lifecycle.move_competition,
    commands.AssignJudge: lifecycle.assign_judge,
    commands.PublishResults: publishing.publish_results,
    commands.RegisterEntry: entries.register_entry,
    commands.WithdrawEntry: entries.withdraw_entry,
    commands.RecordScore: scoring.record_score,
}


def handle(context: Context, command: object) -> Any:
    return HANDLERS[type(command)](context, command)


__all__ = ["HANDLERS", "Context", "handle"]
