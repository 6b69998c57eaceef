"""Compliance figures on a small world with known answers (reports.selectors.compliance)."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline, DeadlineKind
from epep.tenancy.actor import acting_as
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps.models import Pep, Status
from reports.filters import parse_filters
from reports.selectors.compliance import section
from reports.selectors.drill import children_behind
from tests.factories import ChildFactory, EnrolmentFactory
from tests.reports.test_cohort import cohort_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def pep(child, *, status, meeting=None, submitted=None, term="autumn", year="2026-27"):
    return Pep.objects.create(
        child=child,
        local_authority_id=child.local_authority_id,
        academic_year=year,
        term=term,
        status=status,
        meeting_date=meeting,
        submitted_at=submitted,
        created_by=child.local_authority.memberships.first().user,
    )


def deadline(child, kind, trigger, due, met_on=None):
    return Deadline.objects.create(
        child=child,
        local_authority_id=child.local_authority_id,
        kind=kind,
        trigger_date=trigger,
        due_date=due,
        met_on=met_on,
        source="test",
    )


@pytest.fixture
def compliance_world(world, cohort_world):  # noqa: F811
    """On 7 December 2026 (autumn term, termly reviews, 10 working days' QA turnaround):
    In: finalised PEP held 10 October (in date). Out: no PEP, termly deadline due
    20 November (17 days overdue). Away: approved PEP held 1 March (too old), a deadline
    due 10 December (due soon). Left: left care 1 November (not in care on the census
    date) with an in-date PEP. New1/New2: entered care in October, first PEP on time /
    late. Older: PEP submitted 1 November (late for QA); Tiny: submitted 4 December.
    Sefton's child: everything, never counted."""
    c = cohort_world
    with all_authorities_context():
        new1 = ChildFactory(
            local_authority=world.a.la, legal_first_name="New1", entered_care_on=date(2026, 10, 1)
        )
        new2 = ChildFactory(
            local_authority=world.a.la, legal_first_name="New2", entered_care_on=date(2026, 10, 5)
        )
        EnrolmentFactory(child=new1, school=world.school_a, start_date=date(2026, 10, 1))
        pep(world.a.child, status=Status.FINALISED, meeting=date(2026, 10, 10))
        pep(c["left"], status=Status.FINALISED, meeting=date(2026, 10, 12))
        pep(c["away"], status=Status.APPROVED, meeting=date(2026, 3, 1), term="spring",
            year="2025-26")  # fmt: skip
        deadline(world.a.other_child, DeadlineKind.TERMLY_REVIEW, date(2026, 9, 1),
                 date(2026, 11, 20))  # fmt: skip
        deadline(c["away"], DeadlineKind.TERMLY_REVIEW, date(2026, 9, 1), date(2026, 12, 10))
        deadline(new1, DeadlineKind.FIRST_PEP, date(2026, 10, 1), date(2026, 10, 15),
                 met_on=date(2026, 10, 14))  # fmt: skip
        deadline(new2, DeadlineKind.FIRST_PEP, date(2026, 10, 5), date(2026, 10, 19),
                 met_on=date(2026, 10, 25))  # fmt: skip
        pep(c["older"], status=Status.SUBMITTED, submitted=datetime(2026, 11, 1, 10, tzinfo=UTC))
        pep(c["tiny"], status=Status.SUBMITTED, submitted=datetime(2026, 12, 4, 10, tzinfo=UTC))
        # Sefton's child: in date, overdue, due soon, waiting for QA: never in Kent's figures.
        pep(world.b.child, status=Status.SUBMITTED, meeting=date(2026, 10, 1),
            submitted=datetime(2026, 10, 2, tzinfo=UTC))  # fmt: skip
        deadline(world.b.child, DeadlineKind.TERMLY_REVIEW, date(2026, 9, 1), date(2026, 10, 1))
        deadline(world.b.child, DeadlineKind.FIRST_PEP, date(2026, 10, 1), date(2026, 12, 9))
    return c


def compliance(world, query="year=2026&term=autumn"):
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        filters, errors = parse_filters(actor=actor, data=QueryDict(query))
        assert errors == {}
        result = section(actor=actor, filters=filters)
    return {
        (table.key, row.key): row.cells for table in result.tables for row in table.rows
    }, result


def value(cells):
    first = cells[0]
    return (first.value, first.denominator) if first.denominator is not None else first.value


def behind(world, measure, query="year=2026&term=autumn"):
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        filters, _ = parse_filters(actor=actor, data=QueryDict(query))
        return sorted(
            c.legal_first_name
            for c in children_behind(actor=actor, filters=filters, measure=measure)
        )


def test_cohort_counts(world, compliance_world):
    cells, _ = compliance(world)
    counts = {key: value(v) for (table, key), v in cells.items() if table == "cohort"}
    # In, Out, Left, Away, Tiny, Older, New1, New2 (Gone left care in 2025; Sefton never).
    assert counts == {
        "all": 8,
        "early_years": 1,
        "school_age": 6,
        "post_16": 1,
        "in_authority": 5,
        "out_of_authority": 1,
        "no_school": 2,
        "uasc": 1,
    }
    assert behind(world, "cohort.no_school") == ["New2", "Tiny"]


def test_in_date_overdue_due_soon_initial_and_qa(world, compliance_world):
    cells, _ = compliance(world)
    # Left is not in care on 7 December: 7 in care, only In has an in-date PEP.
    assert value(cells[("in_date", "in_date")]) == (1, 7)
    assert cells[("in_date", "in_date")][0].percent == 14
    assert value(cells[("in_date", "not_in_date")]) == (6, 7)
    assert behind(world, "compliance.in_date") == ["In"]
    assert value(cells[("initial", "on_time")]) == (1, 2)
    assert behind(world, "compliance.first_pep_late") == ["New2"]
    assert value(cells[("due_soon", "due_soon")]) == 1
    assert behind(world, "compliance.due_soon") == ["Away"]
    assert value(cells[("overdue", "overdue")]) == 1
    assert value(cells[("overdue", "overdue_15_30")]) == (1, 1)
    assert value(cells[("overdue", "overdue_1_14")]) == (0, 1)
    assert behind(world, "compliance.overdue_15_30") == ["Out"]
    assert value(cells[("qa", "qa_waiting")]) == 2
    assert value(cells[("qa", "qa_late")]) == (1, 2)
    assert behind(world, "compliance.qa_late") == ["Older"]


def test_breakdowns_by_school_team_and_key_stage(world, compliance_world):
    cells, result = compliance(world)
    by_school = next(t for t in result.tables if t.key == "by_school")
    rows = {row.label: [c.value for c in row.cells] for row in by_school.rows}
    # Children in care on the census date, in date, overdue, due soon.
    assert rows["Kent Primary"] == [3, 0, 1, 0]  # Out, Older, New1 (Left left care)
    assert rows["Shared Academy"] == [1, 1, 0, 0]
    assert rows["Sefton High"] == [1, 0, 0, 1]
    assert rows["No school recorded"] == [2, 0, 0, 0]
    kent_primary = next(r for r in by_school.rows if r.label == "Kent Primary")
    assert f"school={world.school_a.pk}" in kent_primary.cells[2].drill
    stages = next(t for t in result.tables if t.key == "by_key_stage")
    by_stage = {r.label: r.cells[0].value for r in stages.rows}
    assert by_stage == {"EYFS": 1, "KS3": 5, "Post-16": 1}  # in care on 7 December


def test_a_filter_narrows_every_figure(world, compliance_world):
    cells, _ = compliance(world, f"year=2026&term=autumn&school={world.school_a.pk}")
    assert value(cells[("cohort", "all")]) == 4  # Out, Left, Older, New1
    assert value(cells[("overdue", "overdue")]) == 1
    assert value(cells[("due_soon", "due_soon")]) == 0  # Away is at the Sefton school
    assert value(cells[("qa", "qa_waiting")]) == 1


def test_a_term_with_nobody_says_so(world, compliance_world):
    _, result = compliance(world, "year=2026&term=autumn&cohort=uasc&key_stage=EYFS")
    assert result.empty_message.startswith("No children were in care in the autumn term 2026/27")


def test_queries_do_not_grow_with_children(world, compliance_world):
    def count():
        with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
            filters, _ = parse_filters(actor=actor, data=QueryDict("year=2026&term=autumn"))
            with CaptureQueriesContext(connection) as queries:
                section(actor=actor, filters=filters)
        return len(queries)

    before = count()
    with all_authorities_context():
        for i in range(50):
            child = ChildFactory(local_authority=world.a.la, legal_first_name=f"Many{i}")
            EnrolmentFactory(child=child, school=world.school_a)
            deadline(child, DeadlineKind.TERMLY_REVIEW, date(2026, 9, 1), date(2026, 11, 1))
    assert count() == before
