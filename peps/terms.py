"""The PEP's terms as plain rules (no database): which term a day falls in, and the
earliest day a term can begin. A PEP's term is the school term it plans for: autumn from
September, spring from January, summer from April (the authority's exact term dates, in
``calendars``, fall inside these windows)."""

from __future__ import annotations

from datetime import date

from .models import Term

_FIRST_MONTH = {Term.AUTUMN: 9, Term.SPRING: 1, Term.SUMMER: 4}


def term_for(day: date) -> str:
    """The PEP term ``day`` falls in.

    >>> term_for(date(2026, 12, 7))
    'autumn'
    """
    if day.month >= 9:
        return Term.AUTUMN
    if day.month <= 3:
        return Term.SPRING
    return Term.SUMMER


def term_window_start(academic_year: str, term: str) -> date:
    """The first day of ``term``'s window in ``academic_year`` (``"2026-27"``): nothing
    planned for that term can be due before it.

    >>> term_window_start("2026-27", "autumn")
    datetime.date(2026, 9, 1)
    >>> term_window_start("2026-27", "summer")
    datetime.date(2027, 4, 1)
    """
    first_year = int(academic_year[:4])
    month = _FIRST_MONTH[Term(term)]
    return date(first_year if month >= 9 else first_year + 1, month, 1)
