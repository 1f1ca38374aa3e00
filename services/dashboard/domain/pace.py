"""The pace a target is judged against: the share of its period elapsed on a given day.

**The rule.** A period's elapsed share on ``today`` (a calendar date in Asia/Shanghai) is the
number of whole days of the period before ``today``, over the period's days. Today itself is
not yet over, so it does not count:

- 1 January: 0 of the year (nothing is expected yet);
- 1 July: 181/365 = 0.496 (182/366 in a leap year), about half;
- 31 December: 364/365 = 0.997, nearly all; the year counts as whole from 1 January after;
- a past year: 1, whole; a year still to come: 0.

A yearly count is on track when it has reached ``goal × share of its year``; a cumulative one
when it has reached ``goal × share of the plan's span`` elapsed by the end of the year asked
for (today, for the current year); a rate when it has reached its goal, whatever the day.
"""

from __future__ import annotations

from datetime import date

from services.dashboard.domain.targets import Kind, PlanSpan


def share(start: date, end: date, moment: date) -> float:
    """The share of ``[start, end)`` before ``moment``, between 0 and 1."""
    elapsed = (moment - start).days / (end - start).days
    return min(max(elapsed, 0.0), 1.0)


def year_elapsed(year: int, today: date) -> float:
    return share(date(year, 1, 1), date(year + 1, 1, 1), today)


def span_elapsed(span: PlanSpan, year: int, today: date) -> float:
    """The share of the plan elapsed by ``today``, or by the end of ``year`` if that is past."""
    return share(span.start, span.end, min(today, date(year + 1, 1, 1)))


def pace_of(kind: Kind, span: PlanSpan, year: int, today: date) -> float | None:
    """The share of its period a target of ``kind`` is judged by; None for a rate."""
    if kind is Kind.YEARLY:
        return year_elapsed(year, today)
    if kind is Kind.CUMULATIVE:
        return span_elapsed(span, year, today)
    return None


def month_pace(kind: Kind, span: PlanSpan, year: int, month: int) -> float | None:
    """The pace line at the end of a month of ``year``: the share elapsed once it is over."""
    after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    if kind is Kind.YEARLY:
        return share(date(year, 1, 1), date(year + 1, 1, 1), after)
    if kind is Kind.CUMULATIVE:
        return share(span.start, span.end, after)
    return None


def on_track(current: float, goal: float | None, pace: float | None) -> bool | None:
    """Has ``current`` reached what is expected by now? None where there is no goal."""
    if goal is None:
        return None
    return current >= expected(goal, pace)


def expected(goal: float, pace: float | None) -> float:
    """What a target should have reached by now: its goal times the share elapsed (a rate:
    the goal itself)."""
    return goal if pace is None else goal * pace
