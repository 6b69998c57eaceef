"""The children-visibility filter is answered from indexes on its own: its speed never
depends on row-level security being on.

With a few thousand children in several authorities, the plan of each role's filter is
read as the tables' owner with row security off for the owner (``NO FORCE ROW LEVEL
SECURITY`` inside a transaction that is rolled back): no table is read from end to end.

``VISIBILITY_NATIONAL=1`` also builds a national-size dataset (84,522 children in 156
authorities, each on roll, placed, allocated, some granted) and prints, per role, the
filter's execution time in the shape it had before (an ``OR`` of ``EXISTS`` over every
child) and now, both without row-level security: skipped by default (a few minutes).
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection

from children.models import (
    Allocation,
    Child,
    ChildAccessGrant,
    Enrolment,
    Placement,
    PlacementCarer,
    School,
)
from children.permissions import child_visibility
from epep.tenancy import clock
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority
from epep.tenancy.roles import Role

from ..factories import (
    ChildFactory,
    LocalAuthorityFactory,
    SchoolFactory,
    UserFactory,
    build_world,
    make_upn,
)

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = (
    "children_child",
    "children_enrolment",
    "children_placement",
    "children_placementcarer",
    "children_allocation",
    "children_childaccessgrant",
)

#: Each role's filter, and the person of the world's Kent who holds it.
ROLES = (
    Role.VS_OFFICER,
    Role.SOCIAL_WORKER,
    Role.PERSONAL_ADVISER,
    Role.IRO,
    Role.DESIGNATED_TEACHER,
    Role.SCHOOL_STAFF,
    Role.CARER,
)

AUTHORITIES = 6
CHILDREN_PER_AUTHORITY = 600


def _owner_dsn() -> str | None:
    url = os.environ.get("DATABASE_OWNER_URL")
    if not url:
        return None
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _fill(
    *,
    authorities: int = AUTHORITIES,
    per_authority: int = CHILDREN_PER_AUTHORITY,
    schools: int = 40,
    workers: int = 30,
):
    """Thousands of children, each on roll somewhere, placed, allocated to a worker and
    granted to someone: every row made by the ORM (new columns keep their defaults).
    Returns the authorities, schools and workers."""
    schools = School.objects.bulk_create(SchoolFactory.build() for _ in range(schools))
    workers = [UserFactory() for _ in range(workers)]
    start = date(2023, 1, 1)
    authorities = [
        LocalAuthorityFactory(name=f"Filler {n}", code=f"{n % 1000:03d}")
        for n in range(authorities)
    ]
    for la in authorities:
        with authority_context(local_authority_ids=[la.pk]):
            children = Child.objects.bulk_create(
                ChildFactory.build(local_authority=la, upn=make_upn(la.code))
                for _ in range(per_authority)
            )
            Enrolment.objects.bulk_create(
                Enrolment(
                    child=c, local_authority=la, school=schools[i % len(schools)], start_date=start
                )
                for i, c in enumerate(children)
            )
            Allocation.objects.bulk_create(
                Allocation(
                    child=c,
                    local_authority=la,
                    worker=workers[i % len(workers)],
                    kind=Role.SOCIAL_WORKER,
                    start_date=start,
                )
                for i, c in enumerate(children)
            )
            placements = Placement.objects.bulk_create(
                Placement(
                    child=c,
                    local_authority=la,
                    placement_type=Placement.Type.FOSTER,
                    start_date=start,
                )
                for c in children
            )
            PlacementCarer.objects.bulk_create(
                PlacementCarer(placement=p, local_authority=la, user=workers[i % len(workers)])
                for i, p in enumerate(placements)
            )
            ChildAccessGrant.objects.bulk_create(
                ChildAccessGrant(
                    content_object=c,
                    local_authority=la,
                    user=workers[i % len(workers)],
                    permission=_view_child_permission(),
                    reason="Filler",
                    expires_on=clock.today() + timedelta(days=30),
                    granted_by=workers[0],
                )
                for i, c in enumerate(children[:100])
            )
    return authorities, schools, workers


def _view_child_permission():
    from children.services import _view_child_permission as permission

    return permission()


def _plans(world) -> dict[Role, tuple[str, list]]:
    plans = {}
    for role in ROLES:
        with acting_as(world.a.users[role], role) as actor:
            query = Child.objects.filter(child_visibility(actor)).order_by().values("pk")
            plans[role] = query.query.sql_with_params()
    return plans


def _seq_scans(node: dict) -> set[str]:
    found = set()
    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in TABLES:
        found.add(node["Relation Name"])
    for child in node.get("Plans", ()):
        found |= _seq_scans(child)
    return found


def test_each_roles_filter_uses_indexes_without_row_level_security():
    dsn = _owner_dsn()
    if dsn is None:
        pytest.skip("DATABASE_OWNER_URL is not set")
    world = build_world()
    _fill()
    assert LocalAuthority.objects.count() >= AUTHORITIES
    plans = _plans(world)
    with psycopg.connect(dsn) as owner, owner.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM children_child")
        assert cursor.fetchone()[0] >= AUTHORITIES * CHILDREN_PER_AUTHORITY  # no RLS
        for role, (sql, params) in plans.items():
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            plan = plan if isinstance(plan, list) else json.loads(plan)
            assert _seq_scans(plan[0]["Plan"]) == set(), (role, json.dumps(plan, indent=1))
        owner.rollback()


def _old_child_visibility(actor, day):
    """The filter's shape before it was made indexable (for the national timing only)."""
    from django.db.models import Exists, OuterRef, Q

    from children.models import current_on
    from children.permissions import _endorsed_at_school
    from epep.tenancy.roles import ALLOCATED_ROLES, AUTHORITY_WIDE_ROLES, SCHOOL_ROLES

    grants = ChildAccessGrant.objects.filter(
        Q(school__isnull=True)
        | (
            Exists(
                Enrolment.objects.filter(
                    current_on(day), child=OuterRef(OuterRef("pk")), school=OuterRef("school")
                )
            )
            & (_endorsed_at_school(actor) if actor.role in SCHOOL_ROLES else Q())
        ),
        content_object=OuterRef("pk"),
        user_id=actor.user_id,
        revoked_at__isnull=True,
        expires_on__gt=day,
    )
    role = actor.role
    if role in AUTHORITY_WIDE_ROLES:
        visible = Q(local_authority_id__in=actor.authority_ids)
    elif role in ALLOCATED_ROLES:
        visible = Q(
            Exists(
                Allocation.objects.filter(
                    current_on(day), child=OuterRef("pk"), worker_id=actor.user_id, kind=role
                )
            )
        )
    elif role == Role.DESIGNATED_TEACHER:
        visible = Q(pk__in=[])
        for school_id in sorted(actor.school_ids):
            authority_ids = actor.endorsed_authority_ids(school_id)
            if authority_ids:
                visible |= Q(
                    Exists(
                        Enrolment.objects.filter(
                            current_on(day), child=OuterRef("pk"), school_id=school_id
                        )
                    ),
                    local_authority_id__in=sorted(authority_ids),
                )
    elif role == Role.CARER:
        visible = Q(
            Exists(
                PlacementCarer.objects.filter(
                    Q(placement__start_date__lte=day)
                    & (Q(placement__end_date__isnull=True) | Q(placement__end_date__gt=day)),
                    placement__child=OuterRef("pk"),
                    user_id=actor.user_id,
                )
            )
        )
    else:
        visible = Q(pk__in=[])
    if role != Role.CARER:
        visible |= Q(Exists(grants))
    return visible


@pytest.mark.skipif(
    not os.environ.get("VISIBILITY_NATIONAL"), reason="national size: VISIBILITY_NATIONAL=1"
)
def test_national_size_timing_of_each_roles_filter_without_row_level_security(capsys):
    """Prints milliseconds per role, before and after (best of three runs each)."""
    from ..factories import MembershipFactory, school_membership

    dsn = _owner_dsn()
    if dsn is None:
        pytest.skip("DATABASE_OWNER_URL is not set")
    authorities, schools, workers = _fill(
        authorities=156, per_authority=542, schools=3000, workers=600
    )
    vs, dt, staff = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(user=vs, role=Role.VS_OFFICER, local_authority=authorities[0])
    for role in (Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER, Role.IRO):
        MembershipFactory(user=workers[0], role=role, local_authority=authorities[0])
    MembershipFactory(user=workers[1], role=Role.CARER, local_authority=authorities[0])
    school_membership(user=dt, school=schools[0], endorsed_by=authorities[:20])
    school_membership(
        user=staff, role=Role.SCHOOL_STAFF, school=schools[0], endorsed_by=authorities[:20]
    )
    people = {
        Role.VS_OFFICER: vs,
        Role.SOCIAL_WORKER: workers[0],
        Role.PERSONAL_ADVISER: workers[0],
        Role.IRO: workers[0],
        Role.DESIGNATED_TEACHER: dt,
        Role.SCHOOL_STAFF: staff,
        Role.CARER: workers[1],
    }
    queries = {}
    for role, person in people.items():
        with acting_as(person, role) as actor:
            day = clock.today()
            for shape, q in (
                ("before", _old_child_visibility(actor, day)),
                ("after", child_visibility(actor, day)),
            ):
                query = Child.objects.filter(q).order_by().values("pk")
                queries[role, shape] = query.query.sql_with_params()
    with psycopg.connect(dsn) as owner, owner.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            cursor.execute(f"ANALYZE {table}")
        lines = []
        for (role, shape), (sql, params) in queries.items():
            times, rows = [], None
            for _ in range(3):
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
                plan = cursor.fetchone()[0]
                plan = plan if isinstance(plan, list) else json.loads(plan)
                times.append(plan[0]["Execution Time"])
                rows = plan[0]["Plan"]["Actual Rows"]
            lines.append(f"{role.value:20} {shape:6} {min(times):9.2f} ms  {rows} children")
        owner.rollback()
    with capsys.disabled():
        print("\nVISIBILITY at national size, without row-level security:")
        print("\n".join(lines))
