"""The recognition half of the handlers' port: innovation studios and skill leaders.

:class:`~.repository.Repository` and :class:`~.repository.SqlRepository` take these in, so the
handlers see one port; trainings and the workers they are checked against are on the other
half (a training needs only ``add`` and ``worker``).
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.certification.adapters.orm import SkillLeader, Studio


class RecognitionRecords(Protocol):
    def studio(self, studio_id: str) -> Studio | None:
        """The studio, held to the end of the transaction (PostgreSQL): one admin decides."""
        ...

    def skill_leader(self, worker_id: str, occupation_code: str) -> SkillLeader | None:
        """The worker's designation as skill leader in the occupation, if there is one."""
        ...


class SqlRecognitionRecords:
    """:class:`RecognitionRecords` over the transaction's session."""

    session: Session

    def studio(self, studio_id: str) -> Studio | None:
        return self.session.get(Studio, studio_id, with_for_update=True)

    def skill_leader(self, worker_id: str, occupation_code: str) -> SkillLeader | None:
        return self.session.scalar(
            select(SkillLeader).where(
                SkillLeader.worker_id == worker_id,
                SkillLeader.occupation_code == occupation_code,
            )
        )
