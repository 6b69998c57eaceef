"""Query budgets: each key page runs at most ``BUDGET`` queries, and the same number
with 5 children (or a short history) as with 500 children (or a long one).

The count is for a page view by a signed-in person who has passed the gates (two-step
sign-in, agreements), after a first view that warms caches: session activity is then
recorded at most once every ``USERSESSIONS_ACTIVITY_INTERVAL`` seconds, not per view.
"""

from __future__ import annotations

import os
import time
from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from children.models import Allocation, Child, Enrolment, Placement, PlacementCarer
from epep.audit.models import AuditEvent
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.roles import Role

from ..factories import ChildFactory, make_upn

try:  # the in-tray's tasks move from meetings to deadlines
    from deadlines.models import Task, TaskKind
except ImportError:  # pragma: no cover - before the move
    from meetings.models import Task, TaskKind

pytestmark = pytest.mark.django_db

#: The most queries a key page may run (the gates and the actor included).
BUDGET = 15

#: Print each page's count (``QUERY_BUDGET_REPORT=1``), to record before/after figures.
REPORT = bool(os.environ.get("QUERY_BUDGET_REPORT"))


def _children_in_every_circle(world, count: int) -> None:
    """``count`` more children of Kent in the circle of each of Kent's people: on roll at
    the shared school, allocated to the social worker, adviser and IRO, placed with the
    carer, each with an open task for the social worker and the designated teacher."""
    a = world.a
    la = a.la
    with all_authorities_context():
        children = Child.objects.bulk_create(
            [
                ChildFactory.build(
                    local_authority=la,
                    legal_first_name="Many",
                    legal_last_name=f"Child{i:04d}",
                    date_of_birth=date(2010 + i % 8, 1 + i % 12, 1),
                    upn=make_upn(la.code),
                )
                for i in range(count)
            ]
        )
        Enrolment.objects.bulk_create(
            Enrolment(
                child=c, local_authority=la, school=world.shared_school, start_date=date(2023, 9, 1)
            )
            for c in children
        )
        Allocation.objects.bulk_create(
            Allocation(
                child=c,
                local_authority=la,
                worker=a.users[kind],
                kind=kind,
                start_date=date(2023, 1, 1),
            )
            for c in children
            for kind in (Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER, Role.IRO)
        )
        placements = Placement.objects.bulk_create(
            Placement(
                child=c,
                local_authority=la,
                placement_type=Placement.Type.FOSTER,
                start_date=date(2023, 1, 1),
            )
            for c in children
        )
        PlacementCarer.objects.bulk_create(
            PlacementCarer(placement=p, local_authority=la, user=a.users[Role.CARER])
            for p in placements
        )
        due = clock.today() + timedelta(days=20)
        Task.objects.bulk_create(
            Task(
                local_authority=la,
                child=c,
                assignee=a.users[role],
                kind=kind,
                title=f"Task for {c.legal_last_name}",
                due_date=due,
            )
            for c in children
            for role, kind in (
                (Role.SOCIAL_WORKER, TaskKind.ARRANGE_MEETING),
                (Role.DESIGNATED_TEACHER, TaskKind.COMPLETE_PEP),
            )
        )


def _long_history(world, child, count: int) -> None:
    """Ten past school places and placements for ``child``, and ``count`` audit events
    about the child (its access log)."""
    la = world.a.la
    with all_authorities_context():
        for year in range(2005, 2015):  # before the current school place
            Enrolment.objects.create(
                child=child,
                local_authority=la,
                school=world.school_a,
                start_date=date(year, 9, 1),
                end_date=date(year, 12, 1),
            )
            Placement.objects.create(
                child=child,
                local_authority=la,
                placement_type=Placement.Type.FOSTER,
                start_date=date(year, 1, 1),
                end_date=date(year, 6, 1),
            )
    sw = world.a.users[Role.SOCIAL_WORKER]
    # The audit policy admits events only in the acting person's name.
    with authority_context(local_authority_ids=[la.pk], user_id=sw.pk):
        AuditEvent.objects.bulk_create(
            AuditEvent(
                occurred_at=timezone.now() - timedelta(minutes=i),
                user=sw,
                user_email=sw.email,
                role=Role.SOCIAL_WORKER.value,
                local_authority=la,
                action="view",
                object_type="children.child",
                object_id=str(child.public_id),
                child_public_id=child.public_id,
            )
            for i in range(count)
        )


def _pep_url(world):
    from ..peps.test_cycle import start

    return f"/peps/{start(world).public_id}/"


def _child_url(world):
    return f"/children/{world.a.child.public_id}/"


def _access_log_url(world):
    return f"/children/{world.a.child.public_id}/access-log/"


#: (role, url or a function of the world giving it)
PAGES = {
    "social worker home": (Role.SOCIAL_WORKER, "/caseload/"),
    "designated teacher home": (Role.DESIGNATED_TEACHER, "/designated-teacher/"),
    "carer home": (Role.CARER, "/carer/"),
    "Virtual School officer home": (Role.VS_OFFICER, "/virtual-school/"),
    "Virtual School head home": (Role.VS_HEAD, "/virtual-school/"),
    "LA administrator home": (Role.LA_ADMIN, "/virtual-school/"),
    "young person home": (Role.YOUNG_PERSON, "/my/"),
    "child page": (Role.SOCIAL_WORKER, _child_url),
    "PEP page": (Role.DESIGNATED_TEACHER, _pep_url),
    "access log": (Role.VS_HEAD, _access_log_url),
}


def _count(client, url) -> int:
    """The queries a page view runs in production. The test's own transaction turns the
    request's transaction (``TenantContextMiddleware``) into a savepoint; in production
    it is BEGIN ... COMMIT, which Django does not log: that savepoint pair is left out.
    Everything else counts, the view's own savepoint (``ATOMIC_REQUESTS``) included.

    The page is viewed once just before, at the same instant: filling the database can
    take longer than the session's activity resolution (30 s at most), after which one
    view records activity (``epep.security.services.activity_record``) whatever the
    number of children; the second view at the same ``time.time()`` never does."""
    now = time.time()
    with mock.patch("time.time", return_value=now):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = [q["sql"] for q in captured.captured_queries]
    first = next((i for i, sql in enumerate(queries) if sql.startswith("SAVEPOINT ")), None)
    if first is not None:
        name = queries[first].removeprefix("SAVEPOINT ")
        if queries[-1] == f"RELEASE SAVEPOINT {name}":
            queries = queries[:first] + queries[first + 1 : -1]
    if REPORT:
        print("\n".join(f"  {sql[:160]}" for sql in queries))
    return len(queries)


@pytest.mark.parametrize("page", list(PAGES))
def test_key_page_keeps_its_query_budget_at_any_size(client, world, page):
    role, url = PAGES[page]
    url = url(world) if callable(url) else url
    client.force_login(world.a.users[role])
    client.get(url)  # the first view warms caches and records the session's activity
    _children_in_every_circle(world, 5)
    small = _count(client, url)
    _children_in_every_circle(world, 495)
    _long_history(world, world.a.child, 300)
    large = _count(client, url)
    if REPORT:
        print(f"\nQUERY BUDGET {page}: {small} queries at 5 children, {large} at 500")
    assert small <= BUDGET, f"{page}: {small} queries"
    assert large == small, f"{page}: {small} queries at 5 children, {large} at 500"
