"""What the competitions service refuses: one exception per rule, on the kernel's ``DomainError``.

Each class states its ``rule`` (a stable code: the problem's ``rule`` member and its ``type``,
``/problems/<rule-with-dashes>``), the HTTP ``status`` it answers with, a short ``title`` and,
where the rule is about one field of the request, that ``field``. The ``detail`` is a sentence
for the person who asked; a caller may pass a more specific one than the class's default.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.errors import DomainError


class CompetitionRuleBroken(DomainError):
    """Base class: a competition rule was broken."""

    rule = "competition_rule_broken"
    status = 409
    title = "A competition rule was broken"
    default_detail = "A competition rule was broken."


# -- 422: the request's values break a rule --------------------------------------------------


class InvalidCompetitionSpec(CompetitionRuleBroken):
    rule = "invalid_competition_spec"
    status = 422
    title = "Invalid competition specification"
    default_detail = "The competition specification is not valid."


class WorkerNotInEnterprise(CompetitionRuleBroken):
    rule = "worker_not_in_enterprise"
    status = 422
    title = "Worker not in the enterprise"
    default_detail = "The worker does not belong to the entering enterprise."
    field = "worker_ids"


class WorkerNotActive(CompetitionRuleBroken):
    rule = "worker_not_active"
    status = 422
    title = "Worker not active"
    default_detail = "The worker is not active."
    field = "worker_ids"


class TeamSizeOutOfRange(CompetitionRuleBroken):
    rule = "team_size_out_of_range"
    status = 422
    title = "Team size out of range"
    default_detail = "The number of workers in the entry is outside the allowed range."
    field = "worker_ids"


class EnterpriseNotActive(CompetitionRuleBroken):
    rule = "enterprise_not_active"
    status = 422
    title = "Enterprise not active"
    default_detail = "The enterprise is not an active enterprise of the registry."
    field = "enterprise_id"


class MarksOutOfRange(CompetitionRuleBroken):
    rule = "marks_out_of_range"
    status = 422
    title = "Mark out of range"
    default_detail = "A mark is outside the criterion's range."
    field = "marks"


class UnknownCriterion(CompetitionRuleBroken):
    rule = "unknown_criterion"
    status = 422
    title = "Unknown criterion"
    default_detail = "A mark names a criterion the competition does not have."
    field = "marks"


class MissingCriterion(CompetitionRuleBroken):
    rule = "missing_criterion"
    status = 422
    title = "Missing criterion"
    default_detail = "A criterion of the competition has no mark."
    field = "marks"


class UnknownRegion(CompetitionRuleBroken):
    """The same code and status as the registry's: a region code no one here knows."""

    rule = "unknown_region"
    status = 422
    title = "Unknown region"
    default_detail = (
        "The region code is not Jiaxing, one of its counties, or a town or village below a county "
        "where an enterprise of the registry is."
    )
    field = "region_code"


class JudgeEnterpriseUnknown(CompetitionRuleBroken):
    rule = "judge_enterprise_unknown"
    status = 422
    title = "Judge's enterprise unknown"
    default_detail = "The judge's enterprise is not an enterprise the registry has announced."
    field = "enterprise_id"


class EnterpriseOutsideCounty(CompetitionRuleBroken):
    rule = "enterprise_outside_county"
    status = 422
    title = "Enterprise outside the competition's county"
    default_detail = "A county competition takes entries only from enterprises in its county."
    field = "enterprise_id"


# -- 409: the competition's state does not allow it ------------------------------------------


class InvalidTransition(CompetitionRuleBroken):
    rule = "invalid_transition"
    status = 409
    title = "Not a step of the lifecycle"
    default_detail = "The competition cannot move to that status from its current one."


class NotADraft(CompetitionRuleBroken):
    rule = "not_a_draft"
    status = 409
    title = "Not a draft"
    default_detail = "Only a competition still in draft can be edited."


class RegistrationClosed(CompetitionRuleBroken):
    rule = "registration_closed"
    status = 409
    title = "Registration closed"
    default_detail = "Registration for this competition is closed."


class RegistrationDeadlinePassed(CompetitionRuleBroken):
    """Opening would start a registration that is already over. ``field`` names the
    competition's deadline, the value to change before it can open."""

    rule = "registration_deadline_passed"
    status = 409
    title = "Registration deadline passed"
    default_detail = "The competition's registration deadline has passed; it cannot be opened."
    field = "registration_closes_at"


class PublicationIncomplete(CompetitionRuleBroken):
    """Publishing would leave out an assigned judge who marked nothing, or a registered entry no
    judge marked. ``judges`` and ``entries`` name them (the problem's ``errors`` and its
    ``idle_judges`` and ``unmarked_entries`` members); ``?force=true`` publishes anyway."""

    rule = "publication_incomplete"
    status = 409
    title = "Publication incomplete"
    default_detail = (
        "A judge marked nothing or an entry has no marks; confirm with force=true to publish."
    )

    def __init__(
        self, judges: Sequence[str] = (), entries: Sequence[str] = (), detail: str | None = None
    ) -> None:
        self.judges, self.entries = tuple(judges), tuple(entries)
        named = {"judges": list(self.judges), "entries": list(self.entries)}
        super().__init__(detail, errors={k: v for k, v in named.items() if v})


class QuotaExceeded(CompetitionRuleBroken):
    rule = "quota_exceeded"
    status = 409
    title = "Entry quota used up"
    default_detail = "The enterprise has used up its entries for this competition."


class WorkerAlreadyEntered(CompetitionRuleBroken):
    rule = "worker_already_entered"
    status = 409
    title = "Worker already entered"
    default_detail = "The worker is already entered in this competition."
    field = "worker_ids"


class NotScorable(CompetitionRuleBroken):
    rule = "not_scorable"
    status = 409
    title = "Not open for scoring"
    default_detail = "Entries can only be scored while the competition is closed for judging."


class JudgeAlreadyAssigned(CompetitionRuleBroken):
    rule = "judge_already_assigned"
    status = 409
    title = "Judge already assigned"
    default_detail = "The judge is already assigned to this competition."


class JudgeHasMarks(CompetitionRuleBroken):
    rule = "judge_has_marks"
    status = 409
    title = "Judge has marks"
    default_detail = "The judge has marked entries of this competition; they cannot be removed."


class ResultsPublished(CompetitionRuleBroken):
    rule = "results_published"
    status = 409
    title = "Results already published"
    default_detail = "The competition's results are published; it no longer changes."


# -- 403: the judge may not -------------------------------------------------------------------


class JudgeNotAssigned(CompetitionRuleBroken):
    rule = "judge_not_assigned"
    status = 403
    title = "Judge not assigned"
    default_detail = "The judge is not assigned to this competition."


class JudgeOwnEnterprise(CompetitionRuleBroken):
    rule = "judge_own_enterprise"
    status = 403
    title = "Judge of the entry's enterprise"
    default_detail = "A judge may not score an entry from their own enterprise."
