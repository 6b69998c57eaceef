"""The audit table's row-level security: every event the application writes names the
person acting in the transaction, in one of their authorities or in none; an event without
a person is the system's, written only through ``audit_record_system_event``; an event
without an authority is readable only by the person it is about."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from epep.audit.models import AuditEvent
from epep.audit.services import audit_record, audit_record_system_event
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.roles import Role

pytestmark = pytest.mark.django_db

REFUSED = "row-level security"


def insert(**fields) -> None:
    """An event straight into the table, as the application role (``.create()`` is an
    INSERT ... RETURNING, so the new row must also be readable)."""
    AuditEvent.objects.create(action="view", **fields)


def system_events():
    with all_authorities_context():
        return list(AuditEvent.objects.filter(role="system").order_by("id"))


# --- what the application role may insert ---------------------------------------------


def test_an_event_with_neither_a_person_nor_an_authority_is_refused(world):
    sw = world.a.users[Role.SOCIAL_WORKER]
    with pytest.raises(ProgrammingError, match=REFUSED):
        with authority_context(local_authority_ids=[world.a.la.pk], user_id=sw.pk):
            insert(user=None, local_authority_id=None)


def test_an_event_without_a_person_is_refused_even_in_the_contexts_authority(world):
    with pytest.raises(ProgrammingError, match=REFUSED):
        with authority_context(local_authority_ids=[world.a.la.pk]):
            insert(user=None, local_authority_id=world.a.la.pk)


def test_an_event_in_someone_elses_name_is_refused(world):
    sw, iro = world.a.users[Role.SOCIAL_WORKER], world.a.users[Role.IRO]
    for authority in (world.a.la.pk, None):
        with pytest.raises(ProgrammingError, match=REFUSED):
            with authority_context(local_authority_ids=[world.a.la.pk], user_id=sw.pk):
                insert(user=iro, local_authority_id=authority)


def test_an_event_for_another_authority_is_refused(world):
    sw = world.a.users[Role.SOCIAL_WORKER]
    with pytest.raises(ProgrammingError, match=REFUSED):
        with authority_context(local_authority_ids=[world.a.la.pk], user_id=sw.pk):
            insert(user=sw, local_authority_id=world.b.la.pk)


def test_a_person_records_events_in_their_authority_and_without_one(world):
    sw = world.a.users[Role.SOCIAL_WORKER]
    with authority_context(local_authority_ids=[world.a.la.pk], user_id=sw.pk):
        audit_record(
            acting_user=sw, role=Role.SOCIAL_WORKER, action="view", local_authority_id=world.a.la.pk
        )
        audit_record(acting_user=sw, role=Role.SOCIAL_WORKER, action="sign_out_everywhere")
        assert sorted(
            (e.action, e.local_authority_id) for e in AuditEvent.objects.filter(user=sw)
        ) == sorted([("view", world.a.la.pk), ("sign_out_everywhere", None)])


# --- system events ----------------------------------------------------------------------


def test_a_system_event_is_written_by_the_function_in_the_contexts_authority(world):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        audit_record(
            acting_user=None,
            role="anything the caller says",
            action="archive_pdf",
            object_type="peps.pep",
            object_id="p-1",
            local_authority_id=world.a.la.pk,
            child_public_id=world.a.child.public_id,
            detail={"bytes": 10},
        )
    [event] = system_events()
    assert (event.user_id, event.user_email, event.role) == (None, "", "system")
    assert event.local_authority_id == world.a.la.pk
    assert (event.action, event.object_type, event.object_id) == ("archive_pdf", "peps.pep", "p-1")
    assert event.child_public_id == world.a.child.public_id
    assert event.detail == {"bytes": 10}


@pytest.mark.parametrize(
    ("situation", "message"),
    [
        ("no authority", "needs an authority"),
        ("another authority", REFUSED),
        ("a person is acting", "record the event as theirs"),
    ],
)
def test_the_system_function_refuses(world, situation, message):
    sw = world.a.users[Role.SOCIAL_WORKER]
    context = {
        "no authority": ({"local_authority_ids": [world.a.la.pk]}, None),
        "another authority": ({"local_authority_ids": [world.a.la.pk]}, world.b.la.pk),
        "a person is acting": (
            {"local_authority_ids": [world.a.la.pk], "user_id": sw.pk},
            world.a.la.pk,
        ),
    }
    kwargs, authority = context[situation]
    with pytest.raises(ProgrammingError, match=message):
        with authority_context(**kwargs):
            audit_record_system_event(action="archive_pdf", local_authority_id=authority)
    assert system_events() == []


def test_a_refusal_cannot_be_recorded_for_someone_else(world):
    """audit_record_refusal writes as the owner, but the refused person must be the
    context's person."""
    sw, iro = world.a.users[Role.SOCIAL_WORKER], world.a.users[Role.IRO]
    for user_id in (iro.pk, None):
        with pytest.raises(ProgrammingError, match=REFUSED):
            with authority_context(local_authority_ids=[world.a.la.pk], user_id=sw.pk):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT audit_record_refusal(%s::uuid, %s::bigint, '', '', now(),"
                        " '', '', NULL)",
                        [world.b.child.public_id, user_id],
                    )


# --- who reads events without an authority ----------------------------------------------


@pytest.fixture
def forged(world):
    """Events without an authority written as the table owner, as a forger with the
    owner's password could (the application role cannot): one about nobody, one about
    the Kent social worker. The owner is bound by the forced policies too, so the forger
    lifts them for their own transaction."""
    sw = world.a.users[Role.SOCIAL_WORKER]  # committed: the test is transactional
    marker = uuid.uuid4().hex
    database = connection.settings_dict["NAME"]
    with psycopg.connect(os.environ["DATABASE_OWNER_URL"], dbname=database) as owner:
        owner.execute("SET lock_timeout = '10s'")
        owner.execute("ALTER TABLE audit_auditevent NO FORCE ROW LEVEL SECURITY")
        for user_id in (None, sw.pk):
            owner.execute(
                "INSERT INTO audit_auditevent (occurred_at, user_id, user_email, role, action,"
                " object_type, object_id, request_id, path, detail)"
                " VALUES (now(), %s, '', '', 'forged', '', '', %s, '', '{}')",
                [user_id, marker],
            )
        owner.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the user now, then re-force
        owner.execute("ALTER TABLE audit_auditevent FORCE ROW LEVEL SECURITY")
        owner.commit()
    yield marker
    with psycopg.connect(os.environ["DATABASE_OWNER_URL"], dbname=database) as owner:
        owner.execute("SET lock_timeout = '10s'")
        owner.execute("ALTER TABLE audit_auditevent NO FORCE ROW LEVEL SECURITY")
        owner.execute("DELETE FROM audit_auditevent WHERE request_id = %s", [marker])
        owner.execute("ALTER TABLE audit_auditevent FORCE ROW LEVEL SECURITY")
        owner.commit()


@pytest.mark.django_db(transaction=True)
def test_an_event_without_an_authority_is_read_only_by_the_person_it_is_about(world, forged):
    sw = world.a.users[Role.SOCIAL_WORKER]
    others = [world.a.users[Role.VS_HEAD], world.b.users[Role.SOCIAL_WORKER]]
    everyone = [world.a.la.pk, world.b.la.pk]

    def readable(user_id):
        with transaction.atomic():
            with authority_context(local_authority_ids=everyone, user_id=user_id):
                return list(
                    AuditEvent.objects.filter(request_id=forged).values_list("user_id", flat=True)
                )

    for other in others:
        assert readable(other.pk) == []
    assert readable(None) == []
    assert readable(sw.pk) == [sw.pk]  # theirs; the one about nobody, never
