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
