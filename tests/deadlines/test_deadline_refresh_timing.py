"""How long ``deadlines_refresh_all`` takes for one authority of ~500 children (a
measurement, not a check: run with ``EPEP_MEASURE_DEADLINES=1`` and ``-s``)."""

from __future__ import annotations

import os
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines import services
from epep.tenancy.roles import Role
from tests.factories import AllocationFactory, ChildFactory, EnrolmentFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("EPEP_MEASURE_DEADLINES"), reason="a measurement, run on demand"
    ),
]


def test_time_the_refresh_of_500_children(world):
    la = world.a.la
    for i in range(500):
        child = ChildFactory(
            local_authority=la,
            date_of_birth=date(2012, 1, 1) + timedelta(days=i * 7),
            entered_care_on=date(2026, 9, 1) + timedelta(days=i % 60),
        )
        EnrolmentFactory(child=child, school=world.school_a, start_date=date(2026, 10, 1))
        AllocationFactory(
            child=child,
            worker=world.a.users[Role.SOCIAL_WORKER],
            kind=Role.SOCIAL_WORKER,
            start_date=date(2020, 9, 1),
        )
    day = date(2026, 11, 3)
    for run in ("first", "repeat"):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            count = services.deadlines_refresh_all(local_authority_id=la.pk, today=day)
            took = time.perf_counter() - started
        print(f"\n{run}: {count} children, {took * 1000:.0f} ms, {len(queries)} queries")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("EPEP_MEASURE_NATIONAL"),
    reason="national size, several minutes: EPEP_MEASURE_NATIONAL=1",
)
def test_time_the_nightly_refresh_at_national_size():
    """England's children in care (84,552 in 156 authorities, each on roll, placed and
    allocated): every authority worked out the first time, the nightly run again with
    nothing changed, the next night, and the weekly check. Prints seconds and queries."""
    from tests.children.test_visibility_indexes import _fill

    authorities, _schools, _workers = _fill(
        authorities=156, per_authority=542, schools=3000, workers=600
    )
    day = date(2026, 11, 3)
    runs = (
        ("first (everyone worked out)", day, False),
        ("repeat, nightly (changed only)", day, True),
        ("next day, nightly (changed only)", day + timedelta(days=1), True),
        ("weekly check (every child's inputs read)", day + timedelta(days=1), False),
    )
    for run, when, changed_only in runs:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            children = sum(
                services.deadlines_refresh_all(
                    local_authority_id=la.pk, today=when, changed_only=changed_only
                )
                for la in authorities
            )
            took = time.perf_counter() - started
        print(f"\n{run}: {children} children read, {took:.1f} s, {len(queries)} queries")
