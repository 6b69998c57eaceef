"""No service or form lets an actor of authority A create access to authority B's
children: memberships, endorsements, grants, delegations, invitations — tried for every
role of A, each attempt refused and nothing created."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from children import services as children_services
from children.models import ChildAccessGrant
from children.permissions import resolve_actor, today
from children.selectors import children_for
from epep.accounts import services as accounts
from epep.accounts.models import Invitation
from epep.tenancy import services as tenancy
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.models import Membership, SchoolRoleEndorsement
from epep.tenancy.roles import Role

from ..factories import UserFactory, school_membership

pytestmark = pytest.mark.django_db

REFUSED = (PermissionDenied, ValidationError, Http404)


def access_rows():
    """Every row that gives anyone access to a child, in every authority."""
    with all_authorities_context():
        return {
            "memberships": set(Membership.objects.values_list("pk", "is_active")),
            "endorsements": set(SchoolRoleEndorsement.objects.values_list("pk", "state")),
            "grants": set(ChildAccessGrant.objects.values_list("pk", "revoked_at")),
            "invitations": set(Invitation.objects.values_list("pk", flat=True)),
        }


def b_children_visible_to_anyone_of_a(world):
    seen = set()
    for role, user in world.a.users.items():
        with transaction.atomic():
            actor = resolve_actor(user, role)
            seen |= set(
                children_for(actor=actor)
                .filter(local_authority=world.b.la)
                .values_list("pk", flat=True)
            )
    return seen


def attempts(world, actor, accomplice):
    """What an insider of A might try, each with B's children or B's say-so."""
    b_child = world.b.other_child  # on roll at Sefton Primary only
    with authority_context(local_authority_ids=[world.b.la.pk]):
        b_request = SchoolRoleEndorsement.objects.get(
            user=world.b.users[Role.DESIGNATED_TEACHER], local_authority=world.b.la
        )
        b_request.state = "pending"  # pretend B has not decided yet
    base = "https://epep.example.org/"
    yield "invite a designated teacher at B's school", lambda: accounts.invitation_create(
        actor=actor, email=accomplice.email, full_name="Accomplice", role=Role.DESIGNATED_TEACHER,
        base_url=base, school=world.school_b,
    )  # fmt: skip
    yield "invite school staff at B's school", lambda: accounts.invitation_create(
        actor=actor, email=accomplice.email, full_name="Accomplice", role=Role.SCHOOL_STAFF,
        base_url=base, school=world.school_b,
    )  # fmt: skip
    yield "invite a carer for B's child", lambda: accounts.invitation_create(
        actor=actor, email=accomplice.email, full_name="Accomplice", role=Role.CARER,
        base_url=base, child=b_child,
    )  # fmt: skip
    yield "invite B's child's young person", lambda: accounts.invitation_create(
        actor=actor, email=accomplice.email, full_name="Accomplice", role=Role.YOUNG_PERSON,
        base_url=base, child=b_child,
    )  # fmt: skip
    yield "grant access to B's child", lambda: children_services.child_access_grant(
        actor=actor, child=b_child, grantee=accomplice, reason="x",
        expires_on=today() + timedelta(days=5),
    )  # fmt: skip
    yield "delegate B's child", lambda: children_services.child_access_delegate(
        actor=actor, child=b_child, colleague=accomplice, reason="x",
        expires_on=today() + timedelta(days=5),
    )  # fmt: skip
    yield "endorse for B", lambda: tenancy.school_role_endorse(actor=actor, endorsement=b_request)


@pytest.mark.parametrize("role", list(Role))
def test_no_role_of_one_authority_can_give_access_to_anothers_children(world, role):
    accomplice = UserFactory(email=f"accomplice.{role.value}@example.org")
    school_membership(
        user=accomplice, role=Role.SCHOOL_STAFF, school=world.shared_school,
        endorsed_by=[world.a.la],
    )  # fmt: skip
    before, seen_before = access_rows(), b_children_visible_to_anyone_of_a(world)
    with transaction.atomic():
        actor = resolve_actor(world.a.users[role], role)
    allowed = []
    for name, attempt in attempts(world, actor, accomplice):
        try:
            with transaction.atomic():
                attempt()
        except REFUSED:
            continue
        allowed.append(name)
    assert allowed == []
    assert access_rows() == before
    assert b_children_visible_to_anyone_of_a(world) == seen_before == set()


def test_the_invitation_form_refuses_a_school_role_at_a_school_of_another_authority(client, world):
    """The door found in the attack, through the form: a clear message next to the field,
    nothing created."""
    client.force_login(world.a.users[Role.VS_OFFICER])
    before = access_rows()
    response = client.post(
        "/people/invite/",
        {
            "full_name": "Accomplice",
            "email": world.b.users[Role.DESIGNATED_TEACHER].email,
            "role": Role.DESIGNATED_TEACHER.value,
            "school_urn": world.school_b.urn,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kent has no children on roll at Sefton Primary" in page
    assert 'id="id_school_urn-error"' in page
    assert access_rows() == before
