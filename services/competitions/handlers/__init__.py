"""Competitions's ``HANDLERS``: ``BY_COMMAND`` wired to its SQL repository (services/README.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.competitions import commands
from services.competitions.adapters.repository import Repository, SqlRepository
from services.competitions.handlers import entries, lifecycle, publishing, scoring
from shared.handling import Context, with_repository

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


HANDLERS = with_repository(BY_COMMAND, SqlRepository)

__all__ = ["BY_COMMAND", "HANDLERS"]
