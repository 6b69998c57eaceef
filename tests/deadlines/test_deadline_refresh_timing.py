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


#: Worker processes the nightly refresh runs on: one Celery job per authority
#: (``deadlines.tasks.refresh_authority_deadlines``), two at a time as in
#: docker-compose.yml's worker (``--concurrency=2``) on this two-core machine.
WORKER_PROCESSES = int(os.environ.get("EPEP_MEASURE_PROCESSES", "2"))


def _refresh_one(la_id: int, when: date, changed_only: bool) -> tuple[int, int]:
    """The body of one authority's job, in a worker process: (children, queries)."""
    with CaptureQueriesContext(connection) as queries:
        children = services.deadlines_refresh_all(
            local_authority_id=la_id, today=when, changed_only=changed_only
        )
    return children, len(queries)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("EPEP_MEASURE_NATIONAL"),
    reason="national size, several minutes: EPEP_MEASURE_NATIONAL=1",
)
def test_time_the_nightly_refresh_at_national_size():
    """England's children in care (84,552 in 156 authorities, each on roll, placed and
    allocated): every authority worked out the first time, the nightly run again with
    nothing changed, the next night, and the weekly check — one job per authority on two
    worker processes, as deployed. Prints seconds and queries."""
    from multiprocessing import get_context

    from django.db import connections

    from deadlines.models import Deadline, Task
    from epep.tenancy.context import all_authorities_context
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
    connections.close_all()  # each worker process opens its own
    with get_context("fork").Pool(WORKER_PROCESSES) as pool:
        for run, when, changed_only in runs:
            started = time.perf_counter()
            results = pool.starmap(
                _refresh_one, [(la.pk, when, changed_only) for la in authorities], chunksize=1
            )
            took = time.perf_counter() - started
            children = sum(r[0] for r in results)
            queries = sum(r[1] for r in results)
            print(f"\n{run}: {children} children read, {took:.1f} s, {queries} queries")
            with all_authorities_context():
                deadlines, tasks = Deadline.objects.count(), Task.objects.count()
            # Every child has at least a first PEP and a statutory-review deadline.
            assert deadlines >= 2 * len(authorities) * 542, deadlines
            print(f"   {deadlines} deadlines, {tasks} tasks in all")
