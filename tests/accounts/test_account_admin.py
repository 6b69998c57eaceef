"""Account administration (issue 3, point 8; the invitation screens of point 1).

LA administrators and Virtual School Heads deactivate accounts, remove people from their
authority and reset two-step sign-in, each with an audit event; Virtual School officers
see people and manage invitations only. A person who also works for another authority
can only be removed from this one, never locked out of the other."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from children.models import ChildAccessGrant
from children.permissions import resolve_actor
from epep.accounts import services
from epep.accounts.context import account_context
from epep.accounts.models import Invitation, User, UserAgreement
from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.models import Membership
from epep.tenancy.roles import Role
from tests.outbox import deliver_outbox

from ..factories import (
    MembershipFactory,
    SchoolFactory,
    UserFactory,
    ready_for_work,
    school_membership,
)
from .helpers import authenticators_of, sign_in, user_sessions_of

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NEW_PASSWORD = "lantern orchard pebble violin"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def person_url(person, action: str = "") -> str:
    return f"/people/{person.public_id}/" + (f"{action}/" if action else "")


def events(action: str):
    with all_authorities_context():
        return list(AuditEvent.objects.filter(action=action).order_by("occurred_at"))


def invitation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def kent_admin(world):
    return signed_in(world.a.users[Role.LA_ADMIN])


@pytest.fixture
def two_authority_teacher(world):
    """A designated teacher at a school in Kent's area and at one in Sefton's, with
    access Kent gave them by name to one of its children."""
    teacher = UserFactory(email="two.schools@example.org", full_name="Tess Twoschools")
    sefton_school = SchoolFactory(name="Sefton High", la_code="343")
    for school, authority in ((world.school_a, world.a.la), (sefton_school, world.b.la)):
        school_membership(user=teacher, school=school, endorsed_by=[authority])
    ready_for_work(teacher, [Role.DESIGNATED_TEACHER])
    with authority_context(local_authority_ids=[world.a.la.pk]):
        ChildAccessGrant.objects.create(
            content_object=world.a.other_child,
            user=teacher,
            permission=Permission.objects.get(codename="view_child"),
            local_authority=world.a.la,
            reason="Transition to secondary",
            granted_by=world.a.users[Role.VS_HEAD],
            expires_on="2099-01-01",
        )
    teacher.sefton_school = sefton_school
    return teacher


# --- Deactivating and two-step sign-in resets -----------------------------------------


def test_deactivating_ends_the_persons_session_at_once(world, kent_admin):
    worker = world.a.users[Role.SOCIAL_WORKER]
    theirs = signed_in(worker)
    assert theirs.get("/caseload/").status_code == 200
    assert user_sessions_of(worker)

    page = kent_admin.get(person_url(worker)).content.decode()
    assert "Deactivate account" in page
    confirm = kent_admin.get(person_url(worker, "deactivate"))
    assert confirm.status_code == 200
    assert "signs Social worker 886 out at once" in confirm.content.decode()
    response = kent_admin.post(person_url(worker, "deactivate"), follow=True)
    assert response.redirect_chain[-1][0] == person_url(worker)
    banner = response.content.decode()
    assert "govuk-notification-banner--success" in banner
    assert "account has been deactivated" in banner

    # Their very next request with the old session cookie is signed out.
    after = theirs.get("/caseload/")
    assert after.status_code == 302 and after["Location"].startswith("/accounts/login/")
    worker.refresh_from_db()
    assert not worker.is_active
    assert not user_sessions_of(worker)
    # And they cannot sign in again.
    fresh = Client()
    sign_in(fresh, worker.email)
    refused = fresh.get("/caseload/")
    assert refused.status_code == 302 and refused["Location"].startswith("/accounts/login/")
    [event] = events("account_deactivate")
    assert (event.user, event.role, event.local_authority_id) == (
        world.a.users[Role.LA_ADMIN],
        Role.LA_ADMIN,
        world.a.la.pk,
    )
    assert event.object_id == str(worker.public_id)
    assert event.detail["sessions_ended"] == 1

    # Reactivating lets them sign in again.
    assert "Reactivate account" in kent_admin.get(person_url(worker)).content.decode()
    kent_admin.post(person_url(worker, "reactivate"))
    worker.refresh_from_db()
    assert worker.is_active
    assert [e.object_id for e in events("account_reactivate")] == [str(worker.public_id)]


def test_resetting_two_step_sign_in_deletes_every_method_and_is_audited(world, kent_admin):
    worker = world.a.users[Role.IRO]
    with account_context(user_id=worker.pk):
        RecoveryCodes.activate(worker)
    assert len(authenticators_of(worker)) == 2
    theirs = signed_in(worker)
    assert theirs.get("/caseload/").status_code == 200

    confirm = kent_admin.get(person_url(worker, "reset-two-step-sign-in")).content.decode()
    assert "must set two-step sign-in up again" in confirm
    response = kent_admin.post(person_url(worker, "reset-two-step-sign-in"), follow=True)
    assert "two-step sign-in has been reset" in response.content.decode()

    assert not authenticators_of(worker)
    [event] = events("mfa_reset")
    assert event.object_id == str(worker.public_id)
    assert event.local_authority_id == world.a.la.pk
    assert event.detail["methods"] == ["recovery_codes", "totp"]
    # Signed out, and at the next sign-in (password only) sent to set up two-step sign-in.
    assert theirs.get("/caseload/").status_code == 302
    fresh = Client()
    signed = sign_in(fresh, worker.email, secret=None)
    assert signed.status_code == 302
    home = fresh.get("/caseload/")
    assert home.status_code == 302 and home["Location"] == "/accounts/2fa/"
    # The person page now says so, and offers no reset.
    page = kent_admin.get(person_url(worker)).content.decode()
    assert "Not set up" in page and "Reset two-step sign-in</a>" not in page


# --- Rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["deactivate", "reset-two-step-sign-in", "remove"])
def test_a_virtual_school_officer_cannot_change_accounts(world, action):
    officer = signed_in(world.a.users[Role.VS_OFFICER])
    worker = world.a.users[Role.SOCIAL_WORKER]
    page = officer.get(person_url(worker))
    assert page.status_code == 200
    assert "Only the Virtual School Head or a local authority administrator" in (
        page.content.decode()
    )
    assert "Deactivate account" not in page.content.decode()
    assert officer.get(person_url(worker, action)).status_code == 404
    assert officer.post(person_url(worker, action)).status_code == 404
    worker.refresh_from_db()
    assert worker.is_active
    assert authenticators_of(worker)
    with transaction.atomic():
        actor = resolve_actor(world.a.users[Role.VS_OFFICER])
        with pytest.raises(PermissionDenied):
            services.user_deactivate(actor=actor, user=worker)
    assert events("account_deactivate") == [] and events("mfa_reset") == []


def test_another_authoritys_administrator_gets_404_for_the_person_page(world):
    sefton = signed_in(world.b.users[Role.LA_ADMIN])
    worker = world.a.users[Role.SOCIAL_WORKER]
    missing = f"/people/{uuid.uuid4()}/"
    for suffix in ("", "deactivate/", "reset-two-step-sign-in/"):
        refused = sefton.get(person_url(worker) + suffix)
        absent = sefton.get(missing + suffix)
        assert refused.status_code == absent.status_code == 404
        assert refused.content == absent.content
        assert sefton.post(person_url(worker) + suffix).status_code in (404, 405)
    worker.refresh_from_db()
    assert worker.is_active
    assert worker.email not in sefton.get("/people/").content.decode()


def test_a_designated_teacher_in_two_authorities_can_be_removed_but_not_deactivated(
    world, kent_admin, two_authority_teacher
):
    teacher = two_authority_teacher
    page = kent_admin.get(person_url(teacher)).content.decode()
    assert "Deactivate account" not in page
    assert "Remove from Kent" in page
    assert "Deactivating their account would stop that work too" in page
    assert kent_admin.get(person_url(teacher, "deactivate")).status_code == 404
    assert kent_admin.post(person_url(teacher, "deactivate")).status_code == 404
    with transaction.atomic():
        actor = resolve_actor(world.a.users[Role.LA_ADMIN])
        with pytest.raises(PermissionDenied):
            services.user_deactivate(actor=actor, user=teacher)

    response = kent_admin.post(person_url(teacher, "remove"), follow=True)
    assert "has been removed from Kent" in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.is_active
    with all_authorities_context():
        active = {m.school.name: m.is_active for m in Membership.objects.filter(user=teacher)}
        grant = ChildAccessGrant.objects.get(user=teacher)
    assert active == {"Kent Primary": False, "Sefton High": True}
    assert grant.revoked_at is not None and grant.revoked_by == world.a.users[Role.LA_ADMIN]
    [event] = events("membership_remove")
    assert event.detail["roles"] == ["designated_teacher"]
    assert event.detail["grants_withdrawn"] == 1
    # Still at work for the Sefton school.
    with transaction.atomic():
        actor = resolve_actor(teacher)
    assert [s.name for s in actor.schools] == ["Sefton High"]
    assert "Removed" in kent_admin.get("/people/?q=twoschools").content.decode()


def test_a_person_wholly_in_one_authority_can_be_deactivated_by_it_only(world, kent_admin):
    """Sefton's designated teacher at Shared Academy (in Kent's area) was added, and is
    endorsed, by Sefton only: theirs to deactivate, not Kent's, whose area it is."""
    teacher = world.b.users[Role.DESIGNATED_TEACHER]
    sefton = signed_in(world.b.users[Role.LA_ADMIN])
    assert "Deactivate account" in sefton.get(person_url(teacher)).content.decode()
    assert kent_admin.get(person_url(teacher)).status_code == 404


def test_nobody_changes_their_own_account_and_a_head_cannot_change_an_administrator(
    world, kent_admin
):
    me = world.a.users[Role.LA_ADMIN]
    assert "You cannot change your own account here" in (
        kent_admin.get(person_url(me)).content.decode()
    )
    assert kent_admin.post(person_url(me, "deactivate")).status_code == 404
    head = signed_in(world.a.users[Role.VS_HEAD])
    page = head.get(person_url(me)).content.decode()
    assert "Only a local authority administrator can change the account" in page
    assert head.post(person_url(me, "deactivate")).status_code == 404
    me.refresh_from_db()
    assert me.is_active


# --- Invitations ------------------------------------------------------------------------


def invite_through_the_form(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/people/invite/", data)


def test_inviting_through_the_form_sends_the_email(
    world, kent_admin, django_capture_on_commit_callbacks
):
    form = kent_admin.get("/people/invite/").content.decode()
    assert "Local authority administrator" in form  # an LA admin invites every role
    response = invite_through_the_form(
        kent_admin,
        django_capture_on_commit_callbacks,
        full_name="Dee Teacher",
        email="Dee.Teacher@Example.org",
        role="designated_teacher",
        school_urn=world.school_a.urn,
    )
    assert response.status_code == 302 and response["Location"] == "/people/invitations/"
    deliver_outbox()
    [message] = mail.outbox
    assert message.to == ["dee.teacher@example.org"]
    assert invitation_link(message).startswith("/invitations/")
    with all_authorities_context():
        invitation = Invitation.objects.get(email="dee.teacher@example.org")
    assert (invitation.role, invitation.school, invitation.local_authority) == (
        "designated_teacher",
        world.school_a,
        world.a.la,
    )
    listing = kent_admin.get("/people/invitations/").content.decode()
    assert "Invitation sent to dee.teacher@example.org" in listing
    assert "Waiting" in listing and "Dee Teacher" in listing


def test_a_virtual_school_officer_is_offered_only_the_roles_they_may_invite(world):
    officer = signed_in(world.a.users[Role.VS_OFFICER])
    form = officer.get("/people/invite/").content.decode()
    assert 'value="la_admin"' not in form and 'value="vs_head"' not in form
    assert 'value="social_worker"' in form
    response = officer.post(
        "/people/invite/", {"full_name": "X Y", "email": "xy@example.org", "role": "la_admin"}
    )
    assert "Select one of the roles you can invite people to" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {},
            {
                "full_name": "Enter the person&#x27;s full name",
                "email": "Enter their email address",
                "role": "Select the role you are inviting them to",
            },
        ),
        (
            {"full_name": "A B", "email": "not-an-email", "role": "iro"},
            {"email": "Enter an email address in the correct format, like name@example.com"},
        ),
        (
            {"full_name": "A B", "email": "a@example.org", "role": "designated_teacher"},
            {"school_urn": "Enter the school&#x27;s URN"},
        ),
        (
            {
                "full_name": "A B",
                "email": "a@example.org",
                "role": "school_staff",
                "school_urn": "12345",
            },
            {"school_urn": "Enter the URN as 6 digits, like 118234"},
        ),
        (
            {
                "full_name": "A B",
                "email": "a@example.org",
                "role": "designated_teacher",
                "school_urn": "123456",
            },
            {"school_urn": "There is no school with URN 123456"},
        ),
        (
            {"full_name": "A B", "email": "a@example.org", "role": "carer"},
            {"child": "Choose the child"},
        ),
    ],
)
def test_invite_form_errors_are_specific_and_nothing_is_created(
    world, kent_admin, django_capture_on_commit_callbacks, data, errors
):
    response = invite_through_the_form(kent_admin, django_capture_on_commit_callbacks, **data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    for field, message in errors.items():
        # Next to the field, and linked from the summary.
        assert re.search(
            rf'id="id_{field}-error" class="govuk-error-message">.*?{re.escape(message)}',
            page,
            re.S,
        ), field
        assert f'<a href="#id_{field}">{message}</a>' in page
    assert 'aria-describedby="' in page
    with all_authorities_context():
        assert not Invitation.objects.exists()
    deliver_outbox()
    assert mail.outbox == []


def test_an_invitation_already_waiting_is_refused_next_to_the_email(
    world, kent_admin, django_capture_on_commit_callbacks
):
    data = {"full_name": "Ivy Iro", "email": "ivy@example.org", "role": "iro"}
    invite_through_the_form(kent_admin, django_capture_on_commit_callbacks, **data)
    again = invite_through_the_form(kent_admin, django_capture_on_commit_callbacks, **data)
    assert again.status_code == 200
    assert "This person already has an invitation waiting" in again.content.decode()
    with all_authorities_context():
        assert Invitation.objects.count() == 1
    deliver_outbox()
    assert len(mail.outbox) == 1


def test_a_young_person_is_invited_to_their_own_record(
    world, kent_admin, django_capture_on_commit_callbacks
):
    response = invite_through_the_form(
        kent_admin,
        django_capture_on_commit_callbacks,
        full_name="Out Circle",
        email="yp@example.org",
        role="young_person",
        child=str(world.a.other_child.public_id),
    )
    assert response.status_code == 302
    with all_authorities_context():
        assert Invitation.objects.get(email="yp@example.org").child == world.a.other_child
    # Another authority's child is not offered and not accepted.
    form = kent_admin.get("/people/invite/").content.decode()
    assert str(world.b.child.public_id) not in form
    other = invite_through_the_form(
        kent_admin,
        django_capture_on_commit_callbacks,
        full_name="B",
        email="yp2@example.org",
        role="young_person",
        child=str(world.b.child.public_id),
    )
    assert other.status_code == 200
    assert 'id="id_child-error"' in other.content.decode()


def test_sending_again_from_the_screen_sends_a_new_link_and_the_old_one_dies(
    world, django_capture_on_commit_callbacks
):
    officer = signed_in(world.a.users[Role.VS_OFFICER])
    invite_through_the_form(
        officer,
        django_capture_on_commit_callbacks,
        full_name="Sam Social",
        email="sam@example.org",
        role="social_worker",
    )
    deliver_outbox()
    [first] = mail.outbox
    with all_authorities_context():
        invitation = Invitation.objects.get(email="sam@example.org")
    listing = officer.get("/people/invitations/").content.decode()
    assert f"/people/invitations/{invitation.public_id}/send-again/" in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            f"/people/invitations/{invitation.public_id}/send-again/", follow=True
        )
    assert "A new invitation has been sent to sam@example.org" in response.content.decode()
    deliver_outbox()
    assert len(mail.outbox) == 2
    old, new = invitation_link(first), invitation_link(mail.outbox[1])
    assert old != new
    anonymous = Client()
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    assert [e.action for e in events("invite_resend")] == ["invite_resend"]


def test_withdrawing_an_invitation_kills_its_link(
    world, kent_admin, django_capture_on_commit_callbacks
):
    invite_through_the_form(
        kent_admin,
        django_capture_on_commit_callbacks,
        full_name="Wendy Withdrawn",
        email="wendy@example.org",
        role="personal_adviser",
    )
    deliver_outbox()
    link = invitation_link(mail.outbox[0])
    with all_authorities_context():
        invitation = Invitation.objects.get(email="wendy@example.org")
    response = kent_admin.post(f"/people/invitations/{invitation.public_id}/withdraw/", follow=True)
    page = response.content.decode()
    assert "The invitation to wendy@example.org has been withdrawn" in page
    assert "Withdrawn" in page
    assert f"/people/invitations/{invitation.public_id}/withdraw/" not in page
    gone = Client().get(link)
    assert gone.status_code == 410 and "withdrawn" in gone.content.decode()
    # Another authority's staff cannot touch it.
    sefton = signed_in(world.b.users[Role.LA_ADMIN])
    url = f"/people/invitations/{invitation.public_id}/send-again/"
    assert sefton.post(url).status_code == 404


# --- The People list ------------------------------------------------------------------


def test_the_people_list_shows_roles_last_sign_in_and_two_step_status(world, kent_admin):
    worker = world.a.users[Role.SOCIAL_WORKER]
    worker.last_login = datetime(2026, 11, 22, 14, 5, tzinfo=LONDON)
    worker.save(update_fields=["last_login"])
    newcomer = UserFactory(email="newcomer@example.org", full_name="Nina Newcomer")
    MembershipFactory(user=newcomer, role=Role.IRO, local_authority=world.a.la)

    page = kent_admin.get("/people/").content.decode()
    assert "22 November 2026, 14:05" in page
    row = re.search(r"Nina Newcomer.*?</tr>", page, re.S).group(0)
    assert "Never signed in" in row and "Two-step sign-in: not set up" in row
    assert "Independent reviewing officer" in row and "Active" in row
    assert "Designated teacher, Shared Academy" in page
    assert world.b.users[Role.SOCIAL_WORKER].email not in page
    detail = kent_admin.get(person_url(worker)).content.decode()
    assert "22 November 2026, 14:05" in detail and "Set up" in detail

    only_iros = kent_admin.get("/people/?role=iro").content.decode()
    assert "Nina Newcomer" in only_iros and worker.full_name not in only_iros
    search = kent_admin.get("/people/?q=newcomer@").content.decode()
    assert "Nina Newcomer" in search and worker.full_name not in search


@pytest.mark.parametrize("role", [Role.LA_ADMIN, Role.VS_HEAD, Role.VS_OFFICER])
def test_people_is_in_the_navigation_of_administrators_and_virtual_school_staff(world, role):
    page = signed_in(world.a.users[role]).get("/people/")
    assert page.status_code == 200
    assert 'href="/people/"' in page.content.decode()


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.CARER])
def test_other_roles_have_no_people_pages(world, role):
    client = signed_in(world.a.users[role])
    assert client.get("/people/").status_code == 404
    assert client.get("/people/invite/").status_code == 404
    home = client.get("/", follow=True).content.decode()
    assert 'href="/people/"' not in home


def test_anonymous_people_are_sent_to_sign_in(world):
    worker = world.a.users[Role.SOCIAL_WORKER]
    for url in ("/people/", person_url(worker), person_url(worker, "deactivate")):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _add_people(world, count):
    school = world.school_a
    for i in range(count):
        user = UserFactory(email=f"bulk{count}-{i}@example.org", full_name=f"Bulk {i:03d}")
        if i % 3 == 0:
            school_membership(user=user, school=school, endorsed_by=[world.a.la])
        else:
            MembershipFactory(user=user, role=Role.SOCIAL_WORKER, local_authority=world.a.la)
        if i % 2:
            MembershipFactory(user=user, role=Role.IRO, local_authority=world.a.la)
        if i % 4 == 0:
            ready_for_work(user, [Role.SOCIAL_WORKER])


def _list_queries(client) -> int:
    client.get("/people/")  # warm: session, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/people/")
    assert response.status_code == 200
    return len(queries)


def test_the_people_list_takes_the_same_number_of_queries_for_5_or_50_people(world, kent_admin):
    _add_people(world, 5)
    few = _list_queries(kent_admin)
    _add_people(world, 45)
    page = kent_admin.get("/people/").content.decode()
    assert page.count('class="govuk-table__row"') == 51  # header + a full page
    assert 'rel="next"' in page
    assert _list_queries(kent_admin) == few


# --- The Django admin -----------------------------------------------------------------


def test_the_admin_lists_only_the_authoritys_people_with_two_step_status(world):
    client = signed_in(world.a.users[Role.LA_ADMIN])
    page = client.get("/admin/accounts/user/").content.decode()
    assert world.a.users[Role.IRO].email in page
    assert world.b.users[Role.IRO].email not in page
    assert "Two-step sign-in set up" in page
    other = client.get(f"/admin/accounts/user/{world.b.users[Role.IRO].pk}/change/")
    assert other.status_code == 302  # "does not exist" for the admin
    # Passwords are for platform support only.
    target = world.a.users[Role.IRO]
    assert client.get(f"/admin/accounts/user/{target.pk}/password/").status_code == 403


def test_admin_actions_deactivate_and_reset_two_step_sign_in(world):
    client = signed_in(world.a.users[Role.LA_ADMIN])
    iro, adviser = world.a.users[Role.IRO], world.a.users[Role.PERSONAL_ADVISER]
    client.post(
        "/admin/accounts/user/",
        {"action": "deactivate", "_selected_action": [iro.pk], "index": 0},
    )
    client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_step", "_selected_action": [adviser.pk], "index": 0},
    )
    iro.refresh_from_db()
    assert not iro.is_active
    assert not authenticators_of(adviser)
    assert [e.object_id for e in events("account_deactivate")] == [str(iro.public_id)]
    assert [e.object_id for e in events("mfa_reset")] == [str(adviser.public_id)]


def test_platform_support_deactivates_a_two_authority_person_seen_by_both(
    world, two_authority_teacher
):
    root = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    ready_for_work(root, [])
    client = signed_in(root)
    client.post(
        "/admin/accounts/user/",
        {"action": "deactivate", "_selected_action": [two_authority_teacher.pk], "index": 0},
    )
    two_authority_teacher.refresh_from_db()
    assert not two_authority_teacher.is_active
    assert {e.local_authority_id for e in events("account_deactivate")} == {
        world.a.la.pk,
        world.b.la.pk,
    }


def test_admin_invitation_actions_send_again_and_withdraw(
    world, kent_admin, django_capture_on_commit_callbacks
):
    for name in ("first", "second"):
        invite_through_the_form(
            kent_admin,
            django_capture_on_commit_callbacks,
            full_name=name.title(),
            email=f"{name}@example.org",
            role="iro",
        )
    client = signed_in(world.a.users[Role.LA_ADMIN])
    with all_authorities_context():
        first = Invitation.objects.get(email="first@example.org")
        second = Invitation.objects.get(email="second@example.org")
    listing = client.get("/admin/accounts/invitation/").content.decode()
    assert "first@example.org" in listing and "Pending" in listing
    detail = client.get(f"/admin/accounts/invitation/{first.pk}/change/").content.decode()
    assert "first@example.org" in detail
    assert "token" not in detail.replace("csrfmiddlewaretoken", "")
    assert first.token_hash not in detail
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/accounts/invitation/",
            {"action": "send_again", "_selected_action": [first.pk], "index": 0},
        )
    deliver_outbox()
    assert len(mail.outbox) == 3 and mail.outbox[-1].to == ["first@example.org"]
    client.post(
        "/admin/accounts/invitation/",
        {"action": "withdraw", "_selected_action": [second.pk], "index": 0},
    )
    with all_authorities_context():
        second.refresh_from_db()
    assert second.withdrawn_at is not None
    # Sefton's staff do not see Kent's invitations.
    sefton = signed_in(world.b.users[Role.LA_ADMIN])
    assert "first@example.org" not in sefton.get("/admin/accounts/invitation/").content.decode()


def test_admin_publishes_new_agreement_versions_and_never_edits_one(world):
    client = signed_in(world.a.users[Role.LA_ADMIN])
    form = client.get("/admin/accounts/useragreement/add/").content.decode()
    assert "Kent" in form and "Sefton" not in form
    data = {
        "local_authority": world.a.la.pk,
        "role": "iro",
        "title": "Kent IROs",
        "body": "Be kind.",
    }
    assert client.post("/admin/accounts/useragreement/add/", data).status_code == 302
    client.post("/admin/accounts/useragreement/add/", {**data, "body": "Be kinder."})
    with authority_context(local_authority_ids=[world.a.la.pk]):
        versions = list(
            UserAgreement.objects.filter(local_authority=world.a.la, role="iro").order_by("version")
        )
    assert [(a.version, a.body) for a in versions] == [(1, "Be kind."), (2, "Be kinder.")]
    assert [e.detail["version"] for e in events("agreement_publish")] == [1, 2]
    # A published version is read-only.
    url = f"/admin/accounts/useragreement/{versions[0].pk}/change/"
    assert 'name="body"' not in client.get(url).content.decode()
    client.post(url, {**data, "body": "Changed in place"})
    versions[0].refresh_from_db()
    assert versions[0].body == "Be kind."
    # Another authority cannot publish for Kent.
    sefton = signed_in(world.b.users[Role.LA_ADMIN])
    refused = sefton.post("/admin/accounts/useragreement/add/", {**data, "body": "Sefton's"})
    assert refused.status_code == 200  # the form: Kent is not a choice
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert UserAgreement.objects.filter(local_authority=world.a.la).count() == 2


def test_the_user_model_gets_a_unique_public_id(world):
    ids = list(User.objects.values_list("public_id", flat=True))
    assert len(ids) == len(set(ids)) and all(ids)
