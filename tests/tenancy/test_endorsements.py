"""A school role rests on each authority's say-so: an authority adds or endorses school
staff only for the children it looks after; other authorities with children on roll are
asked; an endorsement can be withdrawn and ends access that day."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from children.permissions import resolve_actor, today
from children.selectors import children_for
from epep.accounts import services as accounts
from epep.accounts.models import Invitation
from epep.audit.models import AuditEvent
from epep.tenancy import services
from epep.tenancy.actor import acting_as
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.models import Membership, SchoolRoleEndorsement
from epep.tenancy.roles import Role
from tests.outbox import deliver_outbox

from ..factories import (
    ChildFactory,
    MembershipFactory,
    SchoolFactory,
    UserFactory,
    ready_for_work,
)

pytestmark = pytest.mark.django_db


def actor_for(user, role=None):
    with transaction.atomic():
        return resolve_actor(user, role)


def visible(user, role=None):
    with acting_as(user, role) as actor:
        return {c.legal_last_name for c in children_for(actor=actor)}


def invite_and_accept(world, side, *, user, school, role=Role.DESIGNATED_TEACHER):
    inviter = getattr(world, side).users[Role.VS_OFFICER]
    invitation, token = accounts.invitation_create(
        actor=actor_for(inviter),
        email=user.email,
        full_name=user.full_name,
        role=role,
        base_url="https://epep.example.org/",
        school=school,
    )
    accounts.invitation_accept(token=token, user=user)
    return invitation


def endorsement(user, authority):
    with authority_context(local_authority_ids=[authority.pk]):
        return SchoolRoleEndorsement.objects.select_related("user", "school").get(
            user=user, local_authority=authority
        )


def test_an_authority_cannot_add_a_school_role_where_it_has_no_child_and_no_area(world):
    """The door found by the attack: Sefton invited an existing account as designated
    teacher at a Kent school and read Kent's children."""
    kent_dt = world.a.users[Role.DESIGNATED_TEACHER]
    sefton = actor_for(world.b.users[Role.VS_OFFICER])
    with pytest.raises(ValidationError) as refused:
        accounts.invitation_create(
            actor=sefton,
            email=kent_dt.email,
            full_name=kent_dt.full_name,
            role=Role.DESIGNATED_TEACHER,
            base_url="https://epep.example.org/",
            school=world.school_a,  # Kent Primary: Kent's area, no Sefton child on roll
        )
    assert refused.value.message_dict["school"] == [
        "Sefton has no children on roll at Kent Primary, which is not in your area. You can "
        "add school staff only where you look after a child or in your own area: ask the "
        "Virtual School of the children there."
    ]
    with all_authorities_context():
        assert not Invitation.objects.filter(email=kent_dt.email).exists()
        [event] = AuditEvent.objects.filter(action="invite_refused")
    assert (event.user_id, event.local_authority_id, event.object_id) == (
        world.b.users[Role.VS_OFFICER].pk,
        world.b.la.pk,
        world.school_a.urn,
    )
    deliver_outbox()
    assert mail.outbox == []


def test_an_authority_may_add_school_staff_in_its_own_area_with_none_of_its_children(world):
    new_school = SchoolFactory(name="Sefton High", la_code=world.b.la.code)
    teacher = UserFactory(email="new.dt@example.org", full_name="Rachel Osei")
    invite_and_accept(world, "b", user=teacher, school=new_school)
    assert endorsement(teacher, world.b.la).state == "endorsed"


def test_the_inviting_authority_endorses_and_the_others_on_roll_are_asked(world):
    teacher = UserFactory(email="rachel.osei@example.org", full_name="Rachel Osei")
    ready_for_work(teacher, [Role.DESIGNATED_TEACHER])
    invite_and_accept(world, "b", user=teacher, school=world.shared_school)

    # One account, one school role there, recorded by Sefton.
    with all_authorities_context():
        [membership] = Membership.objects.filter(user=teacher)
    assert (membership.role, membership.school, membership.local_authority) == (
        Role.DESIGNATED_TEACHER,
        world.shared_school,
        world.b.la,
    )
    assert endorsement(teacher, world.b.la).state == "endorsed"
    kent_request = endorsement(teacher, world.a.la)
    assert kent_request.state == "pending"
    assert kent_request.requested_by_authority == world.b.la
    assert services.endorsement_request_sentence(kent_request, 1) == (
        "Sefton has added Rachel Osei as designated teacher at Shared Academy: allow them "
        "to see your 1 child there?"
    )
    # Kent's Virtual School Head is told, through the outbox.
    from epep.notifications.models import Notification

    with authority_context(local_authority_ids=[world.a.la.pk]):
        [note] = Notification.objects.all()
    assert note.recipient == world.a.users[Role.VS_HEAD]
    assert "Rachel Osei" in note.subject

    # She sees Sefton's child at the shared school, not Kent's.
    assert visible(teacher) == {world.b.child.legal_last_name}
    assert actor_for(teacher).db_authority_ids == {world.b.la.pk}

    # Kent says yes: both.
    services.school_role_endorse(
        actor=actor_for(world.a.users[Role.VS_HEAD]), endorsement=kent_request
    )
    assert visible(teacher) == {world.a.child.legal_last_name, world.b.child.legal_last_name}

    # Kent withdraws: Kent's child goes the same day.
    services.school_role_endorsement_withdraw(
        actor=actor_for(world.a.users[Role.VS_OFFICER]),
        endorsement=endorsement(teacher, world.a.la),
    )
    assert visible(teacher) == {world.b.child.legal_last_name}
    assert actor_for(teacher).db_authority_ids == {world.b.la.pk}
    with authority_context(local_authority_ids=[world.a.la.pk]):
        actions = list(
            AuditEvent.objects.filter(object_type="tenancy.schoolroleendorsement")
            .order_by("pk")
            .values_list("action", "user__email")
        )
    assert actions == [
        ("endorse", world.a.users[Role.VS_HEAD].email),
        ("endorse_withdraw", world.a.users[Role.VS_OFFICER].email),
    ]


def test_a_second_authority_adding_the_same_person_endorses_the_existing_role(world):
    """One login across authorities stays: Kent invites Sefton's designated teacher at the
    shared school; no second school role, Kent's endorsement instead."""
    teacher = world.b.users[Role.DESIGNATED_TEACHER]
    assert visible(teacher) == {world.b.child.legal_last_name}
    invite_and_accept(world, "a", user=teacher, school=world.shared_school)
    with all_authorities_context():
        assert Membership.objects.filter(user=teacher).count() == 1
    assert endorsement(teacher, world.a.la).state == "endorsed"
    assert visible(teacher) == {world.a.child.legal_last_name, world.b.child.legal_last_name}


def test_a_declined_request_gives_nothing_and_is_not_asked_again(world):
    teacher = UserFactory(email="declined@example.org")
    invite_and_accept(world, "b", user=teacher, school=world.shared_school)
    request = endorsement(teacher, world.a.la)
    services.school_role_endorsement_decline(
        actor=actor_for(world.a.users[Role.LA_ADMIN]), endorsement=request
    )
    assert visible(teacher) == {world.b.child.legal_last_name}
    with all_authorities_context():
        membership = Membership.objects.get(user=teacher)
    assert (
        services.school_role_endorsements_request(
            membership=membership, requested_by_authority_id=world.b.la.pk
        )
        == []
    )
    assert endorsement(teacher, world.a.la).state == "declined"


def test_a_new_child_on_roll_brings_a_request_to_its_authority(world):
    """An authority placing its first child at a school with a designated teacher is
    asked about them (when the child is enrolled, and by the nightly catch-up)."""
    from children import services as children_services
    from epep.tenancy.models import LocalAuthority

    southwark = LocalAuthority.objects.create(
        name="Southwark", code="210", virtual_school_name="Southwark Virtual School"
    )
    child = ChildFactory(local_authority=southwark, legal_last_name="Southwarkchild")
    with authority_context(local_authority_ids=[southwark.pk]):
        children_services.enrolment_start(
            actor=None, child=child, school=world.shared_school, start_date=today()
        )
    teacher = world.a.users[Role.DESIGNATED_TEACHER]
    asked = endorsement(teacher, southwark)
    assert (asked.state, asked.requested_by_authority) == ("pending", world.a.la)
    assert "Southwarkchild" not in visible(teacher)
    # Asked once: the nightly catch-up finds nothing more to ask.
    assert services.school_role_endorsements_catch_up() == 0


def test_only_the_endorsing_authoritys_staff_decide(world):
    teacher = UserFactory(email="pending@example.org")
    invite_and_accept(world, "b", user=teacher, school=world.shared_school)
    kent_request = endorsement(teacher, world.a.la)
    for role in Role:
        if role in (Role.VS_HEAD, Role.VS_OFFICER, Role.LA_ADMIN):
            continue
        with pytest.raises(PermissionDenied):
            services.school_role_endorse(
                actor=actor_for(world.a.users[role]), endorsement=kent_request
            )
    # Sefton's own staff cannot say yes for Kent.
    for role in (Role.VS_HEAD, Role.VS_OFFICER, Role.LA_ADMIN):
        with pytest.raises(PermissionDenied):
            services.school_role_endorse(
                actor=actor_for(world.b.users[role]), endorsement=kent_request
            )
    assert endorsement(teacher, world.a.la).state == "pending"


def test_delegation_needs_the_childs_authority_to_endorse_the_colleague(world):
    from children import services as children_services

    dt = world.a.users[Role.DESIGNATED_TEACHER]
    colleague = UserFactory(email="colleague@example.org")
    MembershipFactory(
        user=colleague,
        role=Role.SCHOOL_STAFF,
        local_authority=world.b.la,
        school=world.shared_school,
    )  # fmt: skip  (Sefton's member of staff, never endorsed by Kent)
    with pytest.raises(ValidationError):
        with transaction.atomic():
            children_services.child_access_delegate(
                actor=resolve_actor(dt),
                child=world.a.child,
                colleague=colleague,
                reason="Cover",
                expires_on=today() + timedelta(days=5),
            )


def test_removing_a_teacher_another_authority_still_endorses_hands_the_role_over(world):
    """Kent removes its designated teacher from Kent; Sefton still endorses her, so she
    keeps the school role (now recorded by Sefton) and sees only Sefton's child."""
    teacher = world.a.users[Role.DESIGNATED_TEACHER]
    with all_authorities_context():
        membership = Membership.objects.get(user=teacher)
    services.school_role_endorsements_request(
        membership=membership, requested_by_authority_id=world.a.la.pk
    )
    services.school_role_endorse(
        actor=actor_for(world.b.users[Role.VS_HEAD]), endorsement=endorsement(teacher, world.b.la)
    )
    kent_admin = actor_for(world.a.users[Role.LA_ADMIN])
    scope = accounts.person_scope(authority=world.a.la, person=teacher)
    assert not scope.whole_account
    with transaction.atomic():
        accounts.user_remove_from_authority(actor=kent_admin, user=teacher)
    with all_authorities_context():
        membership.refresh_from_db()
    assert (membership.is_active, membership.local_authority) == (True, world.b.la)
    assert endorsement(teacher, world.a.la).state == "withdrawn"
    assert visible(teacher) == {world.b.child.legal_last_name}
