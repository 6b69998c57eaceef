"""Reads of the school calendars (terms and closures) for the date arithmetic in
``calendars.days``."""

from __future__ import annotations

import csv
import logging
from datetime import date
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from children import stages
from children.models import School
from children.stages import academic_year_label, academic_year_start
from epep.tenancy import clock
from epep.tenancy.access import fetch_or_404
from epep.tenancy.context import current_db_context
from epep.tenancy.models import LocalAuthority

from .models import SchoolClosure, SchoolTerm, SubmissionDate
from .permissions import calendar_authority_ids

Calendar = tuple[list[tuple[date, date]], frozenset[date]]

logger = logging.getLogger(__name__)


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


def access_closure_by_id(*, actor, closure_id) -> SchoolClosure:
    """The one way to fetch a closure a URL names: one of a calendar ``actor`` keeps, or
    the same 404 as a missing id (the refusal recorded: ``epep.tenancy.access``)."""
    return fetch_or_404(
        SchoolClosure.objects.filter(
            local_authority_id__in=calendar_authority_ids(actor)
        ).select_related("local_authority", "school"),
        actor=actor,
        object_type="calendars.schoolclosure",
        public_id=closure_id,
        belongs_to_child=False,
    )


def academic_years_around(day: date) -> tuple[str, str]:
    """The academic year containing ``day`` and the next one (``("2026-27", "2027-28")``)."""
    start = academic_year_start(day)
    return academic_year_label(start), academic_year_label(start.replace(year=start.year + 1))


#: The cache of :func:`years_without_terms`, per authority; dropped by
#: :func:`forget_years_without_terms` whenever the calendar changes.
YEARS_WITHOUT_TERMS_KEY = "calendars:years-without-terms:{local_authority_id}"
YEARS_WITHOUT_TERMS_TIMEOUT = 6 * 60 * 60


def years_without_terms(*, local_authority_id: int) -> list[str]:
    """Which of the current and the next academic year (by the project clock) have no
    term dates for the authority: the Virtual School pages warn about them. One query at
    most, then cached until the calendar changes (or six hours pass)."""
    years = academic_years_around(clock.today())
    key = YEARS_WITHOUT_TERMS_KEY.format(local_authority_id=int(local_authority_id))
    try:
        cached = cache.get(key)
    except Exception:  # Redis unreachable: ask the database (the page must not fail)
        cached = None
    if cached is not None and tuple(cached[0]) == years:
        return list(cached[1])
    have = set(
        SchoolTerm.objects.filter(local_authority_id=local_authority_id, academic_year__in=years)
        .values_list("academic_year", flat=True)
        .distinct()
    )
    missing = [year for year in years if year not in have]
    try:
        cache.set(key, (list(years), missing), YEARS_WITHOUT_TERMS_TIMEOUT)
    except Exception as error:  # Redis unreachable: nothing kept
        logger.warning("Term-dates warning: cache unavailable: %r", error)
    return missing


def forget_years_without_terms(*, local_authority_id: int) -> None:
    """A ``calendar_changed`` receiver: the warning is worked out again on the next page."""
    key = YEARS_WITHOUT_TERMS_KEY.format(local_authority_id=int(local_authority_id))

    def drop() -> None:
        try:
            cache.delete(key)
        except Exception as error:  # Redis unreachable: the entry expires on its own
            logger.warning("Term-dates warning %s not dropped: %r", key, error)

    drop()
    # Again once committed: a page read between the two saw the calendar before the change.
    transaction.on_commit(drop)


#: The published term dates kept with the children app's reference data.
REFERENCE_TERM_DATES = Path(stages.__file__).resolve().parent / "data" / "term-dates.csv"


def published_terms(*, la_code: str, academic_year: str) -> list[dict]:
    """The term dates published for the authority with DfE code ``la_code`` in
    ``academic_year``, from the reference data (``children/data/term-dates.csv``), in
    order: ``name``, ``start_date``, ``end_date``, ``source``. Empty when it has none."""
    with REFERENCE_TERM_DATES.open(encoding="utf-8", newline="") as f:
        rows = [
            row
            for row in csv.DictReader(f)
            if row["la_code"] == la_code and row["academic_year"] == academic_year
        ]
    terms = [
        {
            "name": row["term_name"],
            "start_date": date.fromisoformat(row["start_date"]),
            "end_date": date.fromisoformat(row["end_date"]),
            "source": row["source_ref"],
        }
        for row in rows
    ]
    return sorted(terms, key=lambda t: t["start_date"])


def calendar_year(*, local_authority_id: int, academic_year: str) -> dict:
    """The authority's terms, closures and submission dates of ``academic_year`` (a label
    like 2026-27; closures from 1 September to 31 August), each in date order: three
    queries, for the settings pages."""
    first_year = int(academic_year[:4])
    return {
        "terms": list(
            SchoolTerm.objects.filter(
                local_authority_id=local_authority_id, academic_year=academic_year
            ).order_by("start_date")
        ),
        "closures": list(
            SchoolClosure.objects.filter(
                local_authority_id=local_authority_id,
                date__gte=date(first_year, 9, 1),
                date__lte=date(first_year + 1, 8, 31),
            )
            .select_related("school")
            .order_by("date", "school__name")
        ),
        "submission_dates": list(
            SubmissionDate.objects.filter(
                local_authority_id=local_authority_id, academic_year=academic_year
            ).order_by("date")
        ),
    }
