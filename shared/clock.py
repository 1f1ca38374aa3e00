"""Time as the platform counts it: instants in aware UTC, calendar dates in Asia/Shanghai.

A yearly count belongs to the calendar year, in Asia/Shanghai, of the fact's own date. SQLite
hands timestamps back without their zone; every one is stored in UTC, so :func:`as_utc` puts it
back. An app may be given another clock (``JIANGONG_CLOCK`` in its config, a function returning
an aware datetime): tests do, to stand on a given day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the app is only read: a domain may use this module without Flask
    from flask import Flask

SHANGHAI = ZoneInfo("Asia/Shanghai")
TIMEZONE_NAME = "Asia/Shanghai"
CLOCK = "JIANGONG_CLOCK"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware instant in UTC; a naive one is taken to be UTC already (as stored)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def maybe_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC, or ``None``."""
    return None if moment is None else as_utc(moment).isoformat()


def shanghai_date(moment: datetime) -> date:
    """The calendar date of ``moment`` in Asia/Shanghai: the date a yearly count goes by."""
    return as_utc(moment).astimezone(SHANGHAI).date()


def today_in_shanghai(now: datetime | None = None) -> date:
    return shanghai_date(now or utc_now())


def clock_of(app: Flask) -> Clock:
    clock: Clock = app.config.get(CLOCK) or utc_now
    return clock


def now_of(app: Flask) -> datetime:
    """The time the app acts at: now, unless its config carries another clock."""
    return as_utc(clock_of(app)())
