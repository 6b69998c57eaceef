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
