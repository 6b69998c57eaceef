"""Reading the dashboard's filters from a query string (reports.filters.parse_filters)."""

from datetime import date

import pytest
from django.http import QueryDict

from epep.tenancy.actor import acting_as
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from reports.filters import parse_filters
from reports.selectors.drill import drill_query
from tests.factories import SchoolFactory
from tests.reports.test_cohort import add_terms

pytestmark = pytest.mark.django_db


def parse(world, query: str):
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        return parse_filters(actor=actor, data=QueryDict(query))


@pytest.fixture
def today(world, clock_at):
    clock_at(date(2026, 12, 7))
    with all_authorities_context():
        add_terms(world.a.la, 2026)


def test_defaults_are_this_academic_year_counted_today(world, today):
    filters, errors = parse(world, "")
    assert errors == {}
    assert filters.local_authority_id == world.a.la.pk
    assert (filters.academic_year, filters.term) == (2026, None)
    assert (filters.period_start, filters.period_end) == (date(2026, 9, 1), date(2027, 9, 1))
    assert filters.census_date == date(2026, 12, 7)
    assert filters.year_label == "2026/27"


def test_a_past_term_is_counted_on_its_last_day(world, today):
    with all_authorities_context():
        add_terms(world.a.la, 2025)
    filters, errors = parse(world, "year=2025-26&term=spring")
    assert errors == {}
    assert (filters.period_start, filters.period_end) == (date(2026, 1, 1), date(2026, 4, 1))
    assert filters.census_date == date(2026, 3, 31)


def test_every_dimension_round_trips_through_drill_query(world, today):
    query = f"year=2026&term=autumn&cohort=uasc&school={world.school_a.pk}&key_stage=KS3"
    filters, errors = parse(world, query)
    assert errors == {}
    assert (filters.cohort, filters.school_id, filters.key_stage) == (
        "uasc",
        world.school_a.pk,
        "KS3",
    )
    assert drill_query(filters, "compliance.in_date") == f"{query}&measure=compliance.in_date"
    again, _ = parse(world, drill_query(filters, "x", key_stage="KS4", cohort=None))
    assert (again.key_stage, again.cohort, again.school_id) == ("KS4", None, world.school_a.pk)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("year=1999", "year", "Enter an academic year like 2026/27"),
        ("year=2026-28", "year", "Enter an academic year like 2026/27"),
        ("year=abcd", "year", "Enter an academic year like 2026/27"),
        ("year=2031", "year", "Enter an academic year like 2026/27"),
        ("term=winter", "term", "Choose autumn, spring or summer term."),
        ("cohort=adults", "cohort", "Choose a cohort from the list."),
        ("key_stage=KS9", "key_stage", "Choose a key stage from the list."),
        ("school=99999999", "school", "No child of this authority has been on roll"),
        ("school=abc", "school", "No child of this authority has been on roll"),
        ("team=Nobody", "team", "No worker of this authority is in the team 'Nobody'."),
        ("team=Team%001", "team", "No worker of this authority is in the team"),
        ("school=1%00", "school", "No child of this authority has been on roll"),
        ("school=%C2%B2", "school", "No child of this authority has been on roll"),
        ("school=" + "9" * 40, "school", "No child of this authority has been on roll"),
        ("year=2026%00", "year", "Enter an academic year like 2026/27"),
        ("year=2027&term=spring", "term", "There are no term dates for the spring term 2027/28"),
    ],
)
def test_bad_input_names_the_field_and_is_left_out(world, today, query, field, message):
    filters, errors = parse(world, query)
    assert list(errors) == [field]
    assert errors[field].startswith(message)
    if field != "term" or "winter" in query:
        assert getattr(filters, {"school": "school_id"}.get(field, field), None) in (None, 2026)


def test_a_school_only_other_authorities_children_attend_is_unknown(world, today):
    # Sefton Primary has only Sefton's child on roll; a school nobody attends neither.
    for school in (world.school_b, SchoolFactory()):
        filters, errors = parse(world, f"school={school.pk}")
        assert "school" in errors
        assert filters.school_id is None
