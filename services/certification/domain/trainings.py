"""A training (职工培训) is recorded once it is completed: never on a day still to come."""

from __future__ import annotations

from datetime import date

from . import errors


def check_completed_by(completed_on: date, today: date) -> None:
    if completed_on > today:
        raise errors.TrainingInFuture()
