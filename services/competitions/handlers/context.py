"""What every command handler is given: the transaction, the outbox and the time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from shared.outbox import Outbox


@dataclass(frozen=True)
class Context:
    session: Session
    outbox: Outbox
    now: datetime
