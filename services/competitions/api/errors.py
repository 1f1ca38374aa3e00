"""Domain refusals at the HTTP edge: one status per rule, the rule named in the problem.

Each broken rule answers ``application/problem+json`` with the rule's code in ``rule`` and in
the detail, and, where the rule is about one field of the request, that field in ``errors``.
"""

from __future__ import annotations

from flask import Flask, Response

from services.competitions.adapters.repository import NotFound
from services.competitions.domain import errors
from shared.http import problem_response

STATUS: dict[type[errors.CompetitionRuleBroken], int] = {
    errors.InvalidCompetitionSpec: 422,
    errors.InvalidTransition: 409,
    errors.RegistrationClosed: 409,
    errors.QuotaExceeded: 409,
    errors.WorkerAlreadyEntered: 409,
    errors.WorkerNotInEnterprise: 422,
    errors.WorkerNotActive: 422,
    errors.TeamSizeOutOfRange: 422,
    errors.EnterpriseNotActive: 422,
    errors.JudgeNotAssigned: 403,
    errors.JudgeOwnEnterprise: 403,
    errors.JudgeAlreadyAssigned: 409,
    errors.NotScorable: 409,
    errors.ResultsPublished: 409,
    errors.MarksOutOfRange: 422,
    errors.UnknownCriterion: 422,
    errors.MissingCriterion: 422,
}

FIELD: dict[type[errors.CompetitionRuleBroken], str] = {
    errors.WorkerNotInEnterprise: "worker_ids",
    errors.WorkerNotActive: "worker_ids",
    errors.WorkerAlreadyEntered: "worker_ids",
    errors.TeamSizeOutOfRange: "worker_ids",
    errors.EnterpriseNotActive: "enterprise_id",
    errors.MarksOutOfRange: "marks",
    errors.UnknownCriterion: "marks",
    errors.MissingCriterion: "marks",
}


def _rule_broken(error: errors.CompetitionRuleBroken) -> Response:
    kind = type(error)
    field = FIELD.get(kind)
    return problem_response(
        STATUS.get(kind, 409),
        f"{error.message} (rule: {error.rule})",
        title=error.rule.replace("_", " ").capitalize(),
        errors={field: [error.message]} if field else None,
        extra={"rule": error.rule},
    )


def _not_found(error: NotFound) -> Response:
    return problem_response(404, str(error))


def register_errors(app: Flask) -> None:
    app.register_error_handler(errors.CompetitionRuleBroken, _rule_broken)
    app.register_error_handler(NotFound, _not_found)
