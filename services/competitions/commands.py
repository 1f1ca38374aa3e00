"""What callers ask of the competitions service: small frozen commands, imperative names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.competitions.domain.model import Action


@dataclass(frozen=True)
class CreateCompetition:
    spec: Mapping[str, Any]


@dataclass(frozen=True)
class EditCompetition:
    """``changes``: the fields of a draft's specification to set, as :class:`CreateCompetition`
    takes them."""

    competition_id: str
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class MoveCompetition:
    """Open or close a competition (publishing is :class:`PublishResults`)."""

    competition_id: str
    action: Action


@dataclass(frozen=True)
class PublishResults:
    """``force``: publish although a judge marked nothing or an entry has no marks."""

    competition_id: str
    force: bool = False


@dataclass(frozen=True)
class AssignJudge:
    competition_id: str
    judge_id: str
    enterprise_id: str | None


@dataclass(frozen=True)
class RemoveJudge:
    competition_id: str
    judge_id: str


@dataclass(frozen=True)
class RegisterEntry:
    competition_id: str
    enterprise_id: str
    worker_ids: tuple[str, ...]
    team_name: str | None


@dataclass(frozen=True)
class WithdrawEntry:
    """``acting_enterprise_id`` is the caller's enterprise, ``None`` for an admin."""

    competition_id: str
    entry_id: str
    acting_enterprise_id: str | None


@dataclass(frozen=True)
class RecordScore:
    competition_id: str
    entry_id: str
    judge_id: str
    marks: Mapping[str, float]
