"""The year a fact counts in, and how years at a level are counted.

**Years of a count.** A yearly count (promotions, trainings, studios) belongs to the calendar
year, in Asia/Shanghai, of the fact's own date: the assessment date, the contest's publication
date, the completion date. Never the moment it was processed: an assessment dated 31 December
and recorded on 1 January counts in the old year. Instants are aware datetimes (a naive one is
taken as UTC, as the kernel stores them); :func:`fact_date` turns one into its Shanghai date.

**Years at a level** are counted by calendar anniversary: ``n`` years after a date is the same
month and day ``n`` years later, so exactly two years to the day is two years
(2022-03-01 → 2024-03-01). A 29 February start has its anniversary on **28 February** in a
year that is not a leap year (2024-02-29 + 2 years = 2026-02-28): the last day of the same
month, never a day of the next one.
"""

from __future__ import annotations

from datetime import date, datetime

from shared.clock import shanghai_date


def year_of_fact(fact_date: date) -> int:
    """The calendar year a fact dated ``fact_date`` counts in."""
    return fact_date.year


def fact_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of an instant (``2024-12-31T16:30Z`` → 2025-01-01)."""
    return shanghai_date(moment)


def year_of_moment(moment: datetime) -> int:
    """The calendar year, in Asia/Shanghai, of an instant."""
    return year_of_fact(fact_date(moment))


def anniversary(start: date, years: int) -> date:
    """``start`` plus ``years`` calendar years; 29 February falls on 28 February if need be."""
    if years < 0:
        raise ValueError("years must not be negative")
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February into a year that is not a leap year
        return start.replace(year=start.year + years, day=28)


def completed_years(start: date, on: date) -> int:
    """Whole years from ``start`` to ``on`` by the anniversary rule (0 if ``on`` is earlier)."""
    if on < start:
        return 0
    years = on.year - start.year
    return years if anniversary(start, years) <= on else years - 1
