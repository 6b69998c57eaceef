"""The dashboard's PEP quality figures (issue 14 point 2) on a small world with known
answers: QA grades by term and by school, returns and what they were for, moderation
agreement; the children behind each number; a constant number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epep.tenancy import clock
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps.models import Pep, Status
from quality.models import (
    CriterionGrade,
    ModerationItem,
    ModerationResolution,
    ModerationSample,
    QaReview,
    ReviewKind,
    ReviewOutcome,
    ReviewStatus,
)
from reports.filters import ReportFilter, census_of, period_of
from reports.selectors import quality
from reports.selectors.drill import children_behind
from tests.factories import ChildFactory, EnrolmentFactory, SchoolFactory
from tests.quality.grading_support import small_rubric

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)


def report_filter(la, *, year=2026, term="autumn", **dimensions) -> ReportFilter:
    start, end = period_of(year, term)
    return ReportFilter(
        local_authority_id=la.pk,
        academic_year=year,
        term=term,
        period_start=start,
        period_end=end,
        census_date=census_of(start, end, TODAY),
        **dimensions,
    )


def make_pep(authority, child, *, year="2026-27", term="autumn", school=None, status=None):
    """A PEP of ``child`` for that term (finalised unless said otherwise: one open PEP a
    child)."""
    la = authority.la
    with authority_context(local_authority_ids=[la.pk]):
        return Pep.objects.create(
            local_authority=la,
            child=child,
            academic_year=year,
            term=term,
            school=school,
            status=status or Status.FINALISED,
            submitted_at=clock.now(),
            created_by=authority.users[Role.DESIGNATED_TEACHER],
        )


def qa_round(
    authority,
    rubric,
    pep,
    grade,
    *,
    round=1,
    outcome=ReviewOutcome.APPROVED,
    kind=ReviewKind.PRIMARY,
    officer=None,
    criteria=(),
    status=ReviewStatus.COMPLETED,
):
    """A completed QA round of ``pep`` with the overall ``grade`` and, optionally, a grade
    for each criterion (``criteria``: grades in the rubric's criteria order)."""
    la = authority.la
    with authority_context(local_authority_ids=[la.pk]):
        review = QaReview.objects.create(
            local_authority=la,
            pep=pep,
            kind=kind,
            round=round,
            submitted_at=clock.now(),
            officer=officer or authority.users[Role.VS_OFFICER],
            assigned_at=clock.now(),
            rubric=rubric.rubric,
            started_at=clock.now(),
            status=status,
            outcome=outcome if kind == ReviewKind.PRIMARY else "",
            return_reason="Targets have no dates." if outcome == ReviewOutcome.RETURNED else "",
            computed_grade=grade,
            grade=grade,
            completed_at=clock.now() if status == ReviewStatus.COMPLETED else None,
        )
        for criterion, given in zip(rubric.criteria, criteria, strict=False):
            CriterionGrade.objects.create(
                local_authority=la, review=review, criterion=criterion, grade=given
            )
    return review


def moderate(authority, rubric, sample, original, grade, *, criteria=()):
    """``original`` graded again, blind, by the Head with ``grade``."""
    again = qa_round(
        authority,
        rubric,
        original.pep,
        grade,
        round=original.round,
        kind=ReviewKind.MODERATION,
        officer=authority.users[Role.VS_HEAD],
        criteria=criteria,
    )
    with authority_context(local_authority_ids=[authority.la.pk]):
        return ModerationItem.objects.create(
            local_authority=authority.la,
            sample=sample,
            pep=original.pep,
            original=original,
            moderation=again,
            resolution=ModerationResolution.AGREED
            if grade.pk == original.grade_id
            else ModerationResolution.PENDING,
        )


def sample_of(authority, *, year="2026-27", term="autumn"):
    with authority_context(local_authority_ids=[authority.la.pk]):
        return ModerationSample.objects.create(
            local_authority=authority.la,
            academic_year=year,
            term=term,
            share_percent=50,
            population=4,
            seed=7,
            drawn_by=authority.users[Role.VS_HEAD],
            drawn_at=clock.now(),
        )


class Kent:
    """Kent's children and their QA, with Sefton's that never count.

    - ``in_circle`` (Shared Academy): autumn 2026 returned Red (targets and PP+ graded Red),
      then approved Green; spring 2025/26 approved Amber.
    - ``other`` (Kent Primary): autumn 2026 approved Amber; moderated Amber (agreed).
    - ``left`` (Kent Primary) left care on 15 October 2026: autumn 2026 approved Red;
      moderated Amber (disagreed).
    - ``away`` (Sefton Primary, out of Kent's area): autumn 2026 approved Green.
    - ``gone`` left care in July 2026: summer 2025/26 approved Green.
    - Sefton's child (Shared Academy): autumn 2026 approved Green, moderated, never counted.
    """

    def __init__(self, world):
        a = world.a
        self.world = world
        self.rubric = r = small_rubric(a.la)
        self.in_circle, self.other = a.child, a.other_child
        self.left = ChildFactory(local_authority=a.la, left_care_on=date(2026, 10, 15))
        EnrolmentFactory(child=self.left, school=world.school_a)
        self.away = ChildFactory(local_authority=a.la)
        EnrolmentFactory(child=self.away, school=world.school_b)
        self.gone = ChildFactory(local_authority=a.la, left_care_on=date(2026, 7, 1))
        EnrolmentFactory(child=self.gone, school=world.school_a)

        pep = make_pep(a, self.in_circle, school=world.shared_school)
        qa_round(a, r, pep, r.red, outcome=ReviewOutcome.RETURNED, criteria=(r.green, r.red, r.red))
        qa_round(a, r, pep, r.green, round=2)
        qa_round(a, r, make_pep(a, self.in_circle, year="2025-26", term="spring"), r.amber)
        other = qa_round(
            a, r, make_pep(a, self.other), r.amber, criteria=(r.amber, r.amber, r.green)
        )
        left = qa_round(a, r, make_pep(a, self.left), r.red, officer=a.users[Role.VS_HEAD])
        qa_round(a, r, make_pep(a, self.away), r.green)
        qa_round(a, r, make_pep(a, self.gone, year="2025-26", term="summer"), r.green)
        # an unfinished round never counts
        qa_round(
            a,
            r,
            make_pep(a, ChildFactory(local_authority=a.la), status=Status.SUBMITTED),
            None,
            outcome="",
            status=ReviewStatus.IN_PROGRESS,
        )
        sample = sample_of(a)
        moderate(a, r, sample, other, r.amber, criteria=(r.amber, r.green, r.green))
        moderate(a, r, sample, left, r.amber)

        b = world.b
        rb = small_rubric(b.la)
        sefton = qa_round(b, rb, make_pep(b, b.child, school=world.shared_school), rb.green)
        moderate(b, rb, sample_of(b), sefton, rb.green)


@pytest.fixture
def kent(world, clock_at):
    clock_at(TODAY)
    return Kent(world)


def head(world):
    return acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD)


def figures(section, key):
    """{row label: [(value, denominator), ...]} of the table ``key``."""
    (table,) = [t for t in section.tables if t.key == key]
    return {row.label: [(m.value, m.denominator) for m in row.cells] for row in table.rows}


def table(section, key):
    (found,) = [t for t in section.tables if t.key == key]
    return found


def test_grades_by_term_over_the_last_six_terms(world, kent):
    with head(world) as actor:
        section = quality.section(actor=actor, filters=report_filter(world.a.la))
    by_term = table(section, "quality.grades_by_term")
    assert by_term.columns == ("PEPs graded", "Green", "Amber", "Red")
    assert by_term.definition == quality.GRADES_BY_TERM
    assert figures(section, "quality.grades_by_term") == {
        "Spring term 2024/25": [(0, None), (0, 0), (0, 0), (0, 0)],
        "Summer term 2024/25": [(0, None), (0, 0), (0, 0), (0, 0)],
        "Autumn term 2025/26": [(0, None), (0, 0), (0, 0), (0, 0)],
        "Spring term 2025/26": [(1, None), (0, 1), (1, 1), (0, 1)],
        # the child who left care in July was in care in the summer term
        "Summer term 2025/26": [(1, None), (1, 1), (0, 1), (0, 1)],
        # the returned round does not count: the PEP's latest round (Green) does; the
        # child who left care mid-term and the child at a school outside Kent count;
        # Sefton's child never does
        "Autumn term 2026/27": [(4, None), (2, 4), (1, 4), (1, 4)],
    }


def test_grades_by_school_are_by_the_childs_school_in_the_period(world, kent):
    with head(world) as actor:
        section = quality.section(actor=actor, filters=report_filter(world.a.la))
    assert figures(section, "quality.grades_by_school") == {
        "Kent Primary": [(2, None), (0, 2), (1, 2), (1, 2)],
        "Sefton Primary": [(1, None), (1, 1), (0, 1), (0, 1)],
        "Shared Academy": [(1, None), (1, 1), (0, 1), (0, 1)],
    }


def test_a_school_filter_leaves_out_the_children_at_other_schools(world, kent):
    with head(world) as actor:
        section = quality.section(
            actor=actor, filters=report_filter(world.a.la, school_id=world.school_a.pk)
        )
    assert figures(section, "quality.grades_by_school") == {
        "Kent Primary": [(2, None), (0, 2), (1, 2), (1, 2)]
    }
    # the child who left care in July was at Kent Primary in the summer term
    assert figures(section, "quality.grades_by_term")["Summer term 2025/26"][0] == (1, None)
    assert figures(section, "quality.grades_by_term")["Spring term 2025/26"][0] == (0, None)
    assert figures(section, "quality.returns")["QA rounds completed"] == [(2, None)]


def test_returns_and_what_they_were_for(world, kent):
    with head(world) as actor:
        section = quality.section(actor=actor, filters=report_filter(world.a.la))
    assert figures(section, "quality.returns") == {
        "QA rounds completed": [(5, None)],
        "Rounds that returned the PEP": [(1, 5)],
        "PEPs returned at least once": [(1, 4)],
    }
    # the returned round graded the voice Green and the other two Red
    assert figures(section, "quality.return_reasons") == {
        "Targets are SMART with owners and dates": [(1, 1)],
        "PP+ costs are linked to targets": [(1, 1)],
    }


def test_moderation_agreement_overall_per_officer_and_per_criterion(world, kent):
    officer = world.a.users[Role.VS_OFFICER].full_name
    vs_head = world.a.users[Role.VS_HEAD].full_name
    with head(world) as actor:
        section = quality.section(actor=actor, filters=report_filter(world.a.la))
        whole_year = quality.section(actor=actor, filters=report_filter(world.a.la, term=None))
        spring = quality.section(actor=actor, filters=report_filter(world.a.la, term="spring"))
    expected = {
        "All officers": [(2, None), (1, 2)],
        **dict(sorted({officer: [(1, None), (1, 1)], vs_head: [(1, None), (0, 1)]}.items())),
    }
    assert figures(section, "quality.moderation") == expected
    assert list(figures(section, "quality.moderation")) == list(expected)
    assert figures(whole_year, "quality.moderation") == expected
    assert figures(spring, "quality.moderation") == {"All officers": [(0, None), (0, 0)]}
    # only the item graded criterion by criterion both times: Amber/Amber, Amber/Green,
    # Green/Green
    assert figures(section, "quality.moderation_criteria") == {
        "The child's voice is present and recent": [(1, None), (1, 1)],
        "Targets are SMART with owners and dates": [(1, None), (0, 1)],
        "PP+ costs are linked to targets": [(1, None), (1, 1)],
    }


def names(children):
    return sorted(child.legal_last_name for child in children)


@pytest.mark.parametrize(
    ("measure", "who"),
    [
        ("quality.graded", ["in_circle", "other", "left", "away"]),
        ("quality.grade_1", ["in_circle", "away"]),
        ("quality.grade_2", ["other"]),
        ("quality.grade_3", ["left"]),
        ("quality.completed", ["in_circle", "other", "left", "away"]),
        ("quality.returned", ["in_circle"]),
        ("quality.moderated", ["other", "left"]),
        ("quality.moderation_agreed", ["other"]),
    ],
)
def test_the_children_behind_each_number(world, kent, measure, who):
    with head(world) as actor:
        found = children_behind(actor=actor, filters=report_filter(world.a.la), measure=measure)
        assert names(found) == names(getattr(kent, name) for name in who)


def count_behind(actor, measure) -> int:
    """How many children the list behind ``measure`` shows, read back from its query
    string as the list page reads it (a term with no term dates is only a warning)."""
    from django.http import QueryDict

    from reports.filters import parse_filters

    query = QueryDict(measure.drill)
    filters, errors = parse_filters(actor=actor, data=query)
    assert set(errors) <= {"term"}, errors
    return children_behind(actor=actor, filters=filters, measure=query["measure"]).count()


def test_every_number_links_to_its_children(world, kent):
    """Each drill of the term rows and school rows lists as many children as PEPs it
    counts (one graded PEP a child and term here)."""
    with head(world) as actor:
        section = quality.section(actor=actor, filters=report_filter(world.a.la))
        cells = [
            (key, row.label, measure)
            for key in ("quality.grades_by_term", "quality.grades_by_school")
            for row in table(section, key).rows
            for measure in row.cells
        ]
        assert len(cells) == (6 + 3) * 4
        for key, label, measure in cells:
            assert measure.drill, (key, label)
            assert count_behind(actor, measure) == measure.value, (key, label)


def test_a_term_with_no_qa_says_so(world, clock_at):
    clock_at(TODAY)
    with head(world) as actor:
        section = quality.section(actor=actor, filters=report_filter(world.a.la))
    assert section.tables == ()
    assert section.empty_message == (
        "No PEP of the children in scope was quality-assured in the 6 terms up to "
        "Autumn term 2026/27."
    )


def test_another_authority_sees_only_its_own(world, kent):
    with acting_as(world.b.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        section = quality.section(actor=actor, filters=report_filter(world.b.la))
    assert table(section, "quality.grades_by_term").columns == ("PEPs graded", "Green")
    assert figures(section, "quality.grades_by_term")["Autumn term 2026/27"] == [(1, None), (1, 1)]
    assert figures(section, "quality.moderation")["All officers"] == [(1, None), (1, 1)]


def _bulk(world, rubric, n):
    a = world.a
    school = SchoolFactory()
    for index in range(n):
        child = ChildFactory(local_authority=a.la, entered_care_on=date(2022, 5, 1))
        EnrolmentFactory(child=child, school=school)
        pep = make_pep(a, child, school=school)
        grade = (rubric.green, rubric.amber, rubric.red)[index % 3]
        if index % 4 == 0:
            qa_round(a, rubric, pep, rubric.red, outcome=ReviewOutcome.RETURNED)
            qa_round(a, rubric, pep, grade, round=2)
        else:
            qa_round(a, rubric, pep, grade)


def _queries(world):
    with head(world) as actor, CaptureQueriesContext(connection) as captured:
        section = quality.section(actor=actor, filters=report_filter(world.a.la))
    return len(captured), section


def test_the_section_costs_the_same_queries_for_5_and_55_children(world, clock_at):
    clock_at(TODAY)
    rubric = small_rubric(world.a.la)
    _bulk(world, rubric, 5)
    few, section = _queries(world)
    assert figures(section, "quality.grades_by_term")["Autumn term 2026/27"][0] == (5, None)
    _bulk(world, rubric, 50)
    many, section = _queries(world)
    assert figures(section, "quality.grades_by_term")["Autumn term 2026/27"][0] == (55, None)
    assert figures(section, "quality.returns")["Rounds that returned the PEP"] == [
        (2 + 13, 55 + 15)
    ]
    assert few == many == 7


def test_trend_terms_cross_academic_years(clock_at):
    clock_at(TODAY)
    spring = report_filter(type("LA", (), {"pk": 1})(), year=2026, term="spring")
    terms = quality.trend_filters(spring)
    assert [(t.academic_year, t.term) for t in terms] == [
        (2024, "summer"),
        (2025, "autumn"),
        (2025, "spring"),
        (2025, "summer"),
        (2026, "autumn"),
        (2026, "spring"),
    ]
    assert (terms[0].period_start, terms[0].census_date) == (date(2025, 4, 1), date(2025, 8, 31))
    assert (terms[-1].period_start, terms[-1].census_date) == (date(2027, 1, 1), date(2027, 1, 1))
    whole = quality.trend_filters(spring.without("term"))
    assert [(t.academic_year, t.term) for t in whole][-1] == (2026, "summer")
