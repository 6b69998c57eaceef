"""The database holds the authority boundary even if the application's filters fail."""

import pytest
from django.db import connection, transaction

from children.models import Child, Enrolment
from epep.tenancy.context import authority_context, set_db_context

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
