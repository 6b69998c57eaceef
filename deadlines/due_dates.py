"""PEP deadlines: pure rules, no database.

Every function takes the authority's policy and calendar (terms and closures from
``calendars.selectors.calendar_for``) as arguments. Counting follows
``calendars.days``: it starts the day *after* the event, so "within 10 working days
of entering care on Monday 5 January" is the 10th working day after 5 January.

Rules (``docs``: /work/shared/domain.md, "Timescales"):

- **First PEP** (``first_pep``): ``first_pep_limit`` working days or school days after
  entering care, per the authority (default 10 working days). The first PEP must also be
  ready for the first statutory care review, 20 working days after entry
  (``statutory_review_ready``, a deadline of its own). When the authority counts in school
  days the school-day date can land later (over a holiday): the first-PEP due date is then
  the **earlier** of the two, because a PEP held after the review is no use to it.
- **New school** (``new_school``): 20 school days after the enrolment starts.
- **New placement** (``new_placement``): a full PEP within 20 school days of the placement
  starting (the guidance says "a full PEP at every significant change" without a period;
  we use the new-school period so that both changes are treated alike).
- **New key stage** (``key_stage``): entering year 3, 7 or 10, i.e. 1 September of that
  academic year; a full PEP within 20 school days of it (the 20th school day of the
  autumn term).
- **Termly review** (``termly_review``): by each of the authority's termly submission
  dates (``calendars.SubmissionDate``).
- **Six-monthly review** (``six_monthly``): six calendar months after the last finalised
  PEP's meeting, where the authority reviews every six months.

School days need the term dates. Where the recorded terms do not reach (``CalendarExhausted``)
a school-day rule falls back to the same number of **working days**: there are never fewer
working days than school days in a stretch, so the fallback date is never later than the
true one, and the deadline says how it was counted.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from calendars.days import (
    CalendarExhausted,
    add_school_days,
    add_working_days,
    long_date,
    school_days_between,
    working_days_between,
)
from children import stages

__all__ = [
    "DUE_SOON_DAYS",
    "KEY_STAGE_YEARS",
    "Due",
    "DeadlineState",
    "add_months",
    "deadline_state",
    "first_pep_due",
    "key_stage_starts",
    "key_stage_due",
    "new_placement_due",
    "new_school_due",
    "six_monthly_due",
    "statutory_review_ready_due",
    "termly_review_dues",
]

Term = tuple[date, date]

FIRST_PEP = "first_pep"
STATUTORY_REVIEW_READY = "statutory_review_ready"
NEW_SCHOOL = "new_school"
NEW_PLACEMENT = "new_placement"
KEY_STAGE = "key_stage"
TERMLY_REVIEW = "termly_review"
SIX_MONTHLY = "six_monthly"

#: Statutory: the first care review is 20 working days after entering care.
STATUTORY_REVIEW_WORKING_DAYS = 20
#: A PEP after a new school, a new placement or a new key stage.
CHANGE_SCHOOL_DAYS = 20
#: Entering these years starts a new key stage that needs a full PEP (KS2, KS3, KS4).
KEY_STAGE_YEARS = (3, 7, 10)
#: "Due soon" within this many school days (working days without a calendar).
DUE_SOON_DAYS = 10
WORKING_DAYS = "working_days"
SCHOOL_DAYS = "school_days"


@dataclass(frozen=True)
class Due:
    """A computed due date and how it was counted (shown as the deadline's source)."""

    date: date
    source: str


def _school_or_working(
    start: date, days: int, terms: Iterable[Term], closures: Collection[date]
) -> tuple[date, str]:
    try:
        return add_school_days(start, days, terms, closures), f"{days} school days"
    except CalendarExhausted:
        return add_working_days(start, days), f"{days} working days (no term dates recorded)"


def statutory_review_ready_due(entered_care_on: date) -> Due:
    due = add_working_days(entered_care_on, STATUTORY_REVIEW_WORKING_DAYS)
    return Due(
        due,
        f"First care review: {STATUTORY_REVIEW_WORKING_DAYS} working days after entering "
        f"care on {long_date(entered_care_on)}",
    )


def first_pep_due(
    entered_care_on: date,
    *,
    limit: int = 10,
    unit: str = WORKING_DAYS,
    terms: Iterable[Term] = (),
    closures: Collection[date] = frozenset(),
) -> Due:
    """``limit`` working or school days after entering care, and never after the first
    statutory review (20 working days)."""
    review = statutory_review_ready_due(entered_care_on).date
    if unit == SCHOOL_DAYS:
        due, counted = _school_or_working(entered_care_on, limit, terms, closures)
    else:
        due, counted = add_working_days(entered_care_on, limit), f"{limit} working days"
    source = f"{counted} after entering care on {long_date(entered_care_on)}"
    if review < due:
        due, source = review, f"{source}, brought forward to the first care review"
    return Due(due, source)


def new_school_due(
    started_on: date, terms: Iterable[Term] = (), closures: Collection[date] = frozenset()
) -> Due:
    due, counted = _school_or_working(started_on, CHANGE_SCHOOL_DAYS, terms, closures)
    return Due(due, f"{counted} after starting at the school on {long_date(started_on)}")


def new_placement_due(
    started_on: date, terms: Iterable[Term] = (), closures: Collection[date] = frozenset()
) -> Due:
    due, counted = _school_or_working(started_on, CHANGE_SCHOOL_DAYS, terms, closures)
    return Due(due, f"{counted} after the placement started on {long_date(started_on)}")


def key_stage_starts(date_of_birth: date, since: date, until: date) -> list[tuple[int, date]]:
    """(year, 1 September) for each entry into year 3, 7 or 10 in ``[since, until]``."""
    found = []
    for year in range(since.year - 1, until.year + 1):
        first = date(year, 9, 1)
        if since <= first <= until:
            nc_year = stages.national_curriculum_year(date_of_birth, first)
            if nc_year in KEY_STAGE_YEARS:
                found.append((nc_year, first))
    return found


def key_stage_due(
    year: int,
    starts_on: date,
    terms: Iterable[Term] = (),
    closures: Collection[date] = frozenset(),
) -> Due:
    """20 school days from the start of the academic year (counted from 31 August, so
    the autumn term's first school day is day 1)."""
    due, counted = _school_or_working(
        starts_on - timedelta(days=1), CHANGE_SCHOOL_DAYS, terms, closures
    )
    return Due(
        due,
        f"{counted} into year {year} ({stages.key_stage(year)}), from {long_date(starts_on)}",
    )


def termly_review_dues(
    submission_dates: Iterable[date], *, since: date, today: date
) -> list[tuple[date, date]]:
    """(trigger, due) for each submission date after ``since``, up to and including the
    first one on or after ``today`` (the next one). The trigger is the previous
    submission date (``since`` for the first): a PEP held after it counts."""
    dates = sorted(d for d in set(submission_dates) if d > since)
    found, trigger = [], since
    for due in dates:
        found.append((trigger, due))
        trigger = due
        if due >= today:
            break
    return found


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the month's end (31 Aug + 6 = 28/29
    Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def six_monthly_due(last_pep_on: date) -> Due:
    return Due(
        add_months(last_pep_on, 6),
        f"Six months after the last PEP meeting on {long_date(last_pep_on)}",
    )


# ---------------------------------------------------------------------------------------
# State of a deadline on a day
# ---------------------------------------------------------------------------------------

UPCOMING = "upcoming"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
MET_ON_TIME = "met_on_time"
MET_LATE = "met_late"

_TAGS = {
    UPCOMING: "govuk-tag--blue",
    DUE_SOON: "govuk-tag--yellow",
    OVERDUE: "govuk-tag--red",
    MET_ON_TIME: "govuk-tag--green",
    MET_LATE: "govuk-tag--orange",
}


@dataclass(frozen=True)
class DeadlineState:
    code: str
    label: str
    #: counted days left (school days, or working days without a calendar); None when met
    #: or overdue
    days_left: int | None = None

    @property
    def tag_class(self) -> str:
        return _TAGS[self.code]

    @property
    def is_met(self) -> bool:
        return self.code in (MET_ON_TIME, MET_LATE)


def _days_left(
    today: date, due: date, terms: Iterable[Term] | None, closures: Collection[date]
) -> tuple[int, str]:
    if terms:
        try:
            return school_days_between(today, due, terms, closures), "school"
        except CalendarExhausted:
            pass
    return working_days_between(today, due), "working"


def deadline_state(
    due: date,
    met_on: date | None,
    today: date,
    *,
    terms: Iterable[Term] | None = None,
    closures: Collection[date] = frozenset(),
    soon: int = DUE_SOON_DAYS,
) -> DeadlineState:
    """Upcoming, due soon (``soon`` school days or fewer left: working days when the
    calendar does not reach), overdue (after the due date, not met), met on time (on or
    before the due date) or met late."""
    if met_on is not None:
        if met_on <= due:
            return DeadlineState(MET_ON_TIME, "Met on time")
        return DeadlineState(MET_LATE, "Met late")
    if today > due:
        return DeadlineState(OVERDUE, "Overdue")
    if today == due:
        return DeadlineState(DUE_SOON, "Due today", 0)
    left, unit = _days_left(today, due, terms, closures)
    if left <= soon:
        if left == 0:  # only non-counted days before the due date (e.g. a holiday)
            return DeadlineState(DUE_SOON, f"Due {_short(due)}", 0)
        plural = "" if left == 1 else "s"
        return DeadlineState(DUE_SOON, f"Due in {left} {unit} day{plural}", left)
    return DeadlineState(UPCOMING, f"Due {_short(due)}", left)


def _short(day: date) -> str:
    return f"{day.day} {long_date(day).split()[1][:3]} {day.year}"
