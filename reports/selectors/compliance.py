"""Compliance now (issue 14 point 1): the children by cohort, PEPs in date, initial PEPs
within the authority's limit, PEPs due in the next 10 school days, overdue PEPs by how
long, broken down by school, social worker team and key stage, and QA waiting and late.

Every figure counts children from ``children_in_scope`` (its definition is the cohort's)
and is worked out on the filter's census date (``ReportFilter.census_date``: the period's
last day, or today while it runs). Aggregates run in PostgreSQL: the section takes the
same number of queries whatever the number of children.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from calendars.days import (
    LONDON,
    CalendarExhausted,
    add_school_days,
    add_working_days,
    long_date,
    working_days_between,
)
from calendars.selectors import calendar_for
from children.models import Child
from deadlines.models import Deadline, DeadlineKind
from epep.tenancy.models import LocalAuthority
from peps.models import Pep, Status
from peps.terms import term_for
from quality.selectors.queue import qa_policy_for

from ..figures import Measure, Row, Section, Table
from ..filters import COHORTS, ReportFilter
from .cohort import (
    AGE_COHORTS,
    KEY_STAGES,
    born_in_years,
    children_in_scope,
    in_care_during,
    school_subquery,
)
from .drill import drill_query

#: How far ahead "due soon" looks, in school days.
DUE_SOON_SCHOOL_DAYS = 10

#: Overdue bands: (key, label, fewest days overdue, most days overdue or None).
OVERDUE_BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("overdue_1_14", "1 to 14 days", 1, 14),
    ("overdue_15_30", "15 to 30 days", 15, 30),
    ("overdue_31_90", "31 to 90 days", 31, 90),
    ("overdue_91", "More than 90 days", 91, None),
)

#: A PEP counts as in date when approved or finalised (QA passed).
DONE_STATUSES = (Status.APPROVED, Status.FINALISED)


@dataclass(frozen=True)
class Dates:
    """The dates the definitions turn on, worked out once per filter (no per-child work)."""

    census: date
    #: The earliest meeting date of a PEP still in date on the census date.
    in_date_from: date
    #: The last day "due in the next 10 school days" reaches.
    due_soon_until: date
    #: A PEP submitted on or before this day (London) is late for QA on the census date.
    qa_late_on_or_before: date
    turnaround: int
    first_pep_limit: str
    cadence: str


def _previous_term_start(day: date) -> date:
    """The first day of the PEP term before the one ``day`` is in (``peps.terms``)."""
    term = term_for(day)
    year = day.year
    return {
        "autumn": date(year, 4, 1),  # summer term of the same calendar year
        "spring": date(year - 1, 9, 1),
        "summer": date(year, 1, 1),
    }[term]


def _months_before(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(day.day, 28))


def _qa_late_cutoff(census: date, turnaround: int) -> date:
    """The latest submission day with more than ``turnaround`` working days between it and
    the census date (as ``quality.selectors.queue.waiting_working_days`` counts them)."""
    day = census
    while working_days_between(day, census) <= turnaround:
        day -= timedelta(days=1)
    return day


def _in_date_from(authority: LocalAuthority, census: date) -> date:
    if authority.review_cadence == LocalAuthority.ReviewCadence.SIX_MONTHLY:
        return _months_before(census, 6)
    return _previous_term_start(census)


def dates_for(filters: ReportFilter, *, authority: LocalAuthority | None = None) -> Dates:
    """Four queries: the authority (its cadence and first-PEP limit; none when given),
    its calendar (two) and its QA policy."""
    if authority is None or authority.pk != filters.local_authority_id:
        authority = LocalAuthority.objects.get(pk=filters.local_authority_id)
    census = filters.census_date
    in_date_from = _in_date_from(authority, census)
    terms, closures = calendar_for(local_authority=authority.pk)
    try:
        due_soon_until = add_school_days(census, DUE_SOON_SCHOOL_DAYS, terms, closures)
    except CalendarExhausted:
        due_soon_until = add_working_days(census, DUE_SOON_SCHOOL_DAYS)
    turnaround = qa_policy_for(authority.pk).turnaround_working_days
    return Dates(
        census=census,
        in_date_from=in_date_from,
        due_soon_until=due_soon_until,
        qa_late_on_or_before=_qa_late_cutoff(census, turnaround),
        turnaround=turnaround,
        first_pep_limit=f"{authority.first_pep_limit} {authority.get_first_pep_unit_display()}",
        cadence=authority.review_cadence,
    )


# --- The definitions, as filters over the children in scope -------------------------------


def in_care_on_census(dates: Dates) -> Q:
    """In care on the census date (the denominator of "in date")."""
    return in_care_during(dates.census, dates.census + timedelta(days=1))


def has_in_date_pep(dates: Dates) -> Q:
    """In date on the census date: the child has a PEP approved or finalised by the
    Virtual School whose meeting was held on or before the census date and no earlier
    than the review cadence allows (termly: in the PEP term of the census date or the
    term before; six-monthly: in the six months before)."""
    peps = Pep.objects.filter(
        child=OuterRef("pk"),
        status__in=DONE_STATUSES,
        meeting_date__gte=dates.in_date_from,
        meeting_date__lte=dates.census,
    )
    return Q(Exists(peps))


def _unmet_on(dates: Dates) -> Q:
    return Q(met_on__isnull=True) | Q(met_on__gt=dates.census)


def _overdue_since(dates: Dates) -> Subquery:
    """The due date of the child's oldest deadline not met on the census date
    (``deadlines``: a deadline is met by the first PEP held on or after its trigger)."""
    deadlines = (
        Deadline.objects.filter(child=OuterRef("pk"), due_date__lt=dates.census)
        .filter(_unmet_on(dates))
        .order_by("due_date")
    )
    return Subquery(deadlines.values("due_date")[:1])


def is_overdue(dates: Dates, fewest: int = 1, most: int | None = None) -> Q:
    """Overdue on the census date by ``fewest`` to ``most`` calendar days: the child's
    oldest PEP deadline (first PEP, termly or six-monthly review, new school, placement,
    key stage) not met on the census date was due that many days before it."""
    q = Q(oldest_overdue_due__lte=dates.census - timedelta(days=fewest))
    if most is not None:
        q &= Q(oldest_overdue_due__gte=dates.census - timedelta(days=most))
    return q


def is_due_soon(dates: Dates) -> Q:
    """Due in the next 10 school days: a PEP deadline not met, due from the census date
    to the 10th school day after it (the authority's term dates and closures; working
    days where the calendar does not reach)."""
    deadlines = Deadline.objects.filter(
        child=OuterRef("pk"),
        due_date__gte=dates.census,
        due_date__lte=dates.due_soon_until,
    ).filter(_unmet_on(dates))
    return Q(Exists(deadlines))


def _first_pep_deadlines(filters: ReportFilter, dates: Dates):
    """First-PEP deadlines of children who entered care in the period, due on or before
    the census date."""
    return Deadline.objects.filter(
        child=OuterRef("pk"),
        kind=DeadlineKind.FIRST_PEP,
        trigger_date__gte=filters.period_start,
        trigger_date__lt=filters.period_end,
        due_date__lte=dates.census,
    )


def first_pep_due(filters: ReportFilter, dates: Dates) -> Q:
    """Entered care in the period with the first PEP due by the census date."""
    return Q(Exists(_first_pep_deadlines(filters, dates)))


def first_pep_on_time(filters: ReportFilter, dates: Dates) -> Q:
    """... and the first PEP held within the authority's limit (the deadline's due date,
    ``first_pep_limit`` working or school days after entering care)."""
    on_time = _first_pep_deadlines(filters, dates).filter(
        met_on__isnull=False, met_on__lte=dates.census
    )
    return Q(Exists(on_time.filter(met_on__lte=F("due_date"))))


def _waiting_peps():
    """PEPs submitted to the Virtual School and waiting for QA: what the QA queue lists
    (``quality.selectors.queue.queue_for``)."""
    return Pep.objects.filter(child=OuterRef("pk"), status=Status.SUBMITTED)


def qa_waiting() -> Q:
    """Has a PEP waiting for QA today."""
    return Q(Exists(_waiting_peps()))


def qa_late(dates: Dates) -> Q:
    """Has a PEP waiting for QA longer than the authority's turnaround (``QaPolicy``)."""
    cutoff = datetime.combine(dates.qa_late_on_or_before + timedelta(days=1), time(0), LONDON)
    return Q(Exists(_waiting_peps().filter(submitted_at__lt=cutoff)))


def _annotate(children: QuerySet[Child], filters: ReportFilter, dates: Dates) -> QuerySet[Child]:
    """Each definition once per child, as a column (counted with filters on these columns:
    an aggregate's filter cannot hold a correlated subquery of its own)."""
    return children.annotate(
        oldest_overdue_due=_overdue_since(dates),
        f_in_care=ExpressionWrapper(in_care_on_census(dates), output_field=BooleanField()),
        f_in_date=ExpressionWrapper(has_in_date_pep(dates), output_field=BooleanField()),
        f_due_soon=ExpressionWrapper(is_due_soon(dates), output_field=BooleanField()),
        f_first_due=ExpressionWrapper(first_pep_due(filters, dates), output_field=BooleanField()),
        f_first_on_time=ExpressionWrapper(
            first_pep_on_time(filters, dates), output_field=BooleanField()
        ),
        f_qa_waiting=ExpressionWrapper(qa_waiting(), output_field=BooleanField()),
        f_qa_late=ExpressionWrapper(qa_late(dates), output_field=BooleanField()),
    )


def _cohort_q(key: str, filters: ReportFilter) -> Q:
    if key == "all":
        return Q()
    if key in AGE_COHORTS:
        return born_in_years(filters.academic_year, *AGE_COHORTS[key])
    if key == "in_authority":
        return Q(scope_school_in_area=True)
    if key == "out_of_authority":
        return Q(scope_school_in_area=False)
    if key == "no_school":
        return Q(scope_school_id__isnull=True)
    return Q(is_uasc=True)


COHORT_ROWS: tuple[tuple[str, str], ...] = (
    ("all", "All children"),
    *[(key, label) for key, label in COHORTS.items() if key != "uasc"][:5],
    ("no_school", "No school recorded"),
    ("uasc", COHORTS["uasc"]),
)


def _measure_q(measure: str, filters: ReportFilter, dates: Dates) -> Q:
    """The children behind each measure key."""
    key = measure.split(".", 1)[1]
    if measure.startswith("cohort."):
        return _cohort_q(key, filters)
    bands = {band: (fewest, most) for band, _, fewest, most in OVERDUE_BANDS}
    if key in bands:
        return is_overdue(dates, *bands[key])
    return {
        "in_care": Q(f_in_care=True),
        "in_date": Q(f_in_care=True, f_in_date=True),
        "not_in_date": Q(f_in_care=True, f_in_date=False),
        "first_pep_due": Q(f_first_due=True),
        "first_pep_on_time": Q(f_first_on_time=True),
        "first_pep_late": Q(f_first_due=True, f_first_on_time=False),
        "due_soon": Q(f_due_soon=True),
        "overdue": is_overdue(dates),
        "qa_waiting": Q(f_qa_waiting=True),
        "qa_late": Q(f_qa_late=True),
    }[key]


MEASURES = (
    *[f"cohort.{key}" for key, _ in COHORT_ROWS],
    *[
        f"compliance.{key}"
        for key in (
            "in_care",
            "in_date",
            "not_in_date",
            "first_pep_due",
            "first_pep_on_time",
            "first_pep_late",
            "due_soon",
            "overdue",
            *[band for band, *_ in OVERDUE_BANDS],
            "qa_waiting",
            "qa_late",
        )
    ],
)


def _drill(measure: str):
    def narrow(children: QuerySet[Child], filters: ReportFilter) -> QuerySet[Child]:
        dates = dates_for(filters)
        return _annotate(children, filters, dates).filter(_measure_q(measure, filters, dates))

    narrow.__name__ = measure.replace(".", "_")
    return narrow


DRILLS = {measure: _drill(measure) for measure in MEASURES}


def _counts(filters: ReportFilter, dates: Dates, keys) -> dict:
    return {
        key.replace(".", "__"): Count("pk", filter=_measure_q(key, filters, dates)) for key in keys
    }


# --- The section ----------------------------------------------------------------------------

BREAKDOWN_MEASURES = (
    "compliance.in_care",
    "compliance.in_date",
    "compliance.overdue",
    "compliance.due_soon",
)


def section(*, actor, filters: ReportFilter) -> Section:
    """PEP compliance on the census date (module docstring)."""
    dates = dates_for(filters, authority=actor.authorities[0])
    scope = _annotate(children_in_scope(actor=actor, filters=filters).order_by(), filters, dates)
    totals = scope.aggregate(**_counts(filters, dates, MEASURES))

    def m(key: str, denominator_key: str | None = None, **overrides) -> Measure:
        value = totals[key.replace(".", "__")]
        denominator = totals[denominator_key.replace(".", "__")] if denominator_key else None
        return Measure(value, denominator=denominator, drill=drill_query(filters, key, **overrides))

    on = long_date(dates.census)
    tables = [
        Table(
            key="cohort",
            title="Children in care in the period, by cohort",
            definition=(
                "Children of the authority in care on at least one day of the period "
                f"({long_date(filters.period_start)} to "
                f"{long_date(filters.period_end - timedelta(days=1))}), including those who "
                "left care or entered it during the period. Early years: before Year 1; "
                "statutory school age: Years 1 to 11; post-16: Year 12 on (chronological "
                f"year group in {filters.year_label}). A school in our area has the "
                "authority's LA code; the school is the one the child was on roll at last "
                f"in the period, by {on}."
            ),
            columns=("Children",),
            rows=tuple(Row(key, label, (m(f"cohort.{key}"),)) for key, label in COHORT_ROWS),
        ),
        Table(
            key="in_date",
            title="Children with an in-date PEP",
            definition=(
                f"Children in care on {on} with a PEP approved or finalised by the Virtual "
                "School whose meeting was held "
                + (
                    "in the six months before that day"
                    if dates.cadence == LocalAuthority.ReviewCadence.SIX_MONTHLY
                    else "in that day's term or the term before"
                )
                + f" (from {long_date(dates.in_date_from)}), out of all children in care "
                "on that day."
            ),
            columns=("Children",),
            rows=(
                Row("in_date", "In date", (m("compliance.in_date", "compliance.in_care"),)),
                Row(
                    "not_in_date",
                    "Not in date",
                    (m("compliance.not_in_date", "compliance.in_care"),),
                ),
            ),
            chart="stacked",
        ),
        Table(
            key="initial",
            title="Initial PEPs within the authority's limit",
            definition=(
                "Children who entered care in the period whose first PEP was due "
                f"({dates.first_pep_limit} after entering care, never after the first care "
                f"review) on or before {on}: held by the due date, or not."
            ),
            columns=("Children",),
            rows=(
                Row(
                    "on_time",
                    "Within the limit",
                    (m("compliance.first_pep_on_time", "compliance.first_pep_due"),),
                ),
                Row(
                    "late",
                    "Late or not held",
                    (m("compliance.first_pep_late", "compliance.first_pep_due"),),
                ),
            ),
            chart="stacked",
        ),
        Table(
            key="due_soon",
            title="PEPs due in the next 10 school days",
            definition=(
                f"Children with a PEP deadline not met, due from {on} to "
                f"{long_date(dates.due_soon_until)} (10 school days of the authority's "
                "calendar; working days where it has no term dates)."
            ),
            columns=("Children",),
            rows=(Row("due_soon", "Due in the next 10 school days", (m("compliance.due_soon"),)),),
            chart="",
        ),
        Table(
            key="overdue",
            title="Overdue PEPs, by how long",
            definition=(
                f"Children with a PEP deadline not met on {on} and due before it, by how "
                "many calendar days their oldest such deadline is overdue."
            ),
            columns=("Children",),
            rows=tuple(
                Row(band, label, (m(f"compliance.{band}", "compliance.overdue"),))
                for band, label, *_ in OVERDUE_BANDS
            )
            + (Row("overdue", "All overdue", (m("compliance.overdue"),)),),
        ),
        *_breakdowns(scope, filters, dates),
        Table(
            key="qa",
            title="Quality assurance waiting and late",
            definition=(
                "Children with a PEP submitted to the Virtual School and waiting for QA "
                "today (the QA queue), and those of them waiting more than the QA "
                f"turnaround ({dates.turnaround} working days) on {on}."
            ),
            columns=("Children",),
            rows=(
                Row("qa_waiting", "Waiting for QA", (m("compliance.qa_waiting"),)),
                Row("qa_late", "Late", (m("compliance.qa_late", "compliance.qa_waiting"),)),
            ),
        ),
    ]
    empty = ""
    if not totals["cohort__all"]:
        empty = f"No children were in care in {_period_label(filters)} for this filter."
    return Section(
        key="compliance", title="PEP compliance", tables=tuple(tables), empty_message=empty
    )


def _period_label(filters: ReportFilter) -> str:
    if filters.term:
        return f"the {filters.term} term {filters.year_label}"
    return filters.year_label


BREAKDOWN_COLUMNS = ("Children", "In-date PEP", "Overdue", "Due in the next 10 school days")


def _breakdowns(scope, filters: ReportFilter, dates: Dates) -> list[Table]:
    """By school, social worker team and key stage: one GROUP BY query each."""
    counts = _counts(filters, dates, BREAKDOWN_MEASURES)
    by_school = (
        scope.annotate(scope_school_name=school_subquery(filters, "school__name"))
        .values("scope_school_id", "scope_school_name")
        .annotate(**counts)
        .order_by("scope_school_name")
    )
    by_team = scope.values("scope_team").annotate(**counts).order_by("scope_team")
    by_stage = scope.values("scope_key_stage").annotate(**counts)
    stage_order = [*KEY_STAGES, "Pre-school", "Post-18"]
    stages = sorted(by_stage, key=lambda r: stage_order.index(r["scope_key_stage"]))

    def row(key, label, values, **overrides):
        def cell(measure, denominator=None):
            return Measure(
                values[measure.replace(".", "__")],
                denominator=values[denominator.replace(".", "__")] if denominator else None,
                drill=drill_query(filters, measure, **overrides) if overrides else "",
            )

        return Row(
            str(key),
            label,
            (
                cell("compliance.in_care"),
                cell("compliance.in_date", "compliance.in_care"),
                cell("compliance.overdue"),
                cell("compliance.due_soon"),
            ),
        )

    definition = (
        "Children in care on the census date ({on}), their in-date PEPs, overdue PEPs "
        "and PEPs due in the next 10 school days (as defined above), by {by}."
    )
    on = long_date(dates.census)
    return [
        Table(
            key="by_school",
            title="By school",
            definition=definition.format(
                on=on, by="the school each child was on roll at last in the period"
            ),
            columns=BREAKDOWN_COLUMNS,
            rows=tuple(
                row(r["scope_school_id"], r["scope_school_name"], r, school_id=r["scope_school_id"])
                if r["scope_school_id"]
                else row("none", "No school recorded", r)
                for r in by_school
            ),
        ),
        Table(
            key="by_team",
            title="By social worker team",
            definition=definition.format(
                on=on, by="the team of the social worker allocated latest in the period"
            ),
            columns=BREAKDOWN_COLUMNS,
            rows=tuple(
                row(r["scope_team"], r["scope_team"], r, team=r["scope_team"])
                if r["scope_team"]
                else row("none", "No team recorded", r)
                for r in by_team
            ),
        ),
        Table(
            key="by_key_stage",
            title="By key stage",
            definition=definition.format(
                on=on, by=f"key stage (chronological year group in {filters.year_label})"
            ),
            columns=BREAKDOWN_COLUMNS,
            rows=tuple(
                row(r["scope_key_stage"], r["scope_key_stage"], r, key_stage=r["scope_key_stage"])
                if r["scope_key_stage"] in KEY_STAGES
                else row(r["scope_key_stage"], r["scope_key_stage"], r)
                for r in stages
            ),
        ),
    ]


#: The home page's headlines: the ones that need no calendar (one query in all).
SUMMARY_MEASURES = (
    "compliance.in_care",
    "compliance.in_date",
    "compliance.overdue",
    "compliance.qa_waiting",
)


def summary(*, actor, filters: ReportFilter) -> dict[str, Measure]:
    """The headline figures of the Virtual School's home, as the section defines them: one
    aggregate query (the authority comes with the actor; these need no calendar)."""
    authority = actor.authorities[0]
    census = filters.census_date
    dates = Dates(
        census=census,
        in_date_from=_in_date_from(authority, census),
        due_soon_until=census,
        qa_late_on_or_before=census,
        turnaround=0,
        first_pep_limit="",
        cadence=authority.review_cadence,
    )
    scope = (
        children_in_scope(actor=actor, filters=filters)
        .order_by()
        .annotate(
            oldest_overdue_due=_overdue_since(dates),
            f_in_care=ExpressionWrapper(in_care_on_census(dates), output_field=BooleanField()),
            f_in_date=ExpressionWrapper(has_in_date_pep(dates), output_field=BooleanField()),
            f_qa_waiting=ExpressionWrapper(qa_waiting(), output_field=BooleanField()),
        )
    )
    totals = scope.aggregate(**_counts(filters, dates, SUMMARY_MEASURES))
    measures = {}
    for key in SUMMARY_MEASURES:
        denominator = {"compliance.in_date": "compliance.in_care"}.get(key)
        measures[key.split(".", 1)[1]] = Measure(
            totals[key.replace(".", "__")],
            denominator=totals[denominator.replace(".", "__")] if denominator else None,
            drill=drill_query(filters, key),
        )
    return measures
