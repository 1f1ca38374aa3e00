"""How long a signed-in session lives: ``IDLE`` without a request, ``LIFETIME`` in all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class SessionTimes:
    started_at: datetime
    last_seen_at: datetime


def why_ended(times: SessionTimes, now: datetime, account_active: bool) -> str | None:
    """Why a live session must end at ``now`` (``idle``, ``expired``, ``disabled``), or None."""
    if not account_active:
        return "disabled"
    if now - times.started_at >= LIFETIME:
        return "expired"
    if now - times.last_seen_at >= IDLE:
        return "idle"
    return None
