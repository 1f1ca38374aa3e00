"""What callers ask of the certification service: small frozen commands, imperative names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.certification.domain.assessment import AssessmentInput


@dataclass(frozen=True)
class NewAuthorisation:
    occupation_code: str
    levels: tuple[int, ...]
    valid_from: date
    valid_until: date | None


@dataclass(frozen=True)
class AddAssessor:
    name: str
    authorisations: Sequence[NewAuthorisation]


@dataclass(frozen=True)
class AddAuthorisation:
    assessor_id: str
    authorisation: NewAuthorisation


@dataclass(frozen=True)
class EndAuthorisation:
    assessor_id: str
    authorisation_id: str
    ended_on: date | None = None  # default: today


@dataclass(frozen=True)
class RecordAssessment:
    """An assessor records an assessment of a worker: the scores, the level, the day."""

    assessor_id: str
    worker_id: str
    assessment: AssessmentInput


@dataclass(frozen=True)
class RevokeCertificate:
    number: str
    reason: str


@dataclass(frozen=True)
class ReplaceRulesTable:
    """A new version of the ``promotion`` or ``contest`` rules table."""

    kind: str
    body: Mapping[str, Any]
    by: str


@dataclass(frozen=True)
class ApplyContestAward:
    """An ``award.granted`` event, as the exceptional-promotion rules see it."""

    award_id: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class ApplyForStudio:
    name: str
    enterprise_id: str
    leader_worker_id: str
    level: str
    leader_is_model_worker: bool


@dataclass(frozen=True)
class ApproveStudio:
    studio_id: str
    approved_on: date | None = None  # default: today


@dataclass(frozen=True)
class DesignateSkillLeader:
    worker_id: str
    occupation_code: str
    designated_on: date | None = None  # default: today


@dataclass(frozen=True)
class RecordTraining:
    worker_id: str
    course: str
    hours: float
    completed_on: date
    acting_enterprise_id: str | None  # the caller's enterprise, None for an admin
