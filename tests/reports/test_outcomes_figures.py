"""Outcomes (issue 14 point 4) on a small world with known answers: attendance,
suspensions and exclusions, attainment against baseline by key stage and over time, NEET;
the children behind each number; a constant number of queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epep.tenancy.actor import acting_as
from epep.tenancy.roles import Role
from peps.models import Status
from reports.selectors import outcomes
from reports.selectors.drill import children_behind
from tests.factories import SchoolFactory
from tests.reports.outcomes_world import (
    DAY,
    KS2_BORN,
    POST_16_BORN,
    autumn,
    child_with_pep,
    whole_year,
)

pytestmark = pytest.mark.django_db


def _table(section, key):
    return next(table for table in section.tables if table.key == key)


def _row(section, table, row):
    return next(r for r in _table(section, table).rows if r.key == row)


def _values(row):
    return [(cell.value, cell.denominator) for cell in row.cells]


@pytest.fixture
def kent(world, clock_at):
    """Kent's children with autumn 2026 PEPs, each one known answer:

    - steady: 95 % attendance, English 3 → 5 and maths 4 → 4 (progress, at the standard);
    - sessions: 20 of 100 sessions missed (80 %: the sessions win over the 95 % typed),
      2 suspensions, English 5 → 3 (below baseline);
    - left: left care on 15 October (counted: in care during the term), 40 %, permanently
      excluded;
    - away: at a school of another authority, 92 %;
    - neet: post-16, NEET, 85 % on the course section;
    - ks2: Key stage 2, working towards → expected in reading;
    - draft: a draft PEP at 10 % (not counted).
    Sefton's child has a submitted PEP at 30 % (never counted)."""
    clock_at(DAY)
    a, school = world.a, world.school_a
    other_area = SchoolFactory(name="Sefton High", la_code="343")
    kids = {
        "steady": child_with_pep(
            a,
            school=school,
            education={"attendance_percent": "95", "suspensions": "0"},
            attainment=[("English", "3", "5"), ("Mathematics", "4", "4")],
        ),
        "sessions": child_with_pep(
            a,
            school=school,
            education={
                "attendance_percent": "95",
                "sessions_possible": "100",
                "sessions_missed": "20",
                "suspensions": "2",
                "permanently_excluded": "no",
            },
            attainment=[("English", "5", "3")],
        ),
        "left": child_with_pep(
            a,
            school=school,
            education={"attendance_percent": "40", "permanently_excluded": "yes"},
            entered_care_on=date(2022, 5, 1),
            left_care_on=date(2026, 10, 15),
        ),
        "away": child_with_pep(
            a, school=other_area, education={"attendance_percent": "92", "suspensions": "1"}
        ),
        "neet": child_with_pep(
            a,
            school=school,
            born=POST_16_BORN,
            key_stage="Post-16",
            p16_status={"status": "neet"},
            p16_course={"attendance_percent": "85"},
            attainment=[("Maths", "L1", "L2"), ("English", "C", "Pass")],
        ),
        "ks2": child_with_pep(
            a,
            school=school,
            born=KS2_BORN,
            key_stage="KS2",
            education={"attendance_percent": "not known"},
            attainment=[("Reading", "working_towards", "expected")],
        ),
        "draft": child_with_pep(
            a, school=school, status=Status.DRAFT, education={"attendance_percent": "10"}
        ),
    }
    child_with_pep(world.b, school=world.shared_school, education={"attendance_percent": "30"})
    return kids


def _section(world, filters):
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        return outcomes.section(actor=actor, filters=filters)


def test_attendance_persistent_and_severe_absence(world, kent):
    section = _section(world, autumn(world.a.la))
    # Recorded: steady, sessions, left, away, neet (ks2's is not a number; draft and Sefton
    # never count). Persistent (< 90): sessions (80 from the sessions), left, neet.
    assert _values(_row(section, "outcomes.attendance", "autumn")) == [
        (5, None),
        (3, 5),
        (1, 5),
    ]


def test_suspensions_and_permanent_exclusions(world, kent):
    row = _row(_section(world, autumn(world.a.la)), "outcomes.exclusions", "autumn")
    # School-age PEPs with an education section: steady, sessions, left, away, ks2.
    assert _values(row) == [(5, None), (2, 5), (3, None), (1, 5)]
    assert row.cells[2].unit == "count" and row.cells[2].drill == ""


def test_neet_counts_post_16_statuses(world, kent):
    row = _row(_section(world, autumn(world.a.la)), "outcomes.neet", "autumn")
    assert _values(row) == [(1, None), (1, 1)]


def test_attainment_by_key_stage_against_baseline(world, kent):
    section = _section(world, autumn(world.a.la))
    # KS3: steady (progress, at the standard), sessions (below baseline).
    assert _values(_row(section, "outcomes.attainment", "KS3")) == [
        (2, None),
        (1, 2),
        (1, 2),
        (1, 2),
    ]
    assert _values(_row(section, "outcomes.attainment", "KS2")) == [
        (1, None),
        (1, 1),
        (0, 1),
        (1, 1),
    ]
    # Post-16: L1 → L2 is progress; C → Pass is on another scale and not compared.
    post16 = _row(section, "outcomes.attainment", "Post-16")
    assert _values(post16)[:3] == [(1, None), (1, 1), (0, 1)]
    assert post16.cells[3].value is None
    assert _values(_row(section, "outcomes.attainment", "EYFS"))[0] == (0, None)


def test_progress_over_time_by_term(world, kent):
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        section = outcomes.section(actor=actor, filters=whole_year(world.a.la))
    table = _table(section, "outcomes.progress")
    assert [row.key for row in table.rows] == ["autumn", "spring", "summer"]
    assert _values(table.rows[0]) == [(4, None), (3, 4), (1, 4), (2, 4)]
    assert _values(table.rows[1]) == [(0, None), (0, 0), (0, 0), (0, 0)]


def test_a_school_filter_leaves_out_children_at_other_schools(world, kent):
    section = _section(world, autumn(world.a.la, school_id=world.school_a.pk))
    assert _values(_row(section, "outcomes.attendance", "autumn"))[0] == (4, None)


def test_out_of_authority_cohort(world, kent):
    section = _section(world, autumn(world.a.la, cohort="out_of_authority"))
    assert _values(_row(section, "outcomes.attendance", "autumn")) == [
        (1, None),
        (0, 1),
        (0, 1),
    ]


def test_every_number_links_to_exactly_the_children_behind_it(world, kent):
    filters = autumn(world.a.la)
    section = _section(world, filters)
    drills = {
        cell.drill.split("measure=")[1]: cell
        for table in section.tables
        for row in table.rows
        for cell in row.cells
        if cell.drill and "term=autumn" in cell.drill
    }
    assert set(drills) >= {"outcomes.persistent_absence", "outcomes.neet", "outcomes.progress"}
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        for measure, cell in drills.items():
            behind = children_behind(actor=actor, filters=filters, measure=measure)
            assert behind.count() == cell.value, measure
        persistent = children_behind(
            actor=actor, filters=filters, measure="outcomes.persistent_absence"
        )
        assert set(persistent) == {kent["sessions"], kent["left"], kent["neet"]}


def test_sefton_sees_only_its_own_child(world, kent):
    with acting_as(world.b.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        section = outcomes.section(actor=actor, filters=autumn(world.b.la))
    assert _values(_row(section, "outcomes.attendance", "autumn")) == [
        (1, None),
        (1, 1),
        (1, 1),
    ]


def test_a_term_without_peps_says_so(world, kent):
    section = _section(world, replace(autumn(world.a.la), term="spring"))
    assert section.tables == ()
    assert section.empty_message == (
        "No PEP that reached the Virtual School records outcomes for the spring term 2026/27."
    )


def _many(world, n):
    for i in range(n):
        child_with_pep(
            world.a,
            school=world.school_a,
            education={"attendance_percent": str(50 + i % 50), "suspensions": str(i % 3)},
            attainment=[("English", "4", str(3 + i % 4))],
        )


@pytest.mark.parametrize("filters", [autumn, whole_year])
def test_queries_do_not_grow_with_the_number_of_children(world, clock_at, filters):
    clock_at(DAY)
    _many(world, 5)
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        with CaptureQueriesContext(connection) as few:
            outcomes.section(actor=actor, filters=filters(world.a.la))
    _many(world, 50)
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        with CaptureQueriesContext(connection) as many:
            section = outcomes.section(actor=actor, filters=filters(world.a.la))
    assert len(many) == len(few) <= 5
    assert _values(_table(section, "outcomes.attendance").rows[0])[0] == (55, None)
