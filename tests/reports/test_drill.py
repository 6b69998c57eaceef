"""The children behind a number (reports.selectors.drill)."""

from datetime import date

import pytest
from django.http import QueryDict

from epep.tenancy.actor import acting_as
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from reports.filters import parse_filters
from reports.registry import SECTIONS, available_sections, drill_for
from reports.selectors.compliance import DRILLS, MEASURES
from reports.selectors.drill import UnknownMeasure, children_behind, drill_query
from tests.factories import EnrolmentFactory
from tests.reports.test_cohort import cohort_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def filters_for(world, query=""):
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        return parse_filters(actor=actor, data=QueryDict(query))[0]


def test_the_registry_names_all_four_sections_and_finds_the_drills():
    assert list(SECTIONS) == ["compliance", "quality", "ppplus", "outcomes"]
    assert "compliance" in available_sections()
    assert drill_for("cohort.all") is DRILLS["cohort.all"]
    assert drill_for("compliance.in_date") is DRILLS["compliance.in_date"]
    assert drill_for("compliance.nonsense") is None
    assert drill_for("nonsense.in_date") is None
    assert set(MEASURES) == set(DRILLS)


def test_drill_query_keeps_the_filter_and_applies_overrides(world, cohort_world):  # noqa: F811
    filters = filters_for(world, f"year=2026&term=spring&cohort=uasc&school={world.school_a.pk}")
    assert drill_query(filters, "cohort.all") == (
        f"year=2026&term=spring&cohort=uasc&school={world.school_a.pk}&measure=cohort.all"
    )
    assert drill_query(filters, "m", school_id=None, cohort=None, term="summer", team="T 1") == (
        "year=2026&term=summer&team=T+1&measure=m"
    )
    with pytest.raises(TypeError):
        drill_query(filters, "m", colour="red")


def test_a_child_of_another_authority_is_never_behind_a_number(world, cohort_world):  # noqa: F811
    # Sefton's child at Kent's school: the school filter and every measure leave them out.
    with all_authorities_context():
        world.b.other_child.enrolments.update(end_date=date(2026, 9, 1))
        EnrolmentFactory(child=world.b.other_child, school=world.school_a,
                         start_date=date(2026, 9, 1))  # fmt: skip
    query = f"year=2026&school={world.school_a.pk}"
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        filters, errors = parse_filters(actor=actor, data=QueryDict(query))
        assert errors == {}
        for measure in MEASURES:
            behind = children_behind(actor=actor, filters=filters, measure=measure)
            assert not behind.filter(local_authority=world.b.la).exists(), measure
        everyone = children_behind(actor=actor, filters=filters, measure="cohort.all")
        assert world.b.other_child not in everyone
        assert {c.legal_first_name for c in everyone} == {"Out", "Left", "Older"}
        with pytest.raises(UnknownMeasure):
            children_behind(actor=actor, filters=filters, measure="cohort.nobody")


def test_another_authoritys_head_sees_only_their_own(world, cohort_world):  # noqa: F811
    with acting_as(world.b.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        filters, _ = parse_filters(actor=actor, data=QueryDict("year=2026"))
        names = {
            c.legal_first_name
            for c in children_behind(actor=actor, filters=filters, measure="cohort.all")
        }
    assert names == {"In", "Out"}  # Sefton's two, none of Kent's
