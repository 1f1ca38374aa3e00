"""Refusals of the certification service, one class per rule.

Each subclass of the kernel's :class:`~shared.errors.DomainError` states a stable ``rule`` code,
the HTTP ``status`` it answers with, a short ``title``, a ``default_detail`` sentence and, where
the rule is about one request field, that ``field``. Details never carry a name or an ID number.
The contest consumer does not raise these: it records ``rule`` and ``detail`` of a refusal on
the worker's history (see :mod:`.contest`).
"""

from __future__ import annotations

from datetime import date

from shared.errors import Conflict, DomainError, InvalidValue, NotFound

# -- 422: a value of the request breaks a rule -------------------------------------------------


class InvalidLevel(InvalidValue):
    rule = "invalid_level"
    title = "Invalid skill level"
    default_detail = "A skill level is 1, 2, 3, 4 or 5."
    field = "level"


class ScoresOutOfRange(InvalidValue):
    rule = "scores_out_of_range"
    title = "Score out of range"
    default_detail = "Theory and practical scores are each from 0 to 100."
    field = "theory_score"


class AssessmentInFuture(InvalidValue):
    rule = "assessment_in_future"
    title = "Assessment date in the future"
    default_detail = "The assessment date cannot be later than today."
    field = "assessed_on"


class InvalidRulesTable(InvalidValue):
    rule = "invalid_rules_table"
    title = "Invalid rules table"
    default_detail = "The rules table is not valid; see the errors for each field."


class InvalidCertificateNumber(InvalidValue):
    rule = "invalid_certificate_number"
    title = "Invalid certificate number"
    default_detail = (
        "A certificate number is Y or S followed by 21 digits: body (4), province 33, "
        "site (6), year (2), level (1) and serial (6)."
    )
    field = "number"


class InvalidStudioLevel(InvalidValue):
    rule = "invalid_studio_level"
    title = "Invalid studio level"
    default_detail = "A studio is municipal, county or enterprise level."
    field = "level"


class LeaderNotInEnterprise(InvalidValue):
    rule = "leader_not_in_enterprise"
    title = "Studio leader not in the enterprise"
    default_detail = "A studio's leader must be an active worker of the applying enterprise."
    field = "leader_worker_id"


class TrainingInFuture(InvalidValue):
    rule = "training_in_future"
    title = "Training completion date in the future"
    default_detail = "The completion date of a training cannot be later than today."
    field = "completed_on"


# -- 403: the assessor may not record this -----------------------------------------------------


class NotAuthorised(DomainError):
    rule = "not_authorised"
    status = 403
    title = "Not authorised to assess this"
    default_detail = "The assessor holds no authorisation covering this occupation, level and date."


class AuthorisationEnded(NotAuthorised):
    rule = "authorisation_ended"
    title = "Authorisation ended"
    default_detail = "The assessor's authorisation for this occupation and level has ended."


# -- 404 -----------------------------------------------------------------------------------------


class WorkerNotFound(NotFound):
    rule = "worker_not_found"
    title = "Worker not found"
    default_detail = "No worker with that id."
    field = "worker_id"


class CertificateNotFound(NotFound):
    rule = "certificate_not_found"
    title = "Certificate not found"
    default_detail = "No certificate with that number."


class StudioNotFound(NotFound):
    rule = "studio_not_found"
    title = "Studio not found"
    default_detail = "No innovation studio with that id."


class UnknownRulesTable(NotFound):
    rule = "unknown_rules_table"
    title = "No such rules table"
    default_detail = "The rules tables are promotion and contest."


# -- 409: the current state does not allow it --------------------------------------------------


class WorkerNotActive(InvalidValue):
    """The same code and status as in competitions: a request naming a former worker."""

    rule = "worker_not_active"
    title = "Worker not active"
    default_detail = "The worker is not an active worker of the registry."
    field = "worker_id"


class AlreadyAtLevel(Conflict):
    rule = "already_at_level"
    title = "Already at or above this level"
    default_detail = "The worker already holds this level or a higher one in the occupation."
    field = "level"


class LevelSkipped(Conflict):
    """A promotion goes one level up at a time; ``next_level`` is the one now possible."""

    rule = "level_skipped"
    title = "Level skipped"
    default_detail = "A promotion goes one level up at a time."
    field = "level"

    def __init__(self, next_level: int, detail: str | None = None) -> None:
        self.next_level = next_level
        super().__init__(
            detail or f"A promotion goes one level up at a time; the next possible is {next_level}."
        )


class TooEarlyForPromotion(Conflict):
    """Not enough years at the current level; ``possible_on`` is the first day it is enough."""

    rule = "too_early_for_promotion"
    title = "Too early for promotion"
    default_detail = "The worker has not held the current level long enough."
    field = "assessed_on"

    def __init__(self, possible_on: date, detail: str | None = None) -> None:
        self.possible_on = possible_on
        super().__init__(detail or f"The promotion is possible from {possible_on.isoformat()}.")


class NotEligibleForContestPromotion(Conflict):
    rule = "not_eligible_for_contest_promotion"
    title = "Not eligible for contest promotion"
    default_detail = "The award falls in no band of the contest promotion rules."


class AboveContestBand(Conflict):
    rule = "above_contest_band"
    title = "Already above the contest band"
    default_detail = "The worker already holds a level above the one the award leads to."


class ContestPromotionThisYear(Conflict):
    rule = "contest_promotion_this_year"
    title = "Contest promotion already this year"
    default_detail = "A worker is promoted by contest at most once in a calendar year."


class LeaderNotQualified(InvalidValue):
    rule = "leader_not_qualified"
    title = "Studio leader not qualified"
    default_detail = "A studio leader must be a model worker or hold skill level 2 or higher."
    field = "leader_worker_id"


class StudioAlreadyDecided(Conflict):
    rule = "studio_already_decided"
    title = "Studio application already decided"
    default_detail = "The studio application has already been approved or rejected."


class SkillLeaderAlreadyDesignated(Conflict):
    rule = "skill_leader_already_designated"
    title = "Skill leader already designated"
    default_detail = "The worker is already a skill leader of this enterprise and occupation."
    field = "worker_id"


class CertificateAlreadyRevoked(Conflict):
    rule = "certificate_already_revoked"
    title = "Certificate already revoked"
    default_detail = "The certificate has already been revoked."
