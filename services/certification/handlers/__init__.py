"""Certification's ``HANDLERS``: ``BY_COMMAND`` wired to its SQL repository (services/README.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from shared.handling import Context, with_repository

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


HANDLERS = with_repository(BY_COMMAND, SqlRepository)

__all__ = ["BY_COMMAND", "HANDLERS"]
