"""Reads of the school calendars (terms and closures) for the date arithmetic in
``calendars.days``."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from children.models import School
from epep.tenancy.context import current_db_context
from epep.tenancy.models import LocalAuthority

from .models import SchoolClosure, SchoolTerm

Calendar = tuple[list[tuple[date, date]], frozenset[date]]


def calendar_for(
    *, local_authority: LocalAuthority | int, school: School | int | None = None
) -> Calendar:
    """The authority's terms (inclusive ``(start, end)`` pairs, in order) and its closure
    days: authority-wide ones plus ``school``'s own (INSET days), never another school's.

    Pass the result to ``add_school_days`` / ``school_days_between``:

        terms, closures = calendar_for(local_authority=la, school=school)
        due = add_school_days(started_on, 20, terms, closures)

    Must run inside a context that includes the authority (a request, or
    ``authority_context``): under row-level security another context would silently see
    no terms, and every count would end in ``CalendarExhausted`` for the wrong reason.
    """
    la_id = getattr(local_authority, "pk", local_authority)
    school_id = getattr(school, "pk", school)
    if la_id is None:
        raise ValueError("calendar_for needs an authority.")
    if int(la_id) not in current_db_context().la_ids:
        raise RuntimeError(
            f"calendar_for(local_authority={la_id}) must run inside a context that includes "
            "that authority (a request, or epep.tenancy.context.authority_context)."
        )
    terms = list(
        SchoolTerm.objects.filter(local_authority_id=la_id)
        .order_by("start_date")
        .values_list("start_date", "end_date")
    )
    whose = Q(school__isnull=True)
    if school_id is not None:
        whose |= Q(school_id=school_id)
    closures = frozenset(
        SchoolClosure.objects.filter(whose, local_authority_id=la_id).values_list("date", flat=True)
    )
    return terms, closures
