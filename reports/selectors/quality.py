"""PEP quality over time (issue 14 point 2): the QA grade distribution by term and by
school, the PEPs returned and why, and how often moderation agreed.

Every figure counts the PEPs of the children in scope (``children_in_scope``: the
authority's children in care during the period, narrowed by cohort, school, key stage and
team), each figure's definition written beside it and shown with it. A PEP "of" a term is
a PEP planned for that term (``Pep.academic_year`` and ``Pep.term``). Aggregates are
grouped SQL counts: the section costs the same few queries whatever the number of
children. The moderation agreement is ``quality.selectors.moderation``'s own grouped SQL,
run over the period's samples and the children in scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)

from children.models import Child, School
from children.stages import academic_year_label
from epep.tenancy import clock
from quality.models import (
    CriterionGrade,
    ModerationItem,
    QaReview,
    ReviewKind,
    ReviewOutcome,
    ReviewStatus,
)
from quality.rollup import MAX_GRADES
from quality.selectors.moderation import Agreement, criterion_agreement, officer_agreement

from ..figures import Measure, Row, Section, Table, Unit
from ..filters import TERMS, ReportFilter, census_of, period_of
from .cohort import children_in_scope, school_subquery
from .drill import drill_query

#: How many terms the grade distribution over time shows, up to the filter's period.
TREND_TERMS = 6

_TERM_ORDER = ("autumn", "spring", "summer")


# --- which PEPs and which rounds --------------------------------------------------------


def pep_year(filters: ReportFilter) -> str:
    """The filter's academic year as PEPs write it: 2026 -> "2026-27"."""
    return academic_year_label(date(filters.academic_year, 9, 1))


def peps_of_period(filters: ReportFilter, prefix: str = "") -> Q:
    """PEPs planned for the filter's period: its term, or any term of its academic year
    (``prefix``: the path to the PEP, such as "pep__")."""
    q = Q(**{f"{prefix}academic_year": pep_year(filters)})
    if filters.term:
        q &= Q(**{f"{prefix}term": filters.term})
    return q


def final_rounds() -> QuerySet[QaReview]:
    """Each PEP's grade: its latest completed QA round (``PRIMARY``, approved or returned)
    with an overall grade; earlier rounds of the same PEP are not counted."""
    later = QaReview.objects.filter(
        pep_id=OuterRef("pep_id"),
        kind=ReviewKind.PRIMARY,
        status=ReviewStatus.COMPLETED,
        round__gt=OuterRef("round"),
    )
    return QaReview.objects.filter(
        kind=ReviewKind.PRIMARY, status=ReviewStatus.COMPLETED, grade__isnull=False
    ).exclude(Exists(later))


def completed_rounds() -> QuerySet[QaReview]:
    """Every completed QA round (``PRIMARY``): each approval and each return."""
    return QaReview.objects.filter(kind=ReviewKind.PRIMARY, status=ReviewStatus.COMPLETED)


def _child_has(rounds: QuerySet[QaReview], filters: ReportFilter) -> Q:
    """Children with one of ``rounds`` on a PEP of the filter's period."""
    return Q(Exists(rounds.filter(peps_of_period(filters, "pep__"), pep__child_id=OuterRef("pk"))))


def moderated_items(filters: ReportFilter) -> QuerySet[ModerationItem]:
    """Moderation items of the samples drawn for the filter's period (its term, or every
    term of its academic year), of the authority."""
    items = ModerationItem.objects.filter(
        local_authority_id=filters.local_authority_id,
        sample__academic_year=pep_year(filters),
        moderation__status=ReviewStatus.COMPLETED,
    )
    if filters.term:
        items = items.filter(sample__term=filters.term)
    return items


# --- the drills: the children behind each number ------------------------------------------


def _graded(rank: int | None) -> Callable[[QuerySet[Child], ReportFilter], QuerySet[Child]]:
    def drill(children: QuerySet[Child], filters: ReportFilter) -> QuerySet[Child]:
        rounds = final_rounds()
        if rank is not None:
            rounds = rounds.filter(grade__rank=rank)
        return children.filter(_child_has(rounds, filters))

    return drill


def _returned(children: QuerySet[Child], filters: ReportFilter) -> QuerySet[Child]:
    return children.filter(
        _child_has(completed_rounds().filter(outcome=ReviewOutcome.RETURNED), filters)
    )


def _completed(children: QuerySet[Child], filters: ReportFilter) -> QuerySet[Child]:
    return children.filter(_child_has(completed_rounds(), filters))


def _moderated(*, agreed: bool):
    def drill(children: QuerySet[Child], filters: ReportFilter) -> QuerySet[Child]:
        items = moderated_items(filters).filter(pep__child_id=OuterRef("pk"))
        if agreed:
            items = items.filter(original__grade_id=F("moderation__grade_id"))
        return children.filter(Exists(items))

    return drill


DRILLS: dict[str, Callable[[QuerySet[Child], ReportFilter], QuerySet[Child]]] = {
    "quality.graded": _graded(None),
    **{f"quality.grade_{rank}": _graded(rank) for rank in range(1, MAX_GRADES + 1)},
    "quality.completed": _completed,
    "quality.returned": _returned,
    "quality.moderated": _moderated(agreed=False),
    "quality.moderation_agreed": _moderated(agreed=True),
}


# --- the figures ----------------------------------------------------------------------------


def trend_filters(filters: ReportFilter) -> list[ReportFilter]:
    """The filter for each of the last :data:`TREND_TERMS` terms up to the filter's period
    (its term, or the summer term of its academic year), oldest first: the same
    dimensions, each term's own period and census date."""
    year, index = filters.academic_year, _TERM_ORDER.index(filters.term or "summer")
    terms = []
    for _ in range(TREND_TERMS):
        terms.append((year, _TERM_ORDER[index]))
        index -= 1
        if index < 0:
            year, index = year - 1, len(_TERM_ORDER) - 1
    today = clock.today()
    result = []
    for year, term in reversed(terms):
        start, end = period_of(year, term)
        result.append(
            replace(
                filters,
                academic_year=year,
                term=term,
                period_start=start,
                period_end=end,
                census_date=census_of(start, end, today),
            )
        )
    return result


def period_label(filters: ReportFilter) -> str:
    """ "Autumn term 2026/27", or "2026/27" for a whole academic year."""
    if filters.term:
        return f"{TERMS[filters.term]} {filters.year_label}"
    return filters.year_label


def scope_ids(*, actor, scopes: dict[str, ReportFilter]) -> dict[str, list[int]]:
    """The ids of the children in scope (``children_in_scope``) of each named filter, in
    one query (a ``UNION ALL``): the access path and the cohort rules run once per filter,
    and the figures' grouped queries then read plain ids."""
    parts = [
        children_in_scope(actor=actor, filters=scope)
        .order_by()
        .annotate(scope_key=Value(key, output_field=CharField()))
        .values_list("pk", "scope_key")
        for key, scope in scopes.items()
    ]
    found: dict[str, list[int]] = {key: [] for key in scopes}
    for pk, key in parts[0].union(*parts[1:], all=True).order_by():
        found[key].append(pk)
    return found


def school_in_period(filters: ReportFilter, child: str) -> Subquery:
    """The school of the child ``child`` names (an ``OuterRef`` path) in the filter's
    period, as ``children_in_scope`` works it out (``cohort.school_subquery``)."""
    return Subquery(
        Child.objects.filter(pk=OuterRef(child))
        .annotate(school=school_subquery(filters))
        .values("school")[:1]
    )


def _grade_columns(*rows: list[dict]) -> list[tuple[int, str]]:
    """(rank, heading) of every grade found, best first; two rubric versions naming the
    same rank differently are one column headed with both names."""
    labels: dict[int, set[str]] = {}
    for row in (r for group in rows for r in group):
        labels.setdefault(row["grade__rank"], set()).add(row["grade__label"])
    return [(rank, " / ".join(sorted(labels[rank]))) for rank in sorted(labels)]


def _grade_cells(
    counts: dict[int, int], columns: list[tuple[int, str]], drill: Callable[[str], str]
) -> tuple[Measure, ...]:
    total = sum(counts.values())
    return (
        Measure(total, unit="peps", drill=drill("quality.graded")),
        *(
            Measure(
                counts.get(rank, 0),
                unit="peps",
                denominator=total,
                drill=drill(f"quality.grade_{rank}"),
            )
            for rank, _ in columns
        ),
    )


GRADES_BY_TERM = (
    "Each PEP of the term counts once, with the overall grade of its latest completed "
    "quality assurance round (approved or returned; an earlier round of the same PEP is "
    "not counted). A PEP of a term is the PEP planned for that term. The children are "
    "those in scope for each term: in care on at least one day of it, narrowed by the "
    "cohort, school, key stage and team chosen, each as it stood in that term. The last "
    "six terms up to the period chosen; percentages are of the PEPs graded that term."
)

GRADES_BY_SCHOOL = (
    "The PEPs of the period graded as in the grade distribution by term (the latest "
    "completed round of each), by the child's school in the period (the enrolment in "
    "force latest in the period, on or before the census date: a child who moved school "
    "counts at the last one); children with no school on roll are shown apart."
)

RETURNS = (
    "Completed quality assurance rounds of the period's PEPs of the children in scope: "
    "every round counts (a PEP returned twice and then approved is three rounds), and a "
    "PEP counts once among those returned at least once."
)

RETURN_REASONS = (
    "What each return was for: in each round that returned a PEP, the criteria graded at "
    "the worst grade given in that round (when it is not the best grade of the scale), as "
    "the 'what to fix' list is first offered to the officer. Criteria are counted by "
    "title, so two versions of a rubric's criterion count together; a return can be for "
    "several criteria. Percentages are of the rounds that returned a PEP."
)

MODERATION = (
    "The PEPs of the children in scope in the moderation samples of the period (drawn "
    "each term from the completed quality assurance), whose blind second grading is "
    "finished: how many got the same overall grade from the moderator as from the first "
    "grader, overall and by the officer who graded first."
)

MODERATION_CRITERIA = (
    "For the same moderated PEPs, criterion by criterion (by title): how many criterion "
    "grades the moderator gave equal the first grader's grade of that criterion."
)


def _agreement_rows(agreements: list[Agreement], *, key: str, unit: Unit) -> tuple[Row, ...]:
    """A row per officer or criterion: graded again, and how many agreed (a rate: no
    drill)."""
    return tuple(
        Row(
            f"{key}-{index}",
            agreement.label,
            (
                Measure(agreement.compared, unit=unit),
                Measure(agreement.agreed, unit=unit, denominator=agreement.compared),
            ),
        )
        for index, agreement in enumerate(agreements, start=1)
    )


def section(*, actor, filters: ReportFilter) -> Section:
    """PEP quality over time for ``filters``: six tables in seven queries (the children
    in scope of the period and of each term of the trend in one, then one a table)."""
    terms = trend_filters(filters)
    ids = scope_ids(
        actor=actor,
        scopes={"period": filters, **{f"{t.academic_year}-{t.term}": t for t in terms}},
    )
    children = ids["period"]
    # one grouped count a term, joined with UNION ALL: each term is planned on its own
    per_term = [
        final_rounds()
        .filter(
            pep__academic_year=pep_year(term),
            pep__term=term.term,
            pep__child_id__in=ids[f"{term.academic_year}-{term.term}"],
        )
        .values("pep__academic_year", "pep__term", "grade__rank", "grade__label")
        .annotate(peps=Count("pk"))
        .order_by()
        for term in terms
    ]
    by_term = list(per_term[0].union(*per_term[1:], all=True).order_by())
    in_period = final_rounds().filter(peps_of_period(filters, "pep__"), pep__child_id__in=children)
    by_school = list(
        in_period.annotate(school_id=school_in_period(filters, "pep__child_id"))
        .annotate(
            school_name=Subquery(School.objects.filter(pk=OuterRef("school_id")).values("name"))
        )
        .values("school_id", "school_name", "grade__rank", "grade__label")
        .annotate(peps=Count("pk"))
        .order_by()
    )
    columns = _grade_columns(by_term, by_school)
    headings = ("PEPs graded", *(heading for _, heading in columns))

    term_rows = []
    for term in terms:
        counts: dict[int, int] = {}
        for row in by_term:
            if (row["pep__academic_year"], row["pep__term"]) == (pep_year(term), term.term):
                counts[row["grade__rank"]] = counts.get(row["grade__rank"], 0) + row["peps"]
        term_rows.append(
            Row(
                key=f"{term.academic_year}-{term.term}",
                label=period_label(term),
                cells=_grade_cells(
                    counts, columns, lambda measure, term=term: drill_query(term, measure)
                ),
            )
        )

    schools: dict[int | None, tuple[str, dict[int, int]]] = {}
    for row in by_school:
        name, counts = schools.setdefault(row["school_id"], (row["school_name"] or "", {}))
        counts[row["grade__rank"]] = counts.get(row["grade__rank"], 0) + row["peps"]
    school_rows = [
        Row(
            key=str(school_id) if school_id is not None else "none",
            label=name or "No school on roll",
            cells=_grade_cells(
                counts,
                columns,
                lambda measure, school_id=school_id: (
                    drill_query(filters, measure, school_id=school_id)
                    if school_id is not None
                    else ""
                ),
            ),
        )
        for school_id, (name, counts) in sorted(
            schools.items(), key=lambda item: (item[0] is None, item[1][0].lower(), item[0] or 0)
        )
    ]

    rounds = completed_rounds().filter(peps_of_period(filters, "pep__"), pep__child_id__in=children)
    returned = Q(outcome=ReviewOutcome.RETURNED)
    totals = rounds.aggregate(
        rounds=Count("pk"),
        returned=Count("pk", filter=returned),
        peps=Count("pep_id", distinct=True),
        peps_returned=Count("pep_id", distinct=True, filter=returned),
    )
    worst = (
        CriterionGrade.objects.filter(review_id=OuterRef("review_id"))
        .values("review_id")
        .annotate(rank=Max("grade__rank"))
        .values("rank")[:1]
    )
    reasons = list(
        CriterionGrade.objects.filter(review__in=rounds.filter(returned).values("pk"))
        .annotate(worst=Subquery(worst))
        .filter(grade__rank=F("worst"), worst__gt=1)
        .values("criterion__title")
        .annotate(
            returns=Count("review_id", distinct=True),
            section_order=Min("criterion__section__order"),
            criterion_order=Min("criterion__order"),
        )
        .order_by("section_order", "criterion_order", "criterion__title")
    )

    items = moderated_items(filters).filter(pep__child_id__in=children)
    by_officer = officer_agreement(items)
    by_criterion = criterion_agreement(items)

    if not (by_term or totals["rounds"] or by_officer):
        return Section(
            key="quality",
            title="PEP quality",
            empty_message=(
                f"No PEP of the children in scope was quality-assured in the "
                f"{TREND_TERMS} terms up to {period_label(filters)}."
            ),
        )

    drill = partial(drill_query, filters)
    compared = sum(a.compared for a in by_officer)
    agreed = sum(a.agreed for a in by_officer)
    tables = (
        Table(
            key="quality.grades_by_term",
            title="QA grades by term",
            definition=GRADES_BY_TERM,
            columns=headings,
            rows=tuple(term_rows),
            chart="stacked",
        ),
        Table(
            key="quality.grades_by_school",
            title=f"QA grades by school, {period_label(filters)}",
            definition=GRADES_BY_SCHOOL,
            columns=headings,
            rows=tuple(school_rows),
            chart="stacked",
        ),
        Table(
            key="quality.returns",
            title=f"PEPs returned for amendments, {period_label(filters)}",
            definition=RETURNS,
            columns=("Number",),
            rows=(
                Row(
                    "rounds",
                    "QA rounds completed",
                    (Measure(totals["rounds"], unit="count", drill=drill("quality.completed")),),
                ),
                Row(
                    "returned_rounds",
                    "Rounds that returned the PEP",
                    (
                        Measure(
                            totals["returned"],
                            unit="count",
                            denominator=totals["rounds"],
                            drill=drill("quality.returned"),
                        ),
                    ),
                ),
                Row(
                    "returned_peps",
                    "PEPs returned at least once",
                    (
                        Measure(
                            totals["peps_returned"],
                            unit="peps",
                            denominator=totals["peps"],
                            drill=drill("quality.returned"),
                        ),
                    ),
                ),
            ),
            chart="",
        ),
        Table(
            key="quality.return_reasons",
            title=f"What PEPs were returned for, {period_label(filters)}",
            definition=RETURN_REASONS,
            columns=("Returns",),
            rows=tuple(
                Row(
                    f"criterion-{index}",
                    row["criterion__title"],
                    (Measure(row["returns"], unit="count", denominator=totals["returned"]),),
                )
                for index, row in enumerate(reasons, start=1)
            ),
            note="" if reasons else "No PEP was returned in this period.",
        ),
        Table(
            key="quality.moderation",
            title=f"Moderation agreement, {period_label(filters)}",
            definition=MODERATION,
            columns=("PEPs graded again", "Same overall grade"),
            rows=(
                Row(
                    "overall",
                    "All officers",
                    (
                        Measure(compared, unit="peps", drill=drill("quality.moderated")),
                        Measure(
                            agreed,
                            unit="peps",
                            denominator=compared,
                            drill=drill("quality.moderation_agreed"),
                        ),
                    ),
                ),
                *_agreement_rows(by_officer, key="officer", unit="peps"),
            ),
            chart="",
            note="" if by_officer else "No moderated PEP in this period.",
        ),
        Table(
            key="quality.moderation_criteria",
            title=f"Moderation agreement by criterion, {period_label(filters)}",
            definition=MODERATION_CRITERIA,
            columns=("Criterion grades given again", "Same grade"),
            rows=_agreement_rows(by_criterion, key="criterion", unit="count"),
            chart="",
        ),
    )
    return Section(key="quality", title="PEP quality", tables=tables)
