"""Working days and school days: pure date arithmetic, no database.

Deadlines in the statutory guidance are counted in *working days* (weekdays that are not
England and Wales bank holidays) or *school days* (days inside one of the school's terms
that are not weekends, bank holidays or closures such as INSET days). The term dates and
closures come from the database (``calendars.selectors.calendar_for``); everything here
takes them as arguments, so it can be tested directly.

Conventions (the same for every function):

- **Counting starts the day after** ``start``. ``add_working_days(start, 1)`` is the first
  working day after ``start``, whatever ``start`` itself is (a weekend, a bank holiday, a
  closure or a normal day).
- ``days`` must be 1 or more. **0 is refused**: "within 0 days" has no counted day, and
  returning ``start`` would turn a Saturday or a bank holiday into a deadline. Negative
  counts (counting backwards) are refused too.
- ``*_between(a, b)`` counts the counted days in ``(a, b]``: after ``a``, up to and including
  ``b``. It is 0 when ``b`` is on or before ``a``. So ``x_between(s, add_x(s, n)) == n``.
- Term ranges are inclusive: ``(start, end)`` where ``end`` is the last day of the term.
- **Dates only.** A ``datetime`` is refused (it is a subclass of ``date``, so it would
  otherwise slip through and compare badly). Take the Europe/London calendar date first
  (``local_date``): the UTC date of a moment just after midnight in British Summer Time is
  the previous day. Day arithmetic on dates cannot shift with the clock changes.
- **Never guess** past the known calendar: school-day counting that needs a day after the
  last recorded term, or crosses a stretch without terms longer than any English school
  holiday (``LONGEST_HOLIDAY``, i.e. a missing year of terms), raises
  :class:`CalendarExhausted`.

Bank holidays come from the ``holidays`` package (``GB``, subdivision ``ENG``). It also
lists the calendar date of a holiday that falls on a weekend (e.g. Boxing Day on Saturday
26 December 2026) besides the weekday substitute (Monday 28 December); GOV.UK lists only
the substitute. Only weekdays are kept, which makes the set identical to GOV.UK's list
(checked in ``tests/calendars/test_days.py`` for 2012-2028, including the Platinum
Jubilee, the State Funeral and the Coronation). Weekend dates make no difference to
counting anyway.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "LONDON",
    "LONGEST_HOLIDAY",
    "CalendarExhausted",
    "add_school_days",
    "add_working_days",
    "bank_holidays",
    "is_bank_holiday",
    "is_school_day",
    "is_working_day",
    "local_date",
    "long_date",
    "school_days_between",
    "working_days_between",
]

LONDON = ZoneInfo("Europe/London")
ONE_DAY = timedelta(days=1)
#: No English school holiday is this long (the summer break is about six weeks). A longer
#: stretch between recorded terms means terms are missing, so counting across it would
#: be a guess.
LONGEST_HOLIDAY = timedelta(weeks=10)

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

Term = tuple[date, date]


class CalendarExhausted(Exception):
    """School days were needed beyond the recorded term dates.

    ``after`` is the last recorded term day (``None`` when there are no terms at all);
    ``gap`` is set instead when the missing stretch lies between two recorded terms."""

    def __init__(self, *, after: date | None = None, gap: tuple[date, date] | None = None):
        self.after = after
        self.gap = gap
        if gap is not None:
            message = (
                f"The school calendar has no term dates between {long_date(gap[0])} and "
                f"{long_date(gap[1])}: add the missing terms"
            )
        elif after is not None:
            message = (
                f"The school calendar has no term dates after {long_date(after)}: "
                "add next year's terms"
            )
        else:
            message = "The school calendar has no term dates: add this year's terms"
        super().__init__(message)


def long_date(day: date) -> str:
    """``22 July 2026`` (GOV.UK style, whatever the process locale)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def local_date(moment: datetime) -> date:
    """The Europe/London calendar date of an aware ``moment``.

    Deadlines are counted from the day something happened *in England*: 00:30 on Monday
    30 March 2026 (BST) is Sunday 29 March in UTC."""
    if not isinstance(moment, datetime):
        raise TypeError("local_date() takes a datetime.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("local_date() needs an aware datetime: a naive one has no time zone.")
    return moment.astimezone(LONDON).date()


# ---------------------------------------------------------------------------------------
# Bank holidays and working days
# ---------------------------------------------------------------------------------------


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays of ``year`` on which offices close (weekdays)."""
    return frozenset(
        day
        for day in holidays.country_holidays("GB", subdiv="ENG", years=year)
        if day.year == year and day.weekday() < 5
    )


def is_bank_holiday(day: date) -> bool:
    day = _check_date(day, "day")
    return day in bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """A weekday that is not an England and Wales bank holiday."""
    day = _check_date(day, "day")
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date of the ``days``-th working day after ``start``."""
    return _add_working_days(_check_date(start, "start"), _check_days(days))


def working_days_between(a: date, b: date) -> int:
    """How many working days fall in ``(a, b]`` (0 when ``b`` is on or before ``a``)."""
    return _working_days_between(_check_date(a, "a"), _check_date(b, "b"))


# Remembered: a nightly refresh asks the same few hundred questions for thousands of
# children (the arguments are checked before they reach the cache).
@lru_cache(maxsize=1 << 16)
def _add_working_days(day: date, remaining: int) -> date:
    while remaining:
        day += ONE_DAY
        if day.weekday() < 5 and day not in bank_holidays(day.year):
            remaining -= 1
    return day


@lru_cache(maxsize=1 << 16)
def _working_days_between(a: date, b: date) -> int:
    count, day = 0, a
    while day < b:
        day += ONE_DAY
        count += day.weekday() < 5 and day not in bank_holidays(day.year)
    return count


# ---------------------------------------------------------------------------------------
# School days
# ---------------------------------------------------------------------------------------


def is_school_day(
    day: date, terms: Iterable[Term], closures: Collection[date] = frozenset()
) -> bool:
    """Inside a term, a weekday, not a bank holiday and not a closure.

    A predicate cannot say "unknown": outside the recorded terms it answers False (the
    counting functions raise :class:`CalendarExhausted` instead)."""
    day = _check_date(day, "day")
    in_term = any(start <= day <= end for start, end in _check_terms(terms))
    return in_term and _open(day, closures)


def add_school_days(
    start: date,
    days: int,
    terms: Iterable[Term],
    closures: Collection[date] = frozenset(),
) -> date:
    """The date of the ``days``-th school day after ``start``.

    Raises :class:`CalendarExhausted` if the recorded terms run out first."""
    start = _check_date(start, "start")
    remaining = _check_days(days)
    for day in _school_days_after(start, _check_terms(terms), closures):
        remaining -= 1
        if not remaining:
            return day
    raise AssertionError("unreachable: _school_days_after raises when the terms run out")


def school_days_between(
    a: date,
    b: date,
    terms: Iterable[Term],
    closures: Collection[date] = frozenset(),
) -> int:
    """How many school days fall in ``(a, b]`` (0 when ``b`` is on or before ``a``).

    Raises :class:`CalendarExhausted` if ``(a, b]`` reaches past the recorded terms (an
    unknown day might be a school day)."""
    a, b = _check_date(a, "a"), _check_date(b, "b")
    ranges = _check_terms(terms)
    if b <= a:
        return 0
    return sum(1 for _ in _school_days_after(a, ranges, closures, until=b))


# ---------------------------------------------------------------------------------------
# Internals
# ---------------------------------------------------------------------------------------


def _open(day: date, closures: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year) and day not in closures


def _school_days_after(
    after: date,
    ranges: list[Term],
    closures: Collection[date],
    until: date | None = None,
) -> Iterator[date]:
    """School days after ``after`` in order (up to ``until`` when given), raising
    :class:`CalendarExhausted` rather than stepping into days the calendar does not cover."""
    if not ranges:
        raise CalendarExhausted()
    day = after + ONE_DAY
    for term_start, term_end in ranges:
        if term_end < day:
            continue
        if term_start > day:
            if term_start - day > LONGEST_HOLIDAY:
                raise CalendarExhausted(gap=(day, term_start - ONE_DAY))
            if until is not None and term_start > until:
                return
            day = term_start
        while day <= term_end:
            if until is not None and day > until:
                return
            if _open(day, closures):
                yield day
            day += ONE_DAY
    if until is not None and day > until:
        return
    raise CalendarExhausted(after=max(end for _, end in ranges))


def _check_date(value: object, name: str) -> date:
    if isinstance(value, datetime):
        raise TypeError(
            f"{name} must be a date, not a datetime: take its Europe/London date first "
            "(calendars.days.local_date or django.utils.timezone.localdate)."
        )
    if not isinstance(value, date):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}.")
    return value


def _check_days(days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be a whole number, not {type(days).__name__}.")
    if days < 1:
        raise ValueError(
            f"days must be 1 or more (got {days}): counting starts the day after the start "
            "date, so the 1st day counted is the first one after it."
        )
    return days


def _check_terms(terms: Iterable[Term]) -> list[Term]:
    ranges = []
    for term in terms:
        try:
            start, end = term
        except (TypeError, ValueError):
            raise TypeError("Each term must be a (start, end) pair of dates.") from None
        start, end = _check_date(start, "A term's start"), _check_date(end, "A term's end")
        if end < start:
            raise ValueError(
                f"A term must end on or after the day it starts ({start} to {end}); "
                "term end dates are the last day of the term."
            )
        ranges.append((start, end))
    return sorted(ranges)
