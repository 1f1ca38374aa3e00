"""The time the service acts at: now, unless an app is given another clock (tests do)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask

CLOCK = "COMPETITIONS_CLOCK"


def utc_now() -> datetime:
    return datetime.now(UTC)


def now_of(app: Flask) -> datetime:
    clock: Callable[[], datetime] = app.config.get(CLOCK) or utc_now
    return clock()
