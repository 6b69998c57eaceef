"""Which children a report counts (reports.selectors.cohort.children_in_scope)."""

from datetime import date

import pytest
from django.http import QueryDict

from calendars.models import SchoolTerm
from epep.tenancy.actor import acting_as
from epep.tenancy.context import all_authorities_context
from epep.tenancy.models import Membership
from epep.tenancy.roles import Role
from reports.filters import parse_filters
from reports.selectors.cohort import children_in_scope
from tests.factories import ChildFactory, EnrolmentFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort_world(world, clock_at):
    """Kent's two world children (Year 7 in 2026/27, schools in Kent), and:
    left (left care on 1 November 2026), away (a school in Sefton's area), tiny
    (Nursery), older (Year 12, UASC), gone (left care in 2025) and b's children."""
    clock_at(date(2026, 12, 7))
    la = world.a.la
    with all_authorities_context():
        add_terms(la, 2026)
    sefton_school = SchoolFactory(name="Sefton High", la_code="343")
    left = ChildFactory(
        local_authority=la,
        legal_first_name="Left",
        entered_care_on=date(2020, 1, 1),
        left_care_on=date(2026, 11, 1),
    )
    EnrolmentFactory(child=left, school=world.school_a)
    away = ChildFactory(local_authority=la, legal_first_name="Away")
    EnrolmentFactory(child=away, school=sefton_school)
    tiny = ChildFactory(
        local_authority=la,
        legal_first_name="Tiny",
        date_of_birth=date(2022, 10, 1),
        entered_care_on=date(2023, 1, 1),
    )
    older = ChildFactory(
        local_authority=la, legal_first_name="Older", date_of_birth=date(2010, 1, 5), is_uasc=True
    )
    EnrolmentFactory(child=older, school=world.school_a)
    gone = ChildFactory(
        local_authority=la,
        legal_first_name="Gone",
        entered_care_on=date(2019, 1, 1),
        left_care_on=date(2025, 6, 1),
    )
    EnrolmentFactory(child=gone, school=world.school_a)
    return {
        "left": left,
        "away": away,
        "tiny": tiny,
        "older": older,
        "gone": gone,
        "sefton_school": sefton_school,
    }


def add_terms(la, year):
    """Three terms of academic year ``year`` for ``la``."""
    label = f"{year}-{(year + 1) % 100:02d}"
    for name, start, end in (
        ("Autumn", date(year, 9, 3), date(year, 12, 18)),
        ("Spring", date(year + 1, 1, 5), date(year + 1, 3, 26)),
        ("Summer", date(year + 1, 4, 12), date(year + 1, 7, 21)),
    ):
        SchoolTerm.objects.create(
            local_authority=la, academic_year=label, name=name, start_date=start, end_date=end
        )


def names(world, **query):
    data = QueryDict(mutable=True)
    data.update(query)
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        filters, errors = parse_filters(actor=actor, data=data)
        assert errors == {}
        return sorted(
            f"{c.legal_first_name}" for c in children_in_scope(actor=actor, filters=filters)
        )


def test_in_care_during_the_period_of_our_authority_only(world, cohort_world):
    # b's children never; Gone left care before 2026/27.
    assert names(world, year="2026", term="autumn") == [
        "Away", "In", "Left", "Older", "Out", "Tiny",
    ]  # fmt: skip
    # Left care on 1 November 2026: in the autumn term, not in spring.
    assert "Left" not in names(world, year="2026", term="spring")
    # Gone was in care in 2024/25.
    assert "Gone" in names(world, year="2024")
    assert "Gone" not in names(world, year="2025")


def test_cohorts(world, cohort_world):
    assert names(world, year="2026", cohort="early_years") == ["Tiny"]
    assert names(world, year="2026", cohort="school_age") == ["Away", "In", "Left", "Out"]
    assert names(world, year="2026", cohort="post_16") == ["Older"]
    assert names(world, year="2026", cohort="uasc") == ["Older"]
    # Kent's code is 886: the Sefton school is outside; Tiny has no school (neither).
    assert names(world, year="2026", cohort="out_of_authority") == ["Away"]
    assert names(world, year="2026", cohort="in_authority") == ["In", "Left", "Older", "Out"]


def test_school_key_stage_and_team(world, cohort_world):
    assert names(world, year="2026", school=str(world.school_a.pk)) == ["Left", "Older", "Out"]
    assert names(world, year="2026", key_stage="KS3") == ["Away", "In", "Left", "Out"]
    assert names(world, year="2026", key_stage="EYFS") == ["Tiny"]
    worker = world.a.users[Role.SOCIAL_WORKER]
    with all_authorities_context():
        Membership.objects.filter(user=worker, role=Role.SOCIAL_WORKER).update(team="Team 2")
    assert names(world, year="2026", team="Team 2") == ["In"]


def test_a_school_moved_from_counts_at_the_last_school(world, cohort_world):
    away = cohort_world["away"]
    with all_authorities_context():
        away.enrolments.update(end_date=date(2026, 10, 1))
        EnrolmentFactory(child=away, school=world.school_a, start_date=date(2026, 10, 1))
    assert "Away" in names(world, year="2026", term="autumn", school=str(world.school_a.pk))
    assert "Away" not in names(world, year="2026", term="autumn", cohort="out_of_authority")
