"""The filters every figure takes (issue 14 point 5): academic year and term, cohort,
school, key stage and social worker team, for one authority.

``parse_filters`` reads a request's query string, checks every value against what the
actor's authority holds (an unknown school or a term with no dates is an error naming the
field, never a silently ignored filter) and works out the period and the census date the
figures are counted on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

from calendars.models import SchoolTerm
from children.models import Enrolment, School
from children.stages import academic_year_start
from epep.tenancy import clock
from epep.tenancy.models import Membership

Term = Literal["autumn", "spring", "summer"]
Cohort = Literal["early_years", "school_age", "post_16", "in_authority", "out_of_authority", "uasc"]

COHORTS: dict[str, str] = {
    "early_years": "Early years",
    "school_age": "Statutory school age",
    "post_16": "Post-16",
    "in_authority": "In schools in our area",
    "out_of_authority": "In schools outside our area",
    "uasc": "Unaccompanied asylum-seeking children",
}


@dataclass(frozen=True)
class ReportFilter:
    local_authority_id: int
    #: The academic year by its first calendar year: 2026 is 2026/27.
    academic_year: int
    term: Term | None
    #: First day and the first day after the period (the term, or the academic year).
    period_start: dt.date
    period_end: dt.date
    #: The day children are counted on: the last day of the period, or today while the
    #: period is running.
    census_date: dt.date
    cohort: Cohort | None = None
    school_id: int | None = None
    key_stage: str | None = None
    team: str | None = None

    def without(self, *names: str) -> ReportFilter:
        """The same filter with the named dimensions cleared (a breakdown by school
        ignores the school filter's own value only where it says so)."""
        return replace(self, **{name: None for name in names})

    @property
    def year_label(self) -> str:
        return f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"


#: The dimensions as they appear in a query string, in order.
QUERY_KEYS = ("year", "term", "cohort", "school", "key_stage", "team")

TERMS: dict[str, str] = {"autumn": "Autumn term", "spring": "Spring term", "summer": "Summer term"}

KEY_STAGE_CHOICES = ("EYFS", "KS1", "KS2", "KS3", "KS4", "Post-16")

#: The earliest academic year a report is asked for.
FIRST_YEAR = 2000


def term_period(academic_year: int, term: str) -> tuple[dt.date, dt.date]:
    """The PEP term's window (``peps.terms``): autumn from 1 September to 31 December,
    spring from 1 January to 31 March, summer from 1 April to 31 August; as (first day,
    first day after)."""
    year = academic_year
    return {
        "autumn": (dt.date(year, 9, 1), dt.date(year + 1, 1, 1)),
        "spring": (dt.date(year + 1, 1, 1), dt.date(year + 1, 4, 1)),
        "summer": (dt.date(year + 1, 4, 1), dt.date(year + 1, 9, 1)),
    }[term]


def period_of(academic_year: int, term: str | None) -> tuple[dt.date, dt.date]:
    """(first day, first day after) of the term, or of the academic year without one."""
    if term is None:
        return dt.date(academic_year, 9, 1), dt.date(academic_year + 1, 9, 1)
    return term_period(academic_year, term)


def census_of(start: dt.date, end: dt.date, today: dt.date) -> dt.date:
    """The day children are counted on: the period's last day, today while it runs, its
    first day before it starts."""
    return max(start, min(today, end - dt.timedelta(days=1)))


def parse_year(raw: str, *, today: dt.date) -> int | None:
    """ "2026", "2026-27" or "2026/27" -> 2026; None for anything else (a second part that
    does not follow the first, a year before 2000 or after next year)."""
    raw = raw.strip()
    first, sep, second = raw.replace("/", "-").partition("-")
    if not first.isdigit() or len(first) != 4:
        return None
    year = int(first)
    if sep and (not second.isdigit() or len(second) != 2 or int(second) != (year + 1) % 100):
        return None
    if year < FIRST_YEAR or year > today.year + 1:
        return None
    return year


def parse_filters(*, actor, data) -> tuple[ReportFilter, dict[str, str]]:
    """The filter a request asks for (``data``: its GET), and an error message per bad
    field ("year", "term", "cohort", "school", "key_stage", "team").

    A bad value is left out of the filter (the figures are still shown, without it) and
    its field gets the message: an invalid year falls back to the current academic year,
    an unknown school (not one the authority's children have been on roll at), team (no
    worker of the authority is in it) or key stage is never silently ignored. A term is
    checked against the authority's term dates: a term with none is an error on "term"
    (the figures still use the term's window). Four queries at most.
    """
    authority = actor.authorities[0]
    today = clock.today()
    errors: dict[str, str] = {}
    # A NUL byte cannot reach PostgreSQL, and no filter's value has one: treat it as the
    # unknown value it is.
    get = lambda key: (data.get(key) or "").replace("\x00", "\ufffd").strip()  # noqa: E731

    year = academic_year_start(today).year
    if raw := get("year"):
        parsed = parse_year(raw, today=today)
        if parsed is None:
            errors["year"] = "Enter an academic year like 2026/27, from 2000/01 to next year."
        else:
            year = parsed

    term = get("term") or None
    if term is not None and term not in TERMS:
        errors["term"] = "Choose autumn, spring or summer term."
        term = None

    cohort = get("cohort") or None
    if cohort is not None and cohort not in COHORTS:
        errors["cohort"] = "Choose a cohort from the list."
        cohort = None

    key_stage = get("key_stage") or None
    if key_stage is not None and key_stage not in KEY_STAGE_CHOICES:
        errors["key_stage"] = "Choose a key stage from the list."
        key_stage = None

    school_id = None
    if raw := get("school"):
        known = (
            raw.isascii()
            and raw.isdigit()
            and len(raw) <= 18
            and School.objects.filter(pk=int(raw))
            .filter(
                pk__in=Enrolment.objects.filter(local_authority_id=authority.pk).values("school_id")
            )
            .exists()
        )
        if known:
            school_id = int(raw)
        else:
            errors["school"] = "No child of this authority has been on roll at that school."

    team = get("team") or None
    if team is not None:
        if not Membership.objects.filter(local_authority_id=authority.pk, team=team).exists():
            errors["team"] = f"No worker of this authority is in the team '{team[:80]}'."
            team = None

    start, end = period_of(year, term)
    if term is not None and "year" not in errors:
        has_dates = SchoolTerm.objects.filter(
            local_authority_id=authority.pk, start_date__gte=start, start_date__lt=end
        ).exists()
        if not has_dates:
            label = f"{TERMS[term].lower()} {year}/{(year + 1) % 100:02d}"
            errors["term"] = (
                f"There are no term dates for the {label}: the figures count "
                f"from {start:%-d %B %Y} to {end - dt.timedelta(days=1):%-d %B %Y}."
            )

    filters = ReportFilter(
        local_authority_id=authority.pk,
        academic_year=year,
        term=term,
        period_start=start,
        period_end=end,
        census_date=census_of(start, end, today),
        cohort=cohort,
        school_id=school_id,
        key_stage=key_stage,
        team=team,
    )
    return filters, errors
