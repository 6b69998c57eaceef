"""manage.py seed_demo run from an empty database, each test seeding on its own day
(the tests that start from one shared seed are in test_seed_demo.py)."""

from __future__ import annotations

from datetime import date

import pytest

from children import stages
from epep.tenancy.context import all_authorities_context
from epep.tenancy.models import LocalAuthority

from .test_seed_demo import SEED_DAY, seed, snapshot


@pytest.mark.django_db
def test_running_twice_creates_nothing_the_second_time(clock_at):
    clock_at(SEED_DAY)
    first_output = seed()
    first = snapshot()
    second_output = seed()
    assert snapshot() == first
    assert first["authorities"] == 3
    assert first["schools"] == 16
    assert first["children"] == 60
    # Published: Kent 2024-25 and 2025-26, Sefton 2024-25; entered: 2026-27 for all three.
    assert first["terms"] == 36
    assert first["users"] == 71  # 70 with one membership each, and the superuser
    assert first["memberships"] == 70
    assert first["enrolments"] == 70
    assert first["placements"] == 68
    assert first["placement_carers"] == 70  # the Whitfields' two placements have two carers
    assert first["allocations"] == 135
    # Every child and dated record was written through a service, with its audit event.
    assert first["audit_events"] == 60 + 70 + 68 + 135
    assert "Created: 3 authorities, 16 schools, 71 users, 36 terms, 60 children" in first_output
    assert "Nothing to create" in second_output


@pytest.mark.django_db
@pytest.mark.parametrize("day", [date(2026, 12, 7), date(2027, 6, 15)])
def test_the_demo_reads_like_a_live_authority_on_any_day(clock_at, day):
    from deadlines.models import Task

    clock_at(day)
    output = seed()
    year = stages.academic_year_label(day)
    with all_authorities_context():
        open_tasks = list(Task.objects.filter(closed_at__isnull=True))
        years = {
            (la.code, y)
            for la in LocalAuthority.objects.all()
            for y in la.terms.values_list("academic_year", flat=True)
        }
    # Work is waiting (new to care, new schools), but nothing is long forgotten: no open
    # task fell due more than about a term ago.
    assert open_tasks
    overdue = [t for t in open_tasks if t.due_date < day]
    assert len({t.child_id for t in overdue}) <= 6
    stale = [(t.title, t.due_date) for t in open_tasks if (day - t.due_date).days > 90]
    assert stale == []
    # Term dates for this academic year (and the next one, from June) in every authority.
    wanted = {year} | ({"2027-28"} if day.month == 6 else set())
    for code in ("886", "343", "210"):
        for y in wanted:
            assert (code, y) in years, (code, y)
    assert f"No authority has term dates for {year}" not in output
