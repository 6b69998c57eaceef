"""Which children a figure counts: the cohort in scope of a report filter.

Every section of the dashboard starts from :func:`children_in_scope`, so "the children"
means the same everywhere (screen, exports, the annual report).
"""

from __future__ import annotations

from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from children.models import Allocation, CarePeriod, Child, Enrolment, School, WorkerRole
from children.selectors import children_for
from epep.tenancy.models import Membership

from ..filters import ReportFilter

#: Key stages by national curriculum year (first, last), as ``children.stages`` names them.
KEY_STAGES: dict[str, tuple[int, int]] = {
    "EYFS": (-1, 0),
    "KS1": (1, 2),
    "KS2": (3, 6),
    "KS3": (7, 9),
    "KS4": (10, 11),
    "Post-16": (12, 13),
}

#: The age cohorts by national curriculum year (first, last; None: no bound).
AGE_COHORTS: dict[str, tuple[int | None, int | None]] = {
    "early_years": (None, 0),
    "school_age": (1, 11),
    "post_16": (12, None),
}


def born_in_years(academic_year: int, first: int | None, last: int | None) -> Q:
    """Children whose chronological national curriculum year in ``academic_year`` (its
    first calendar year) is between ``first`` and ``last``: NC year = age on the 31 August
    before the year starts - 4 (``children.stages``), so year n is born from 1 September
    of ``academic_year - n - 5`` to 31 August of ``academic_year - n - 4``."""
    q = Q()
    if last is not None:
        q &= Q(date_of_birth__gte=date(academic_year - last - 5, 9, 1))
    if first is not None:
        q &= Q(date_of_birth__lte=date(academic_year - first - 4, 8, 31))
    return q


def key_stage_expression(academic_year: int) -> Case:
    """The child's key stage in ``academic_year`` as SQL (for GROUP BY): "EYFS" … "Post-16",
    "Pre-school" below Nursery and "Post-18" after Year 13."""
    whens = [
        When(born_in_years(academic_year, first, last), then=Value(name))
        for name, (first, last) in KEY_STAGES.items()
    ]
    whens.append(When(born_in_years(academic_year, -1, None), then=Value("Post-18")))
    return Case(*whens, default=Value("Pre-school"), output_field=CharField())


def in_care_during(start: date, end: date) -> Q:
    """Children in care on at least one day from ``start`` up to (not including) ``end``:
    a recorded period of care overlapping it, or, for a child with no periods recorded,
    their entered/left care dates (``left_care_on`` is the first day no longer in care)."""
    periods = CarePeriod.objects.filter(child=OuterRef("pk"))
    overlapping = periods.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=start), started_on__lt=end
    )
    by_dates = Q(entered_care_on__lt=end) & (
        Q(left_care_on__isnull=True) | Q(left_care_on__gt=start)
    )
    return Q(Exists(overlapping)) | (~Q(Exists(periods)) & by_dates)


def school_subquery(filters: ReportFilter, field: str = "school_id") -> Subquery:
    """``field`` of the child's school in the period: the enrolment in force latest in the
    period, on or before the census date (a child who moved school counts at the last one;
    a child who left care mid-term at the school they were at then)."""
    enrolments = (
        Enrolment.objects.filter(child=OuterRef("pk"), start_date__lte=filters.census_date)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=filters.period_start))
        .order_by("-start_date")
    )
    return Subquery(enrolments.values(field)[:1])


def team_subquery(filters: ReportFilter) -> Subquery:
    """The team of the child's social worker in the period: the social worker allocated
    latest in the period (on or before the census date), their social worker membership's
    team in the child's authority; NULL without one (or with no team recorded)."""
    team = Membership.objects.filter(
        user_id=OuterRef("worker_id"),
        local_authority_id=OuterRef("local_authority_id"),
        role=WorkerRole.SOCIAL_WORKER,
    ).exclude(team="")
    allocations = (
        Allocation.objects.filter(
            child=OuterRef("pk"),
            kind=WorkerRole.SOCIAL_WORKER,
            start_date__lte=filters.census_date,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=filters.period_start))
        .order_by("-start_date")
        .annotate(team=Subquery(team.values("team")[:1]))
    )
    return Subquery(allocations.values("team")[:1], output_field=CharField())


def children_in_scope(*, actor, filters: ReportFilter) -> QuerySet[Child]:
    """The children a report for ``filters`` counts.

    Definition: the children of the actor's authority (through ``children_for``, the one
    access path: a child of another authority never enters a figure) who were in care on
    at least one day of the period (``filters.period_start`` up to ``period_end``: a child
    who left care mid-term, or entered it, counts for that term), narrowed by

    - cohort: early years (before Year 1: Nursery, Reception and younger), statutory
      school age (Years 1 to 11), post-16 (Year 12 on), by chronological year group in the
      filter's academic year; in schools in our area (their school's LA code is the
      authority's) or outside it (another code, or a school added by hand with none; a
      child with no school is in neither); unaccompanied asylum-seeking children;
    - school: their school in the period (the enrolment in force latest in the period, on
      or before the census date);
    - key stage: by chronological year group in the filter's academic year;
    - team: their social worker's team (the social worker allocated latest in the period).

    Annotated with ``scope_school_id``, ``scope_school_in_area`` (True, False, or NULL
    without a school), ``scope_team`` and ``scope_key_stage``, for breakdowns. Ordered by
    name for lists: call ``.order_by()`` before grouping.
    """
    year = filters.academic_year
    children = (
        children_for(actor=actor, day=filters.census_date)
        .filter(local_authority_id=filters.local_authority_id)
        .filter(in_care_during(filters.period_start, filters.period_end))
        .annotate(
            scope_school_id=school_subquery(filters, "school_id"),
            scope_school_la_code=school_subquery(filters, "school__la_code"),
        )
        .annotate(
            scope_school_in_area=Case(
                When(scope_school_id__isnull=True, then=Value(None)),
                When(scope_school_la_code=F("local_authority__code"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            scope_team=team_subquery(filters),
            scope_key_stage=key_stage_expression(year),
        )
    )
    cohort = filters.cohort
    if cohort in AGE_COHORTS:
        children = children.filter(born_in_years(year, *AGE_COHORTS[cohort]))
    elif cohort == "in_authority":
        children = children.filter(scope_school_in_area=True)
    elif cohort == "out_of_authority":
        children = children.filter(scope_school_in_area=False)
    elif cohort == "uasc":
        children = children.filter(is_uasc=True)
    if filters.school_id is not None:
        children = children.filter(scope_school_id=filters.school_id)
    if filters.key_stage:
        children = children.filter(born_in_years(year, *KEY_STAGES[filters.key_stage]))
    if filters.team:
        children = children.filter(scope_team=filters.team)
    return children


__all__ = [
    "AGE_COHORTS",
    "KEY_STAGES",
    "born_in_years",
    "children_in_scope",
    "in_care_during",
    "key_stage_expression",
    "schools_of_authority",
    "teams_of_authority",
]


def schools_of_authority(local_authority_id: int) -> list[tuple[int, str]]:
    """(id, name) of every school the authority's children have been on roll at, by name:
    the school filter's choices (one query)."""
    return list(
        School.objects.filter(
            pk__in=Enrolment.objects.filter(local_authority_id=local_authority_id).values(
                "school_id"
            )
        )
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


def teams_of_authority(local_authority_id: int) -> list[str]:
    """The teams the authority's workers are in, by name: the team filter's choices."""
    return list(
        Membership.objects.filter(local_authority_id=local_authority_id)
        .exclude(team="")
        .order_by("team")
        .values_list("team", flat=True)
        .distinct()
    )
