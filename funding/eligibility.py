"""Who PP+ is for, as the DfE counts them: pure rules, no database.

A child is eligible in a financial year when they were looked after for at least one day
of it and were aged 4 to 15 on 31 August in it (31 August 2026 for 2026-27): the
children of statutory school age for that school year. Three- and four-year-olds in
funded early education get the early-years pupil premium instead, which is separate.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .years import financial_year_bounds


def age_on(date_of_birth: date, day: date) -> int:
    years = day.year - date_of_birth.year
    return years - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def in_care_during(periods: Iterable[tuple[date, date | None]], first: date, last: date) -> bool:
    """Whether any period of care (start, end or None) overlaps ``first``..``last``. A
    period ending on a day covers the days before it (the child left care that day)."""
    return any(start <= last and (end is None or end > first) for start, end in periods)


def is_eligible(
    *, date_of_birth: date, periods: Iterable[tuple[date, date | None]], financial_year: int
) -> bool:
    first, last = financial_year_bounds(financial_year)
    return 4 <= age_on(date_of_birth, date(financial_year, 8, 31)) <= 15 and in_care_during(
        periods, first, last
    )
