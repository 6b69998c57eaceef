"""Defect 10: where the authority asks for a second person, the Virtual School officer who
approved a PEP cannot also finalise it; another officer finalises."""

import importlib

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.models import LocalAuthority
from epep.tenancy.roles import Role
from peps.models import Pep, Status
from tests.factories import MembershipFactory, UserFactory, ready_for_work

from .test_cycle import fill, move, start

pytestmark = pytest.mark.django_db


def approved_pep(world, *, second_person: bool):
    world.a.la.finalising_needs_second_person = second_person
    world.a.la.save(update_fields=["finalising_needs_second_person"])
    pep = start(world)
    fill(world, pep)
    pep = move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=clock.today())
    pep = move(world, pep, Role.DESIGNATED_TEACHER, "submitted")
    return move(world, pep, Role.VS_OFFICER, "approved")


def another_officer(world):
    user = UserFactory(email="second.officer@example.org", full_name="Second Officer")
    MembershipFactory(user=user, role=Role.VS_OFFICER, local_authority=world.a.la)
    ready_for_work(user, [Role.VS_OFFICER])
    world.a.users["second officer"] = user
    return "second officer"


def test_the_approver_is_recorded(world):
    pep = approved_pep(world, second_person=False)
    assert pep.status == Status.APPROVED
    assert pep.approved_by == world.a.users[Role.VS_OFFICER]


def test_the_approver_cannot_finalise_when_the_authority_asks_for_a_second_person(world):
    pep = approved_pep(world, second_person=True)
    with pytest.raises(PermissionDenied, match="Another Virtual School officer must finalise"):
        move(world, pep, Role.VS_OFFICER, "finalised")
    with all_authorities_context():
        pep.refresh_from_db()
    assert pep.status == Status.APPROVED and pep.finalised_at is None


def test_another_officer_finalises_when_the_authority_asks_for_a_second_person(world):
    pep = approved_pep(world, second_person=True)
    pep = move(world, pep, another_officer(world), "finalised")
    assert pep.status == Status.FINALISED
    with all_authorities_context():
        moves = list(pep.transitions.values_list("to_status", "by__email"))
    assert moves[-2:] == [
        ("approved", world.a.users[Role.VS_OFFICER].email),
        ("finalised", "second.officer@example.org"),
    ]


def test_the_same_officer_finalises_when_the_authority_does_not_ask(world):
    pep = approved_pep(world, second_person=False)
    pep = move(world, pep, Role.VS_OFFICER, "finalised")
    assert pep.status == Status.FINALISED


def test_the_setting_is_off_for_a_new_authority(world):
    assert world.b.la.finalising_needs_second_person is False
    assert world.b.la.in_year_transfers_need_authorisation is False


def test_the_settings_are_edited_in_the_authority_admin(client, world):
    head = world.a.users[Role.VS_HEAD]
    client.force_login(head)
    change = f"/admin/tenancy/localauthority/{world.a.la.pk}/change/"
    page = client.get(change).content.decode()
    assert 'name="finalising_needs_second_person"' in page
    assert 'name="in_year_transfers_need_authorisation"' in page
    la = world.a.la
    data = {
        "name": la.name,
        "code": la.code,
        "virtual_school_name": la.virtual_school_name,
        "first_pep_limit": la.first_pep_limit,
        "first_pep_unit": la.first_pep_unit,
        "review_cadence": la.review_cadence,
        "max_targets_per_term": la.max_targets_per_term,
        "finalising_needs_second_person": "on",
        "_save": "Save",
    }
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    la = LocalAuthority.objects.get(pk=la.pk)
    assert la.finalising_needs_second_person is True
    assert la.in_year_transfers_need_authorisation is False


def test_peps_approved_before_the_field_get_their_approver_from_the_transitions(world):
    migration = importlib.import_module("peps.migrations.0004_pep_approved_by")
    pep = approved_pep(world, second_person=True)
    with all_authorities_context():
        Pep.objects.filter(pk=pep.pk).update(approved_by=None)
    with connection.cursor() as cursor:  # as the migration runs: no authority context
        cursor.execute(migration.BACKFILL_APPROVED_BY)
    with all_authorities_context():
        pep.refresh_from_db()
    assert pep.approved_by == world.a.users[Role.VS_OFFICER]
    with pytest.raises(PermissionDenied, match="Another Virtual School officer"):
        move(world, pep, Role.VS_OFFICER, "finalised")
