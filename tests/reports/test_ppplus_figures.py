"""The dashboard's PP+ figures (issue 14 point 3) on a small world with known answers: the
year's budget, what was asked, approved, committed and paid for the children in scope, by
school and by area of need, funded lines with no impact recorded; the children behind
each number; a constant number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epep.tenancy import clock
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from funding.models import Payment, PaymentRun, PpBudget, PpLine
from peps.models import Pep
from reports.selectors import ppplus
from reports.selectors.drill import children_behind
from tests.factories import ChildFactory, EnrolmentFactory, SchoolFactory
from tests.reports.test_quality_figures import (
    TODAY,
    count_behind,
    figures,
    make_pep,
    names,
    report_filter,
)

pytestmark = pytest.mark.django_db


def line(
    authority,
    child,
    school,
    *,
    amount,
    approved=None,
    status="approved",
    category="tuition",
    term="autumn",
    impact="",
):
    la = authority.la
    with authority_context(local_authority_ids=[la.pk]):
        pep = Pep.objects.filter(child=child, academic_year="2026-27", term=term).first()
    pep = pep or make_pep(authority, child, term=term, school=school)
    with authority_context(local_authority_ids=[la.pk]):
        return PpLine.objects.create(
            local_authority=la,
            pep=pep,
            child=child,
            school=school,
            financial_year=2026 if term != "summer" else 2027,
            academic_year="2026-27",
            term=term,
            what="One-to-one tuition",
            category=category,
            amount_pence=amount,
            approved_pence=approved,
            status=status,
            decision_reason="" if status in ("approved", "requested") else "Over the cap.",
            requested_by=authority.users[Role.DESIGNATED_TEACHER],
            requested_at=clock.now(),
            impact_rating=impact,
            impact="Reading age up a year." if impact else "",
        )


def pay(authority, *lines):
    la = authority.la
    with authority_context(local_authority_ids=[la.pk]):
        run = PaymentRun.objects.create(
            local_authority=la,
            academic_year="2026-27",
            term="autumn",
            status="paid",
            created_by=authority.users[Role.VS_HEAD],
            created_at=clock.now(),
            paid_on=TODAY,
            reference="FIN-1",
        )
        for paid in lines:
            Payment.objects.create(
                local_authority=la,
                run=run,
                line=paid,
                school=paid.school,
                amount_pence=paid.approved_pence,
            )


class Kent:
    """Kent's PP+ in 2026/27 (Sefton's never counts).

    - ``in_circle`` (Shared Academy): tuition £300 approved and paid, impact recorded;
      mentoring £200 still waiting for a decision.
    - ``other`` (Kent Primary): tuition £250 asked, £200 part-approved, no impact;
      spring term: equipment £80 approved, no impact.
    - ``left`` (Kent Primary) left care on 15 October 2026: therapeutic £250 approved,
      no impact.
    - ``away`` (Sefton Primary, outside Kent): equipment £100 declined.
    - ``in_circle`` again, summer term (financial year 2027-28): tuition £50 waiting.
    - Sefton's child (Shared Academy): tuition £500 approved (never counted).
    """

    def __init__(self, world):
        a = world.a
        self.in_circle, self.other = a.child, a.other_child
        self.left = ChildFactory(local_authority=a.la, left_care_on=date(2026, 10, 15))
        EnrolmentFactory(child=self.left, school=world.school_a)
        self.away = ChildFactory(local_authority=a.la)
        EnrolmentFactory(child=self.away, school=world.school_b)
        with authority_context(local_authority_ids=[a.la.pk]):
            PpBudget.objects.create(
                local_authority=a.la,
                financial_year=2026,
                grant_pence=1_000_000,
                retained_pence=100_000,
                committed_pence=45_000,
                paid_pence=30_000,
            )
        paid = line(
            a, self.in_circle, world.shared_school, amount=30_000, approved=30_000, impact="big"
        )
        pay(a, paid)
        line(
            a,
            self.in_circle,
            world.shared_school,
            amount=20_000,
            status="requested",
            category="mentoring",
        )
        line(a, self.other, world.school_a, amount=25_000, approved=20_000, status="part_approved")
        line(
            a,
            self.other,
            world.school_a,
            amount=8_000,
            approved=8_000,
            category="equipment",
            term="spring",
        )
        line(a, self.left, world.school_a, amount=25_000, approved=25_000, category="therapeutic")
        line(
            a,
            self.in_circle,
            world.shared_school,
            amount=5_000,
            status="requested",
            term="summer",
        )
        line(a, self.away, world.school_b, amount=10_000, status="declined", category="equipment")
        b = world.b
        with authority_context(local_authority_ids=[b.la.pk]):
            PpBudget.objects.create(local_authority=b.la, financial_year=2026, grant_pence=5)
        line(b, b.child, world.shared_school, amount=50_000, approved=50_000)


@pytest.fixture
def kent(world, clock_at):
    clock_at(TODAY)
    return Kent(world)


def head(world):
    return acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD)


def section_for(world, **dimensions):
    with head(world) as actor:
        return ppplus.section(actor=actor, filters=report_filter(world.a.la, **dimensions))


def test_the_budget_of_the_financial_year_the_period_starts_in(world, kent):
    section = section_for(world)
    assert figures(section, "ppplus.budget") == {
        "Grant": [(1_000_000, None)],
        "Kept centrally": [(100_000, None)],
        "Committed to schools, not yet paid": [(45_000, None)],
        "Paid to schools": [(30_000, None)],
        "Remaining": [(825_000, None)],
    }
    (budget,) = [t for t in section.tables if t.key == "ppplus.budget"]
    assert budget.title == "PP+ budget, financial year 2026-27"
    assert all(m.unit == "pence" and m.drill == "" for r in budget.rows for m in r.cells)
    # the summer term is in the next financial year, which has no budget yet
    summer = section_for(world, term="summer")
    assert figures(summer, "ppplus.budget")["Grant"] == [(None, None)]
    (budget,) = [t for t in summer.tables if t.key == "ppplus.budget"]
    assert budget.note == "No PP+ budget is recorded for 2027-28."


def test_what_was_asked_approved_committed_and_paid(world, kent):
    section = section_for(world)
    # the child who left care mid-term and the child at a school outside Kent count;
    # the spring line and Sefton's line do not
    assert figures(section, "ppplus.spend") == {
        "Children with approved PP+": [(3, None)],
        "Requested": [(30_000 + 20_000 + 25_000 + 25_000 + 10_000, None)],
        "Approved": [(30_000 + 20_000 + 25_000, None)],
        "Paid": [(30_000, None)],
        "Committed, not yet paid": [(45_000, None)],
    }
    whole_year = section_for(world, term=None)
    assert figures(whole_year, "ppplus.spend")["Approved"] == [(83_000, None)]
    assert figures(whole_year, "ppplus.spend")["Children with approved PP+"] == [(3, None)]


def test_spend_by_school_and_by_area_of_need(world, kent):
    section = section_for(world)
    assert figures(section, "ppplus.by_school") == {
        "Kent Primary": [(45_000, None), (0, None), (45_000, None), (2, None)],
        "Sefton Primary": [(0, None), (0, None), (0, None), (1, None)],
        "Shared Academy": [(30_000, None), (30_000, None), (0, None), (2, None)],
    }
    assert figures(section, "ppplus.by_category") == {
        "Equipment and learning resources": [(0, None)] * 3 + [(1, None), (0, None)],
        "Mentoring and coaching": [(0, None)] * 3 + [(1, None), (0, None)],
        "Therapeutic and emotional support": [
            (25_000, None),
            (0, None),
            (25_000, None),
            (1, None),
            (1, None),
        ],
        "Tuition and catch-up": [
            (50_000, None),
            (30_000, None),
            (20_000, None),
            (2, None),
            (2, None),
        ],
    }


def test_funded_lines_with_no_impact_recorded(world, kent):
    section = section_for(world)
    assert figures(section, "ppplus.no_impact") == {
        "Approved lines with no impact recorded": [(2, 3)],
        "Children with such a line": [(2, 3)],
    }


def test_a_school_filter_leaves_out_the_children_at_other_schools(world, kent):
    section = section_for(world, school_id=world.school_a.pk)
    assert figures(section, "ppplus.spend")["Requested"] == [(50_000, None)]
    assert list(figures(section, "ppplus.by_school")) == ["Kent Primary"]
    # the budget is the whole authority's
    assert figures(section, "ppplus.budget")["Grant"] == [(1_000_000, None)]


@pytest.mark.parametrize(
    ("measure", "who"),
    [
        ("ppplus.funded", ["in_circle", "other", "left"]),
        ("ppplus.no_impact", ["other", "left"]),
        ("ppplus.category.tuition", ["in_circle", "other"]),
        ("ppplus.category.therapeutic", ["left"]),
        ("ppplus.category.equipment", []),
    ],
)
def test_the_children_behind_each_number(world, kent, measure, who):
    with head(world) as actor:
        found = children_behind(actor=actor, filters=report_filter(world.a.la), measure=measure)
        assert names(found) == names(getattr(kent, name) for name in who)


def test_every_count_of_children_links_to_as_many_children(world, kent):
    section = section_for(world)
    cells = [measure for table in section.tables for row in table.rows for measure in row.cells]
    assert all(m.drill == "" for m in cells if m.unit != "children")
    counts = [m for m in cells if m.unit == "children"]
    assert len(counts) == 2 + 4
    with head(world) as actor:
        assert [count_behind(actor, m) for m in counts] == [m.value for m in counts]


def test_nothing_to_show_says_so(world, clock_at):
    clock_at(TODAY)
    section = section_for(world)
    assert section.tables == ()
    assert section.empty_message == (
        "No PP+ budget is recorded for 2026-27 and no PP+ was asked for the children in "
        "scope in Autumn term 2026/27."
    )


def test_another_authority_sees_only_its_own(world, kent):
    with acting_as(world.b.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        section = ppplus.section(actor=actor, filters=report_filter(world.b.la))
    assert figures(section, "ppplus.budget")["Grant"] == [(5, None)]
    assert figures(section, "ppplus.spend")["Approved"] == [(50_000, None)]


def _bulk(world, n):
    a = world.a
    school = SchoolFactory()
    for index in range(n):
        child = ChildFactory(local_authority=a.la)
        EnrolmentFactory(child=child, school=school)
        line(
            a,
            child,
            school,
            amount=1_000,
            approved=1_000,
            category=("tuition", "mentoring", "equipment")[index % 3],
            impact="some" if index % 2 else "",
        )


def _queries(world):
    with head(world) as actor, CaptureQueriesContext(connection) as captured:
        section = ppplus.section(actor=actor, filters=report_filter(world.a.la))
    return len(captured), section


def test_the_section_costs_the_same_queries_for_5_and_55_children(world, clock_at):
    clock_at(TODAY)
    _bulk(world, 5)
    few, section = _queries(world)
    assert figures(section, "ppplus.spend")["Approved"] == [(5_000, None)]
    _bulk(world, 50)
    many, section = _queries(world)
    assert figures(section, "ppplus.spend")["Approved"] == [(55_000, None)]
    assert figures(section, "ppplus.no_impact")["Children with such a line"] == [(3 + 25, 55)]
    assert few == many == 5
