"""Innovation studios (劳模和工匠人才创新工作室) and skill leaders.

An enterprise applies for a studio at a level (municipal, county or enterprise); an admin
approves or rejects the application once. The studio's leader must be a model worker (劳动模范)
or hold skill level 2 (技师) or higher in any occupation, as the skill ledger says at the time
of the check. A skill leader is designated once per enterprise and occupation. The plan counts
approved **municipal** studios.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from . import errors

S = TypeVar("S")

LEADER_LEVEL = 2
"""The lowest skill level that qualifies a studio leader on its own."""


class StudioLevel(StrEnum):
    MUNICIPAL = "municipal"
    COUNTY = "county"
    ENTERPRISE = "enterprise"


class StudioStatus(StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"


def studio_level(value: str) -> StudioLevel:
    """``value`` as a :class:`StudioLevel`, or :class:`~.errors.InvalidStudioLevel`."""
    try:
        return StudioLevel(value)
    except ValueError:
        raise errors.InvalidStudioLevel() from None


def leader_qualified(is_model_worker: bool, held_levels: Iterable[int]) -> bool:
    """A model worker, or someone holding level 2 or 1 in any occupation."""
    return is_model_worker or any(level <= LEADER_LEVEL for level in held_levels)


def check_leader_qualified(is_model_worker: bool, held_levels: Iterable[int]) -> None:
    if not leader_qualified(is_model_worker, held_levels):
        raise errors.LeaderNotQualified()


def decide_application(status: StudioStatus | str, approve: bool) -> StudioStatus:
    """The status after an admin's decision; only an open application can be decided."""
    if StudioStatus(status) is not StudioStatus.APPLIED:
        raise errors.StudioAlreadyDecided()
    return StudioStatus.APPROVED if approve else StudioStatus.REJECTED


def known_studio(studio: S | None) -> S:
    if studio is None:
        raise errors.StudioNotFound()
    return studio


def check_skill_leader_not_designated(designation: object | None) -> None:
    """A worker is a skill leader of an enterprise and occupation once: ``designation`` is the
    one already made, if any."""
    if designation is not None:
        raise errors.SkillLeaderAlreadyDesignated()
