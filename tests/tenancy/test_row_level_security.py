"""The database holds the authority boundary even if the application's filters fail."""

import pytest
from django.db import connection, transaction

from children.models import Child, Enrolment
from epep.tenancy.context import authority_context, set_db_context
from epep.tenancy.roles import Role

pytestmark = pytest.mark.django_db


def test_tests_run_as_the_application_role_which_cannot_bypass_rls():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, pg_has_role(current_user, 'epep_owner', 'MEMBER')"
            " FROM pg_roles WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            " AND tableowner = current_user"
        )
        assert cursor.fetchone()[0] == 0


def test_every_tenant_table_has_row_level_security_enabled_and_forced():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            WHERE c.relkind = 'r' AND EXISTS (
                SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                AND a.attname = 'local_authority_id' AND NOT a.attisdropped)
            ORDER BY c.relname
            """
        )
        rows = cursor.fetchall()
    tables = {name for name, *_ in rows}
    assert {
        "children_child",
        "children_enrolment",
        "children_placement",
        "children_placementcarer",
        "children_allocation",
        "children_childaccessgrant",
        "tenancy_membership",
        "tenancy_schoolroleendorsement",
        "audit_auditevent",
        "meetings_schoolterm",
    } <= tables
    unprotected = [
        name for name, enabled, forced, policies in rows if not (enabled and forced and policies)
    ]
    assert unprotected == []


def test_authority_a_context_sees_none_of_authority_b_rows_even_unfiltered(world):
    a, b = world.a.la, world.b.la
    with authority_context(local_authority_ids=[a.pk]):
        assert set(Child.objects.values_list("local_authority_id", flat=True)) == {a.pk}
        assert not Child.objects.filter(local_authority=b).exists()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM children_child WHERE local_authority_id = %s", [b.pk]
            )
            assert cursor.fetchone()[0] == 0
            cursor.execute(
                "SELECT count(*) FROM children_enrolment WHERE local_authority_id = %s", [b.pk]
            )
            assert cursor.fetchone()[0] == 0
    with authority_context(local_authority_ids=[b.pk]):
        assert Child.objects.filter(local_authority=b).count() == 2


def test_with_no_context_tenant_tables_show_nothing(world):
    with transaction.atomic():
        set_db_context()
        assert Child.objects.count() == 0
        assert Enrolment.objects.count() == 0
    with connection.cursor() as cursor:
        # Outside any context-setting transaction block: still nothing.
        cursor.execute("SELECT count(*) FROM children_child")
        assert cursor.fetchone()[0] == 0


def test_an_insert_for_another_authority_is_refused(world):
    from django.db.utils import ProgrammingError

    a, b = world.a.la, world.b.la
    with pytest.raises(ProgrammingError, match="row-level security"):
        with authority_context(local_authority_ids=[a.pk]):
            Child.objects.create(
                local_authority=b,
                legal_first_name="Sneaky",
                legal_last_name="Insert",
                date_of_birth="2015-01-01",
                gender="female",
                entered_care_on="2020-01-01",
                legal_status="C2",
            )


def test_a_row_cannot_point_at_another_authoritys_child(world):
    """Foreign-key checks ignore RLS; the composite key (child, authority) does not."""
    from django.db.utils import IntegrityError

    a, b = world.a.la, world.b.la
    with pytest.raises(IntegrityError):
        with authority_context(local_authority_ids=[a.pk, b.pk]):
            with transaction.atomic():
                Enrolment.objects.create(
                    child=world.b.child,
                    local_authority=a,
                    school=world.school_a,
                    start_date="2030-01-01",
                )
                connection.check_constraints()
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_context_is_transaction_local():
    with transaction.atomic():
        set_db_context(la_ids=[1, 2])
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('app.la_ids', true)")
            assert cursor.fetchone()[0] == "1,2"
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(current_setting('app.la_ids', true), '')")
        # Still inside the test's own transaction, so the setting is visible until it ends;
        # a new transaction (see the transactional test) starts empty.
        assert cursor.fetchone()[0] in ("1,2", "")


def test_setting_context_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="one transaction"):
        connection.set_autocommit(True) if False else None
        from epep.tenancy import context

        # pytest-django wraps tests in a transaction; simulate autocommit code path.
        original = connection.in_atomic_block
        connection.in_atomic_block = False
        try:
            context.set_db_context(la_ids=[1])
        finally:
            connection.in_atomic_block = original


def test_with_no_context_memberships_and_endorsements_can_be_neither_read_nor_inserted(world):
    """School roles used to be authority-less rows anyone could read and create."""
    from django.db.utils import ProgrammingError

    from epep.tenancy.models import Membership, SchoolRoleEndorsement

    with transaction.atomic():
        set_db_context()
        assert Membership.objects.count() == 0
        assert SchoolRoleEndorsement.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM tenancy_membership),"
            " (SELECT count(*) FROM tenancy_schoolroleendorsement)"
        )
        assert cursor.fetchone() == (0, 0)
    teacher = world.b.users[Role.DESIGNATED_TEACHER]
    with pytest.raises(ProgrammingError, match="row-level security"):
        with transaction.atomic():
            set_db_context()
            Membership.objects.create(
                user=teacher, role=Role.DESIGNATED_TEACHER, school=world.school_a,
                local_authority=world.a.la,
            )  # fmt: skip


def test_a_school_role_holder_reads_their_own_endorsements_but_cannot_write_one(world):
    """The person's own rows reveal their boundary; only an authority writes its say-so."""
    from django.db.utils import ProgrammingError

    from epep.tenancy.models import Membership, SchoolRoleEndorsement

    teacher = world.a.users[Role.DESIGNATED_TEACHER]
    with transaction.atomic():
        set_db_context(user_id=teacher.pk)
        [membership] = Membership.objects.filter(user=teacher)
        assert [(e.local_authority_id, e.state) for e in SchoolRoleEndorsement.objects.all()] == [
            (world.a.la.pk, "endorsed")
        ]
    with pytest.raises(ProgrammingError, match="row-level security"):
        with transaction.atomic():
            set_db_context(user_id=teacher.pk)
            SchoolRoleEndorsement.objects.create(
                membership=membership, local_authority=world.b.la, user=teacher,
                school=world.shared_school, role=membership.role, state="endorsed",
                decided_at="2026-01-01T00:00Z",
            )  # fmt: skip
    with pytest.raises(ProgrammingError, match="row-level security"):
        with transaction.atomic():
            set_db_context(user_id=teacher.pk)
            # Nor turn another authority's refusal into a yes.
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE tenancy_membership SET local_authority_id = %s WHERE id = %s",
                    [world.b.la.pk, membership.pk],
                )
                if cursor.rowcount == 0:
                    raise ProgrammingError("row-level security: no row could be updated")


def test_an_endorsement_must_match_its_membership(world):
    """The copied person and school are held equal to the membership's by a composite
    foreign key: an endorsement cannot be pointed at someone else's role."""
    from django.db.utils import IntegrityError

    from epep.tenancy.models import Membership, SchoolRoleEndorsement

    teacher = world.a.users[Role.DESIGNATED_TEACHER]
    other = world.b.users[Role.SOCIAL_WORKER]
    with pytest.raises(IntegrityError):
        with authority_context(local_authority_ids=[world.a.la.pk, world.b.la.pk]):
            membership = Membership.objects.get(user=teacher, role=Role.DESIGNATED_TEACHER)
            with transaction.atomic():
                SchoolRoleEndorsement.objects.create(
                    membership=membership, local_authority=world.b.la, user=other,
                    school=world.shared_school, role=membership.role,
                )  # fmt: skip
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
