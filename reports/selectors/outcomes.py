"""Outcomes (issue 14 point 4): attendance, suspensions and exclusions, attainment against
baseline by key stage and over time, and NEET for post-16, from what the PEPs record.

Which PEPs count: for a child in scope (``children_in_scope``) and a term, their latest PEP
of that term of the filter's academic year that reached the Virtual School (submitted,
returned, approved or finalised: a draft may still be half filled in). "Latest" is the
most recently created, so an initial PEP written after the termly review replaces it.

Every figure is a count of children, aggregated in PostgreSQL over the PEPs' JSON sections
(``KT`` / ``Cast``) and attainment rows: a constant number of queries (three) whatever the
number of children.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from children.models import Child
from peps.models import AttainmentEntry, Pep, PepSection, Status
from peps.scales import GCSE, POST_16, PRIMARY

from ..figures import Measure, Row, Section, Table
from ..filters import ReportFilter
from .cohort import KEY_STAGES, children_in_scope
from .drill import drill_query

TERMS = (("autumn", "Autumn term"), ("spring", "Spring term"), ("summer", "Summer term"))

#: PEPs whose figures count: those that reached the Virtual School.
COUNTED_STATUSES = (Status.SUBMITTED, Status.RETURNED, Status.APPROVED, Status.FINALISED)

#: Persistent absence: attendance under this percentage of possible sessions.
PERSISTENT_ABSENCE_BELOW = 90
#: Severe absence: attendance under this percentage.
SEVERE_ABSENCE_BELOW = 50

#: A number as typed in a PEP's section ("94.5"); anything else counts as not recorded.
NUMBER = r"^\s*[0-9]{1,7}(\.[0-9]{1,4})?\s*$"

#: Where each form of PEP records attendance (an early-years PEP records none).
ATTENDANCE_SECTIONS = ("education", "p16_course")

# --- Attainment scales as ranks ---------------------------------------------------------
#
# Progress means the current attainment is higher on the key stage's scale
# (``peps.scales``) than the baseline recorded for the same subject on the same PEP.
# Ranks: EYFS emerging < expected; KS1-KS2 pre-key stage < working towards < expected <
# greater depth; KS3-KS4 U < 1 < … < 9; post-16 has three scales that cannot be compared
# with each other (A level A*-E, vocational Distinction*-Pass, Levels 3-Entry), so a
# post-16 entry counts only when baseline and current are on the same one (U is the
# bottom of each). A value not on the scale is not assessed.
#: Each key stage's scale from the lowest value up (positions 1, 2, …).
SCALE_ORDER: dict[str, tuple[str, ...]] = {
    "EYFS": ("emerging", "expected"),
    "KS1": ("pre_key_stage", "working_towards", "expected", "greater_depth"),
    "KS2": ("pre_key_stage", "working_towards", "expected", "greater_depth"),
    "KS3": ("U", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
    "KS4": ("U", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
    # U, then A level E to A*, vocational Pass to Distinction*, Entry level to Level 3.
    "Post-16": (
        *("U", "E", "D", "C", "B", "A", "A*"),
        *("Pass", "Merit", "Dist", "D*", "Entry", "L1", "L2", "L3"),
    ),
}
#: Post-16 positions of each scale that can be compared with itself (and with U, 1).
POST_16_SCALES = ((2, 7), (8, 11), (12, 15))
assert set(SCALE_ORDER["KS1"]) == {value for value, _ in PRIMARY}  # noqa: S101
assert set(SCALE_ORDER["KS4"]) == {value for value, _ in GCSE}  # noqa: S101
assert set(SCALE_ORDER["Post-16"]) == {value for value, _ in POST_16}  # noqa: S101

#: The expected standard on each scale: EYFS "expected", KS1-KS2 "working at the expected
#: standard" or above, KS3-KS4 grade 4 or above. Post-16 has none.
EXPECTED: dict[str, str] = {
    "EYFS": "expected",
    "KS1": "expected",
    "KS2": "expected",
    "KS3": "4",
    "KS4": "4",
}


class _Position(Func):
    """The position of ``column`` on a scale (a constant array of our own values), NULL
    when the value is not on it."""

    function = "array_position"
    output_field = IntegerField()

    def __init__(self, column: str, values: tuple[str, ...]):
        assert all(value.replace("*", "").replace("_", "").isalnum() for value in values)  # noqa: S101
        array = ",".join(f"'{value}'" for value in values)
        super().__init__(
            F(column), template=f"array_position(ARRAY[{array}]::text[], %(expressions)s::text)"
        )


def _rank(column: str) -> Case:
    """The position of ``column`` (baseline or current) on the scale of the PEP's key stage."""
    return Case(
        *(
            When(pep__key_stage=ks, then=_Position(column, order))
            for ks, order in SCALE_ORDER.items()
        ),
        default=Value(None),
        output_field=IntegerField(),
    )


def _expected_rank() -> Case:
    return Case(
        *(
            When(pep__key_stage=ks, then=Value(SCALE_ORDER[ks].index(value) + 1))
            for ks, value in EXPECTED.items()
        ),
        default=Value(None),
        output_field=IntegerField(),
    )


#: What a PEP's attainment says, as bits of one number (``attainment_class``).
ASSESSED, PROGRESS, FELL_BACK, AT_EXPECTED = 1, 2, 4, 8


def _assessed_entries() -> QuerySet[AttainmentEntry]:
    """Attainment rows with a baseline and a current value on the PEP's scale that can be
    compared (post-16: on the same scale, or U)."""
    ranked = AttainmentEntry.objects.annotate(rank_b=_rank("baseline"), rank_c=_rank("current"))
    same_scale = ~Q(pep__key_stage="Post-16") | Q(rank_b=1) | Q(rank_c=1)
    for low, high in POST_16_SCALES:
        same_scale |= Q(rank_b__range=(low, high), rank_c__range=(low, high))
    return ranked.filter(same_scale, rank_b__isnull=False, rank_c__isnull=False)


def attainment_class(pep_ref: str) -> Coalesce:
    """For the PEP ``OuterRef(pep_ref)``, the sum of: ASSESSED (at least one subject with a
    baseline and a current attainment on its scale), PROGRESS (current above baseline in
    at least one subject and below it in none), FELL_BACK (below baseline in at least one),
    AT_EXPECTED (every assessed subject at or above the expected standard); 0 without
    attainment. One correlated subquery per PEP."""
    entries = (
        _assessed_entries()
        .filter(pep_id=OuterRef(pep_ref))
        .annotate(expected=_expected_rank())
        .order_by()
        .values("pep_id")
        .annotate(
            up=Count("pk", filter=Q(rank_c__gt=F("rank_b"))),
            down=Count("pk", filter=Q(rank_c__lt=F("rank_b"))),
            below=Count("pk", filter=Q(expected__isnull=True) | Q(rank_c__lt=F("expected"))),
        )
        .annotate(
            cls=Value(ASSESSED)
            + Case(When(up__gt=0, down=0, then=Value(PROGRESS)), default=Value(0))
            + Case(When(down__gt=0, then=Value(FELL_BACK)), default=Value(0))
            + Case(When(below=0, then=Value(AT_EXPECTED)), default=Value(0))
        )
        .values("cls")
    )
    return Coalesce(Subquery(entries[:1], output_field=IntegerField()), 0)


def classes_with(bit: int) -> list[int]:
    """The values of ``attainment_class`` that have ``bit`` set."""
    return [value for value in range(16) if value & bit]


def _count_bits(rows, group: str, count: str) -> dict[str, dict[str, int]]:
    """Children per group and bit, from rows grouped by (group, class): a handful of rows
    whatever the number of children."""
    names = {"assessed": ASSESSED, "progress": PROGRESS, "fell_back": FELL_BACK}
    names["expected"] = AT_EXPECTED
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        bucket = totals.setdefault(row[group], dict.fromkeys(names, 0))
        for name, bit in names.items():
            if row["cls"] & bit:
                bucket[name] += row[count]
    return totals


# --- Which PEPs ---------------------------------------------------------------------------


def year_label(filters: ReportFilter) -> str:
    """The academic year as ``Pep.academic_year`` stores it ("2026-27")."""
    return f"{filters.academic_year}-{(filters.academic_year + 1) % 100:02d}"


def terms_of(filters: ReportFilter) -> tuple[str, ...]:
    return (filters.term,) if filters.term else tuple(key for key, _ in TERMS)


def _peps_of_period(children: QuerySet[Child], filters: ReportFilter) -> QuerySet[Pep]:
    return Pep.objects.filter(
        child_id__in=children.order_by().values("pk"),
        academic_year=year_label(filters),
        term__in=terms_of(filters),
        status__in=COUNTED_STATUSES,
    )


def counted_peps(children: QuerySet[Child], filters: ReportFilter) -> QuerySet[Pep]:
    """Each child's latest counted PEP of each term of the period (one per child and term)."""
    latest = (
        _peps_of_period(children, filters)
        .order_by("child_id", "term", "-created_at", "-pk")
        .distinct("child_id", "term")
        .values("pk")
    )
    return Pep.objects.filter(pk__in=latest)


def _latest_pep_in_period(filters: ReportFilter) -> Subquery:
    """The child's latest counted PEP of the period (for the figures by key stage)."""
    peps = Pep.objects.filter(
        child_id=OuterRef("pk"),
        academic_year=year_label(filters),
        term__in=terms_of(filters),
        status__in=COUNTED_STATUSES,
    ).order_by("-created_at", "-pk")
    return Subquery(peps.values("pk")[:1])


# --- Numbers from the sections' JSON -------------------------------------------------------


def _number(key: str) -> Case:
    """``data[key]`` as a number, NULL when empty or not a plain number."""
    return Case(
        When(
            **{f"data__{key}__regex": NUMBER},
            then=Cast(KT(f"data__{key}"), DecimalField(max_digits=11, decimal_places=4)),
        ),
        default=Value(None),
        output_field=DecimalField(max_digits=11, decimal_places=4),
    )


def _with_numbers(sections: QuerySet[PepSection]) -> QuerySet[PepSection]:
    """Attendance (percent), from the sessions when the possible sessions are recorded
    (100 × (possible − missed) / possible), else the recorded percentage; suspensions."""
    sections = sections.annotate(
        n_percent=_number("attendance_percent"),
        n_possible=_number("sessions_possible"),
        n_missed=_number("sessions_missed"),
        n_suspensions=_number("suspensions"),
    )
    from_sessions = ExpressionWrapper(
        (F("n_possible") - F("n_missed")) * 100 / F("n_possible"),
        output_field=DecimalField(max_digits=20, decimal_places=8),
    )
    return sections.annotate(
        attendance=Case(
            When(
                Q(n_possible__gt=0, n_missed__isnull=False, n_missed__lte=F("n_possible")),
                then=from_sessions,
            ),
            default=F("n_percent"),
            output_field=DecimalField(max_digits=20, decimal_places=8),
        )
    )


ATTENDANCE_RECORDED = Q(key__in=ATTENDANCE_SECTIONS, attendance__isnull=False)
PERSISTENT = ATTENDANCE_RECORDED & Q(attendance__lt=PERSISTENT_ABSENCE_BELOW)
SEVERE = ATTENDANCE_RECORDED & Q(attendance__lt=SEVERE_ABSENCE_BELOW)
SCHOOL_PEP = Q(key="education")
SUSPENDED = SCHOOL_PEP & Q(n_suspensions__gt=0)
EXCLUDED = SCHOOL_PEP & Q(data__permanently_excluded="yes")
EET_RECORDED = Q(key="p16_status") & Q(data__status__in=["education", "training", "employment"])
NEET = Q(key="p16_status", data__status="neet")


def _sections(children: QuerySet[Child], filters: ReportFilter) -> QuerySet[PepSection]:
    return _with_numbers(
        PepSection.objects.filter(
            pep__in=counted_peps(children, filters),
            key__in=(*ATTENDANCE_SECTIONS, "p16_status"),
        )
    )


def _children(condition: Q) -> Count:
    return Count("pep__child_id", filter=condition, distinct=True)


# --- The section ------------------------------------------------------------------------

DEFINITION_PEPS = (
    "Children in scope (in care on at least one day of the period, of this authority) with "
    "a PEP for the term that reached the Virtual School (submitted, returned, approved or "
    "finalised; the latest of the term when there are several)."
)


def _measure(value, filters, measure, denominator=None, *, unit="children", **overrides):
    return Measure(
        value=value,
        unit=unit,
        denominator=denominator,
        drill=drill_query(filters, measure, **overrides) if unit == "children" else "",
    )


def _by_term(children, filters):
    rows = (
        _sections(children, filters)
        .values("pep__term")
        .annotate(
            recorded=_children(ATTENDANCE_RECORDED),
            persistent=_children(PERSISTENT),
            severe=_children(SEVERE),
            school=_children(SCHOOL_PEP),
            suspended=_children(SUSPENDED),
            suspensions=Sum(Cast("n_suspensions", IntegerField()), filter=SUSPENDED, default=0),
            excluded=_children(EXCLUDED),
            post16=_children(EET_RECORDED | NEET),
            neet=_children(NEET),
        )
        .order_by()
    )
    return {row["pep__term"]: row for row in rows}


def _attainment_table(rows, filters, *, key, title, definition, labels, override):
    table_rows = []
    for value, label in labels:
        row = rows.get(value, {})
        assessed = row.get("assessed", 0)
        over = {override: value}
        table_rows.append(
            Row(
                key=value,
                label=label,
                cells=(
                    _measure(assessed, filters, "outcomes.assessed", **over),
                    _measure(
                        row.get("progress", 0), filters, "outcomes.progress", assessed, **over
                    ),
                    _measure(
                        row.get("fell_back", 0), filters, "outcomes.fell_back", assessed, **over
                    ),
                    (
                        _measure(
                            row.get("expected", 0), filters, "outcomes.expected", assessed, **over
                        )
                        if value in EXPECTED or override == "term"
                        else Measure(None)
                    ),
                ),
            )
        )
    return Table(
        key=key,
        title=title,
        definition=definition,
        columns=(
            "Children with attainment recorded",
            "Made progress from baseline",
            "Below baseline in a subject",
            "At the expected standard in every subject",
        ),
        rows=tuple(table_rows),
    )


ATTAINMENT_DEFINITION = (
    "Children whose PEP records, for at least one subject, a baseline and a current "
    "attainment on the scale of the PEP's key stage. Made progress: current above baseline "
    "in at least one subject and below it in none. Below baseline: current below baseline "
    "in at least one subject. At the expected standard: every assessed subject at or above "
    "the expected standard (Early years: expected; Key stages 1 and 2: working at the "
    "expected standard or greater depth; Key stages 3 and 4: grade 4 or above; post-16 has "
    "no single standard). Post-16 grades count only when baseline and current are on the "
    "same scale (A level, vocational, or levels)."
)


def _attainment_by_key_stage(children, filters):
    per_child = children.order_by().annotate(latest_pep=_latest_pep_in_period(filters))
    rows = (
        per_child.annotate(cls=attainment_class("latest_pep"))
        .values("scope_key_stage", "cls")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _count_bits(rows, "scope_key_stage", "n")


def _attainment_by_term(children, filters):
    rows = (
        counted_peps(children, filters)
        .annotate(cls=attainment_class("pk"))
        .values("term", "cls")
        .annotate(n=Count("child_id", distinct=True))
        .order_by()
    )
    return _count_bits(rows, "term", "n")


def section(*, actor, filters: ReportFilter) -> Section:
    children = children_in_scope(actor=actor, filters=filters)
    by_term = _by_term(children, filters)
    terms = [(key, label) for key, label in TERMS if key in terms_of(filters)]
    if not by_term:
        period = dict(TERMS).get(filters.term, "the academic year") if filters.term else None
        when = f"the {period.lower()} {filters.year_label}" if period else filters.year_label
        return Section(
            key="outcomes",
            title="Outcomes",
            empty_message=f"No PEP that reached the Virtual School records outcomes for {when}.",
        )
    stages = _attainment_by_key_stage(children, filters)
    over_time = _attainment_by_term(children, filters)

    def cells(term, *specs):
        row = by_term.get(term, {})
        return tuple(
            _measure(
                row.get(field, 0),
                filters,
                f"outcomes.{measure}",
                row.get(denominator, 0) if denominator else None,
                unit=unit,
                term=term,
            )
            for field, measure, denominator, unit in specs
        )

    attendance = Table(
        key="outcomes.attendance",
        title="Attendance",
        definition=(
            f"{DEFINITION_PEPS} Attendance is the term's: 100 × (possible − missed sessions) "
            "/ possible sessions when the PEP records the possible sessions, otherwise the "
            "attendance percentage it records (education section; course section for "
            f"post-16). Persistent absence: attendance under {PERSISTENT_ABSENCE_BELOW} %. "
            f"Severe absence: under {SEVERE_ABSENCE_BELOW} %. Early-years PEPs record none."
        ),
        columns=("Children with attendance recorded", "Persistent absence", "Severe absence"),
        rows=tuple(
            Row(
                key=term,
                label=label,
                cells=cells(
                    term,
                    ("recorded", "attendance_recorded", None, "children"),
                    ("persistent", "persistent_absence", "recorded", "children"),
                    ("severe", "severe_absence", "recorded", "children"),
                ),
            )
            for term, label in terms
        ),
    )
    exclusions = Table(
        key="outcomes.exclusions",
        title="Suspensions and permanent exclusions",
        definition=(
            f"{DEFINITION_PEPS} School-age PEPs (education section): children with at least "
            "one suspension recorded for the term, the number of suspensions they had, and "
            "children recorded as permanently excluded that term."
        ),
        columns=(
            "Children with a school-age PEP",
            "Suspended",
            "Suspensions",
            "Permanently excluded",
        ),
        rows=tuple(
            Row(
                key=term,
                label=label,
                cells=cells(
                    term,
                    ("school", "school_pep", None, "children"),
                    ("suspended", "suspended", "school", "children"),
                    ("suspensions", "suspensions", None, "count"),
                    ("excluded", "permanently_excluded", "school", "children"),
                ),
            )
            for term, label in terms
        ),
    )
    neet = Table(
        key="outcomes.neet",
        title="Post-16: not in education, employment or training (NEET)",
        definition=(
            f"{DEFINITION_PEPS} Post-16 PEPs whose 'Education, employment or training' "
            "section records a status; NEET: the status recorded is 'Not in education, "
            "employment or training'."
        ),
        columns=("Young people with a status recorded", "NEET"),
        rows=tuple(
            Row(
                key=term,
                label=label,
                cells=cells(
                    term,
                    ("post16", "post16_status", None, "children"),
                    ("neet", "neet", "post16", "children"),
                ),
            )
            for term, label in terms
        ),
    )
    by_stage = _attainment_table(
        stages,
        filters,
        key="outcomes.attainment",
        title="Attainment against baseline, by key stage",
        definition=(
            "Children in scope, by their key stage in the academic year (chronological "
            "year group), counted on their latest PEP of the period that reached the "
            f"Virtual School. {ATTAINMENT_DEFINITION}"
        ),
        labels=[(ks, ks.replace("KS", "Key stage ")) for ks in KEY_STAGES],
        override="key_stage",
    )
    progress = _attainment_table(
        over_time,
        filters,
        key="outcomes.progress",
        title="Progress over time",
        definition=f"{DEFINITION_PEPS} {ATTAINMENT_DEFINITION}",
        labels=terms,
        override="term",
    )
    return Section(
        key="outcomes",
        title="Outcomes",
        tables=(attendance, exclusions, by_stage, progress, neet),
    )


# --- The children behind each number --------------------------------------------------------


def _section_drill(condition: Q) -> Callable[[QuerySet[Child], ReportFilter], QuerySet[Child]]:
    def drill(children: QuerySet[Child], filters: ReportFilter) -> QuerySet[Child]:
        sections = _sections(children, filters).filter(condition)
        return children.filter(pk__in=sections.values("pep__child_id"))

    return drill


def _attainment_drill(bit: int):
    def drill(children: QuerySet[Child], filters: ReportFilter) -> QuerySet[Child]:
        if filters.term:
            peps = counted_peps(children, filters).annotate(cls=attainment_class("pk"))
            return children.filter(pk__in=peps.filter(cls__in=classes_with(bit)).values("child_id"))
        latest = children.annotate(latest_pep=_latest_pep_in_period(filters))
        return latest.annotate(cls=attainment_class("latest_pep")).filter(cls__in=classes_with(bit))

    return drill


DRILLS: dict[str, Callable[[QuerySet[Child], ReportFilter], QuerySet[Child]]] = {
    "outcomes.attendance_recorded": _section_drill(ATTENDANCE_RECORDED),
    "outcomes.persistent_absence": _section_drill(PERSISTENT),
    "outcomes.severe_absence": _section_drill(SEVERE),
    "outcomes.school_pep": _section_drill(SCHOOL_PEP),
    "outcomes.suspended": _section_drill(SUSPENDED),
    "outcomes.permanently_excluded": _section_drill(EXCLUDED),
    "outcomes.post16_status": _section_drill(EET_RECORDED | NEET),
    "outcomes.neet": _section_drill(NEET),
    "outcomes.assessed": _attainment_drill(ASSESSED),
    "outcomes.progress": _attainment_drill(PROGRESS),
    "outcomes.fell_back": _attainment_drill(FELL_BACK),
    "outcomes.expected": _attainment_drill(AT_EXPECTED),
}
