"""Command handlers: plain functions ``handler(ctx, command)``, registered by command type.

Each runs in the caller's transaction, stages its events in the same outbox and leaves the
commit to the caller (``shared.runtime.execute`` for a request, the consumer for an event).
"""

from __future__ import annotations

from services.certification import commands
from services.certification.handlers import (
    assessments,
    assessors,
    certificates,
    contest,
    recognition,
    rules,
    trainings,
)
from shared.handling import Handlers

HANDLERS: Handlers = {
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
