"""Who sees which child: each role's circle, the shared school, dates and grants."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from children import services
from children.models import ChildAccessGrant, Enrolment
from children.permissions import resolve_actor, today
from children.selectors import children_for
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role

from ..factories import (
    ChildFactory,
    EnrolmentFactory,
    MembershipFactory,
    UserFactory,
    school_membership,
)

pytestmark = pytest.mark.django_db


def visible(user, role=None, day=None):
    with transaction.atomic():
        actor = resolve_actor(user, role, day=day)
        return set(children_for(actor=actor, day=day).values_list("legal_last_name", flat=True))


def names(*children):
    return {c.legal_last_name for c in children}


def expected_circle(world, side, role):
    auth = getattr(world, side)
    if role in (Role.VS_HEAD, Role.VS_OFFICER, Role.LA_ADMIN):
        return names(auth.child, auth.other_child)
    if role == Role.DESIGNATED_TEACHER:
        # On roll at the shared school, but only their own authority endorses them there.
        return names(auth.child)
    if role in (Role.SCHOOL_STAFF, Role.YOUNG_PERSON):
        # A young person's own record is reached only by their own pages (below).
        return set()
    return names(auth.child)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("side", ["a", "b"])
def test_each_role_sees_exactly_its_circle(world, side, role):
    user = getattr(world, side).users[role]
    assert visible(user) == expected_circle(world, side, role)


@pytest.mark.parametrize("side", ["a", "b"])
def test_a_young_persons_own_pages_reach_their_own_record_only(world, side):
    user = getattr(world, side).users[Role.YOUNG_PERSON]
    with transaction.atomic():
        actor = resolve_actor(user)
        own = set(children_for(actor=actor, own_pages=True).values_list("pk", flat=True))
    assert own == {getattr(world, side).child.pk}


def test_designated_teacher_at_shared_school_sees_only_endorsing_authorities_children(world):
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    with transaction.atomic():
        actor = resolve_actor(dt)
        rows = list(children_for(actor=actor))
    assert {(c.legal_last_name, c.local_authority.name) for c in rows} == {
        (world.a.child.legal_last_name, "Kent"),
    }
    # Sefton's child is on roll there too, but Sefton never said so: not even its
    # authority is inside the database boundary.
    assert actor.db_authority_ids == {world.a.la.pk}


def test_designated_teacher_loses_a_child_on_the_day_the_enrolment_ends(world):
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    with all_authorities_context():
        enrolment = Enrolment.objects.get(child=world.a.child, school=world.shared_school)
        services.enrolment_end(actor=None, enrolment=enrolment, end_date=today())
    assert world.a.child.legal_last_name not in visible(dt)
    assert world.a.child.legal_last_name in visible(dt, day=today() - timedelta(days=1))


def test_a_child_starting_tomorrow_is_not_yet_visible_to_the_school(world):
    newcomer = ChildFactory(local_authority=world.a.la, legal_last_name="Newcomer")
    EnrolmentFactory(
        child=newcomer, school=world.shared_school, start_date=today() + timedelta(days=1)
    )
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    assert "Newcomer" not in visible(dt)
    assert "Newcomer" in visible(dt, day=today() + timedelta(days=1))


def _actor(user, role=None):
    with transaction.atomic():
        return resolve_actor(user, role)


def test_delegated_colleague_gains_and_loses_access_with_the_grant(world):
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    colleague = world.a.users[Role.SCHOOL_STAFF]
    assert visible(colleague) == set()
    with transaction.atomic():
        actor = resolve_actor(dt)
        grant = services.child_access_delegate(
            actor=actor,
            child=world.a.child,
            colleague=colleague,
            reason="Covering as designated teacher during leave",
            expires_on=today() + timedelta(days=30),
        )
    assert visible(colleague) == names(world.a.child)
    # Expiry: on the expiry day it no longer works.
    assert visible(colleague, day=today() + timedelta(days=30)) == set()
    # Revocation.
    with transaction.atomic():
        actor = resolve_actor(dt)
        services.child_access_revoke(actor=actor, grant=grant)
    assert visible(colleague) == set()


def test_delegation_stops_when_the_child_leaves_the_school(world):
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    colleague = world.a.users[Role.SCHOOL_STAFF]
    with transaction.atomic():
        services.child_access_delegate(
            actor=resolve_actor(dt),
            child=world.a.child,
            colleague=colleague,
            reason="Form tutor",
            expires_on=today() + timedelta(days=60),
        )
    assert visible(colleague) == names(world.a.child)
    with all_authorities_context():
        enrolment = Enrolment.objects.get(child=world.a.child, school=world.shared_school)
        services.enrolment_end(actor=None, enrolment=enrolment, end_date=today())
    assert visible(colleague) == set()


def test_delegation_only_to_staff_of_the_same_school(world):
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    outsider = UserFactory()
    school_membership(
        user=outsider, role=Role.SCHOOL_STAFF, school=world.school_a, endorsed_by=[world.a.la]
    )
    with pytest.raises(ValidationError) as error, transaction.atomic():
        services.child_access_delegate(
            actor=resolve_actor(dt),
            child=world.a.child,
            colleague=outsider,
            reason="Help",
            expires_on=today() + timedelta(days=5),
        )
    assert error.value.message_dict == {
        "colleague": [
            "This person does not work at the child's school, or the child's Virtual "
            "School has not allowed them to see its children."
        ]
    }


def test_virtual_school_grants_a_named_professional_access_to_one_child(world):
    vsh = world.a.users[Role.VS_HEAD]
    outsider_sw = world.b.users[Role.SOCIAL_WORKER]  # another authority's social worker
    before = visible(outsider_sw)
    with transaction.atomic():
        grant = services.child_access_grant(
            actor=resolve_actor(vsh),
            child=world.a.other_child,
            grantee=outsider_sw,
            reason="Sibling's social worker preparing a joint review",
            expires_on=today() + timedelta(days=14),
        )
    assert visible(outsider_sw) == before | names(world.a.other_child)
    with transaction.atomic():
        assert world.a.la.pk in resolve_actor(outsider_sw).db_authority_ids
    with transaction.atomic():
        services.child_access_revoke(actor=resolve_actor(vsh), grant=grant)
    assert visible(outsider_sw) == before
    with all_authorities_context():
        assert ChildAccessGrant.objects.get(pk=grant.pk).revoked_by == vsh


def test_only_the_childs_virtual_school_can_grant(world):
    with pytest.raises(PermissionDenied), transaction.atomic():
        services.child_access_grant(
            actor=resolve_actor(world.b.users[Role.VS_HEAD]),
            child=world.a.child,
            grantee=world.b.users[Role.SOCIAL_WORKER],
            reason="No",
            expires_on=today() + timedelta(days=14),
        )


def test_grants_cannot_reach_carers_or_young_people(world):
    carer = world.b.users[Role.CARER]
    with pytest.raises(ValidationError) as error, transaction.atomic():
        services.child_access_grant(
            actor=resolve_actor(world.a.users[Role.VS_OFFICER]),
            child=world.a.other_child,
            grantee=carer,
            reason="Respite",
            expires_on=today() + timedelta(days=14),
        )
    assert "professional" in error.value.message_dict["email"][0]


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "The access must end after today."),
        (400, "Access can be given for at most a year at a time."),
    ],
)
def test_grant_expiry_must_be_sensible(world, days, message):
    with pytest.raises(ValidationError) as error, transaction.atomic():
        services.child_access_grant(
            actor=resolve_actor(world.a.users[Role.VS_OFFICER]),
            child=world.a.other_child,
            grantee=world.b.users[Role.SOCIAL_WORKER],
            reason="Review",
            expires_on=today() + timedelta(days=days),
        )
    assert error.value.message_dict == {"expires_on": [message]}


def test_a_user_with_several_roles_acts_in_the_chosen_one(world):
    sw = world.a.users[Role.SOCIAL_WORKER]
    MembershipFactory(user=sw, role=Role.VS_OFFICER, local_authority=world.a.la)
    assert visible(sw) == names(world.a.child, world.a.other_child)  # VS officer comes first
    assert visible(sw, Role.SOCIAL_WORKER) == names(world.a.child)
    assert visible(sw, "not-a-role") == names(world.a.child, world.a.other_child)


def test_a_deactivated_membership_gives_nothing(world):
    from epep.tenancy.models import Membership

    vsh = world.a.users[Role.VS_HEAD]
    with all_authorities_context():
        Membership.objects.filter(user=vsh).update(is_active=False)
    assert visible(vsh) == set()
