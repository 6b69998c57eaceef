"""Pupil Premium Plus for the Virtual School Head's dashboard (issue 14 point 3): the
year's budget (grant, kept centrally, committed, paid, remaining), what was approved and
paid for the children in scope by school and by area of need, and funded lines with no
impact recorded.

Money is integer pence throughout (``Measure(unit="pence")``), summed by PostgreSQL with
``funding.selectors``' own aggregate (``spend_sums``/``spend_totals``); the budget is the
funding app's running totals (``budget_for``). The section costs five queries whatever
the number of children.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from children.models import Child
from funding.models import FUNDED_STATUSES, Category, PpLine
from funding.selectors import budget_for, spend_sums, spend_totals
from funding.years import financial_year_label, financial_year_of

from ..figures import Measure, Row, Section, Table
from ..filters import ReportFilter
from .drill import drill_query
from .quality import pep_year, period_label, scope_ids

_FUNDED = Q(status__in=FUNDED_STATUSES)
_NO_IMPACT = _FUNDED & Q(impact_rating="")


def financial_year(filters: ReportFilter) -> int:
    """The financial year whose budget the dashboard shows: the one the period starts in
    (autumn and spring terms and the whole academic year 2026/27: 2026-27; its summer
    term: 2027-28)."""
    return financial_year_of(filters.period_start)


def lines_of_period(filters: ReportFilter) -> Q:
    """PP+ lines for the filter's period: planned for its term, or for any term of its
    academic year (``PpLine.academic_year`` and ``term``, the PEP's)."""
    q = Q(academic_year=pep_year(filters))
    if filters.term:
        q &= Q(term=filters.term)
    return q


def _with_lines(condition: Q) -> Callable[[QuerySet[Child], ReportFilter], QuerySet[Child]]:
    def drill(children: QuerySet[Child], filters: ReportFilter) -> QuerySet[Child]:
        lines = PpLine.objects.filter(lines_of_period(filters), condition, child_id=OuterRef("pk"))
        return children.filter(Exists(lines))

    return drill


DRILLS: dict[str, Callable[[QuerySet[Child], ReportFilter], QuerySet[Child]]] = {
    "ppplus.funded": _with_lines(_FUNDED),
    "ppplus.no_impact": _with_lines(_NO_IMPACT),
    **{
        f"ppplus.category.{category}": _with_lines(_FUNDED & Q(category=category))
        for category in Category.values
    },
}


BUDGET = (
    "The authority's PP+ budget for the financial year the period starts in (April to "
    "March), as the PP+ pages keep it: the grant (the final allocation once entered, the "
    "provisional one before), what is kept centrally, committed to schools (approved and "
    "not yet paid), paid, and what remains (the grant less the other three). The whole "
    "authority's budget: not narrowed by cohort, school, key stage or team."
)

SPEND = (
    "The PP+ lines planned for the period (the term chosen, or every term of the "
    "academic year) of the children in scope: requested (every line), approved (lines "
    "approved or part-approved, the amount approved), paid (approved lines in a payment "
    "run marked paid) and committed (approved, not yet paid). Children count once however "
    "many lines they have."
)

BY_SCHOOL = (
    "The same lines by the school each line is paid to (the child's school when the PP+ "
    "was asked for, so a child who moved school can appear under both)."
)

BY_CATEGORY = (
    "The same lines by area of need: the category the school chose for each line. "
    "Children count once in each area they have an approved line in."
)

NO_IMPACT = (
    "Approved or part-approved lines of the period whose school has not yet recorded "
    "what difference they made (no impact rating), and the children with at least one."
)


def _money(value: int | None) -> Measure:
    return Measure(value, unit="pence")


def _spend_cells(row: dict) -> tuple[Measure, ...]:
    return (
        _money(row["approved"]),
        _money(row["paid"]),
        _money(row["approved"] - row["paid"]),
        Measure(row["lines"], unit="count"),
    )


SPEND_COLUMNS = ("Approved", "Paid", "Committed, not yet paid", "Lines")


def section(*, actor, filters: ReportFilter) -> Section:
    """PP+ for ``filters``: five tables in five queries (the children in scope, the
    budget, the totals, by school, by area of need)."""
    children = scope_ids(actor=actor, scopes={"period": filters})["period"]
    year = financial_year(filters)
    budget = budget_for(
        actor=actor, local_authority_id=filters.local_authority_id, financial_year=year
    )
    lines = PpLine.objects.filter(lines_of_period(filters), child_id__in=children)
    totals = lines.aggregate(
        **spend_sums(),
        children_funded=Count("child_id", distinct=True, filter=_FUNDED),
        funded_lines=Count("pk", filter=_FUNDED),
        no_impact_lines=Count("pk", filter=_NO_IMPACT),
        no_impact_children=Count("child_id", distinct=True, filter=_NO_IMPACT),
    )
    by_school = list(spend_totals(lines, by="school"))
    by_category = list(
        spend_totals(lines, by="category").annotate(
            children=Count("child_id", distinct=True, filter=_FUNDED)
        )
    )
    period = period_label(filters)
    if budget is None and not totals["lines"]:
        return Section(
            key="ppplus",
            title="Pupil premium plus",
            empty_message=(
                f"No PP+ budget is recorded for {financial_year_label(year)} and no PP+ "
                f"was asked for the children in scope in {period}."
            ),
        )

    drill = partial(drill_query, filters)
    budget_rows = (
        ("grant", "Grant", budget.grant_pence if budget else None),
        ("retained", "Kept centrally", budget.retained_pence if budget else None),
        (
            "committed",
            "Committed to schools, not yet paid",
            budget.committed_pence if budget else None,
        ),
        ("paid", "Paid to schools", budget.paid_pence if budget else None),
        ("remaining", "Remaining", budget.remaining_pence if budget else None),
    )
    categories = dict(Category.choices)
    tables = (
        Table(
            key="ppplus.budget",
            title=f"PP+ budget, financial year {financial_year_label(year)}",
            definition=BUDGET,
            columns=("Amount",),
            rows=tuple(Row(key, label, (_money(value),)) for key, label, value in budget_rows),
            note="" if budget else f"No PP+ budget is recorded for {financial_year_label(year)}.",
        ),
        Table(
            key="ppplus.spend",
            title=f"PP+ for the children in scope, {period}",
            definition=SPEND,
            columns=("Amount",),
            rows=(
                Row(
                    "children",
                    "Children with approved PP+",
                    (Measure(totals["children_funded"], drill=drill("ppplus.funded")),),
                ),
                Row("requested", "Requested", (_money(totals["requested"]),)),
                Row("approved", "Approved", (_money(totals["approved"]),)),
                Row("paid", "Paid", (_money(totals["paid"]),)),
                Row(
                    "committed",
                    "Committed, not yet paid",
                    (_money(totals["approved"] - totals["paid"]),),
                ),
            ),
            chart="",
        ),
        Table(
            key="ppplus.by_school",
            title=f"PP+ by school, {period}",
            definition=BY_SCHOOL,
            columns=SPEND_COLUMNS,
            rows=tuple(
                Row(str(row["school_id"]), row["school__name"], _spend_cells(row))
                for row in by_school
            ),
        ),
        Table(
            key="ppplus.by_category",
            title=f"PP+ by area of need, {period}",
            definition=BY_CATEGORY,
            columns=(*SPEND_COLUMNS, "Children"),
            rows=tuple(
                Row(
                    row["category"],
                    categories.get(row["category"], row["category"]),
                    (
                        *_spend_cells(row),
                        Measure(row["children"], drill=drill(f"ppplus.category.{row['category']}")),
                    ),
                )
                for row in by_category
            ),
        ),
        Table(
            key="ppplus.no_impact",
            title=f"Funded PP+ with no impact recorded, {period}",
            definition=NO_IMPACT,
            columns=("Number",),
            rows=(
                Row(
                    "lines",
                    "Approved lines with no impact recorded",
                    (
                        Measure(
                            totals["no_impact_lines"],
                            unit="count",
                            denominator=totals["funded_lines"],
                        ),
                    ),
                ),
                Row(
                    "children",
                    "Children with such a line",
                    (
                        Measure(
                            totals["no_impact_children"],
                            denominator=totals["children_funded"],
                            drill=drill("ppplus.no_impact"),
                        ),
                    ),
                ),
            ),
            chart="",
        ),
    )
    return Section(key="ppplus", title="Pupil premium plus", tables=tables)
