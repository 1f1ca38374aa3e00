"""Domain exceptions of the competitions service.

Every broken competition rule raises a subclass of :class:`CompetitionRuleBroken`.
Each class carries a stable machine-readable ``rule`` code (for API error bodies and
events) and a human message. Callers may pass a more specific message; otherwise the
class default is used.
"""

from __future__ import annotations

from typing import ClassVar


class CompetitionRuleBroken(Exception):
    """Base class: a competition rule was broken."""

    rule: ClassVar[str] = "competition_rule_broken"
    default_message: ClassVar[str] = "A competition rule was broken."

    def __init__(self, message: str | None = None) -> None:
        self.message: str = message or self.default_message
        super().__init__(self.message)


class InvalidCompetitionSpec(CompetitionRuleBroken):
    rule = "invalid_competition_spec"
    default_message = "The competition specification is not valid."


class InvalidTransition(CompetitionRuleBroken):
    rule = "invalid_transition"
    default_message = "The competition cannot move to that status from its current one."


class RegistrationClosed(CompetitionRuleBroken):
    rule = "registration_closed"
    default_message = "Registration for this competition is closed."


class WorkerNotInEnterprise(CompetitionRuleBroken):
    rule = "worker_not_in_enterprise"
    default_message = "The worker does not belong to the entering enterprise."


class WorkerNotActive(CompetitionRuleBroken):
    rule = "worker_not_active"
    default_message = "The worker is not active."


class WorkerAlreadyEntered(CompetitionRuleBroken):
    rule = "worker_already_entered"
    default_message = "The worker is already entered in this competition."


class QuotaExceeded(CompetitionRuleBroken):
    rule = "quota_exceeded"
    default_message = "The enterprise has used up its entries for this competition."


class TeamSizeOutOfRange(CompetitionRuleBroken):
    rule = "team_size_out_of_range"
    default_message = "The number of workers in the entry is outside the allowed range."


class JudgeNotAssigned(CompetitionRuleBroken):
    rule = "judge_not_assigned"
    default_message = "The judge is not assigned to this competition."


class JudgeOwnEnterprise(CompetitionRuleBroken):
    rule = "judge_own_enterprise"
    default_message = "A judge may not score an entry from their own enterprise."


class MarksOutOfRange(CompetitionRuleBroken):
    rule = "marks_out_of_range"
    default_message = "A mark is outside the criterion's range."


class UnknownCriterion(CompetitionRuleBroken):
    rule = "unknown_criterion"
    default_message = "A mark names a criterion the competition does not have."


class MissingCriterion(CompetitionRuleBroken):
    rule = "missing_criterion"
    default_message = "A criterion of the competition has no mark."


class NotScorable(CompetitionRuleBroken):
    rule = "not_scorable"
    default_message = "Entries can only be scored while the competition is closed for judging."


class EnterpriseNotActive(CompetitionRuleBroken):
    rule = "enterprise_not_active"
    default_message = "The enterprise is not an active enterprise of the registry."


class JudgeAlreadyAssigned(CompetitionRuleBroken):
    rule = "judge_already_assigned"
    default_message = "The judge is already assigned to this competition."


class ResultsPublished(CompetitionRuleBroken):
    rule = "results_published"
    default_message = "The competition's results are published; it no longer changes."
