"""Sign-in that suits a child: the social worker invites the child (or a carer who helps
them set up), the pages in plain words, and the two-step rule for young people: optional
under 13 where the authority allows it, otherwise a long password or two-step."""

from datetime import date

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail

from epep.accounts import gate, permissions, services
from epep.accounts.context import account_context
from epep.accounts.models import Invitation, User
from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.models import LocalAuthority, Membership
from epep.tenancy.roles import Role
from tests.outbox import deliver_outbox

from ..factories import TOTP_SECRET
from ..portal.test_authority_settings_pages import policy_data
from .helpers import sign_in

pytestmark = pytest.mark.django_db

#: world.a.child is born on 14 March 2015: 12 the day before this, 13 on it.
THIRTEENTH_BIRTHDAY = date(2028, 3, 14)
AGE_12 = date(2028, 3, 13)
SHORT = "maple kettle"  # 12 characters: enough for an adult, not for the rule
LONG = "cloud pizza river"  # 17 characters
FORBIDDEN = ("looked after", "CLA", "in care", "Looked after")


def invite_url(child):
    return f"/people/children/{child.public_id}/invite/"


def allow_two_step_optional(la, allowed: bool):
    LocalAuthority.objects.filter(pk=la.pk).update(two_step_optional_under_13=allowed)
    gate._drop([gate._two_step_key(la.pk)])


def sw_invites(client, world, **data):
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    return client.post(invite_url(world.a.child), {"full_name": "In Circle", **data})


def token_from_outbox() -> tuple[str, object]:
    deliver_outbox()
    message = mail.outbox[-1]
    token = message.body.split("/invitations/")[1].split("/")[0]
    return token, message


@pytest.mark.parametrize(
    "day, allowed, needs",
    [
        (AGE_12, True, False),
        (AGE_12, False, True),
        (THIRTEENTH_BIRTHDAY, True, True),
        (THIRTEENTH_BIRTHDAY, False, True),
    ],
)
def test_the_young_persons_rule_by_age_and_the_authoritys_setting(day, allowed, needs):
    assert (
        permissions.young_person_needs_strong_sign_in(
            date_of_birth=date(2015, 3, 14), two_step_optional_under_13=allowed, day=day
        )
        is needs
    )


def test_the_allocated_social_worker_invites_the_child_in_plain_words(client, world, clock_at):
    clock_at(AGE_12)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    child_page = client.get(f"/children/{world.a.child.public_id}/").content.decode()
    assert invite_url(world.a.child) in child_page
    response = sw_invites(client, world, send_to="child", email="In.Circle@Example.org")
    assert response.status_code == 302
    token, message = token_from_outbox()
    assert message.to == ["in.circle@example.org"]
    assert message.subject == "ePEP: set up your account"
    for word in FORBIDDEN:
        assert word not in message.body
    with all_authorities_context():
        invitation = Invitation.objects.get(email="in.circle@example.org")
        event = AuditEvent.objects.get(action="invite", object_id=str(invitation.public_id))
    assert (invitation.role, invitation.child_id) == (Role.YOUNG_PERSON, world.a.child.pk)
    assert event.detail["helped_by_carer"] is False
    client.logout()
    html = client.get(f"/invitations/{token}/").content.decode()
    assert "Set up your account" in html and "Hello In." in html
    assert "at least 12 letters" in html
    for word in FORBIDDEN:
        assert word not in html


def test_a_social_worker_cannot_invite_a_child_not_allocated_to_them(client, world):
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    assert client.get(invite_url(world.a.other_child)).status_code == 404
    assert client.get(invite_url(world.b.child)).status_code == 404
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    assert client.get(invite_url(world.a.child)).status_code == 404


def test_bad_input_is_shown_beside_the_field_and_sends_nothing(client, world):
    response = sw_invites(client, world, send_to="child", email="")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_email-error"' in html and "Enter In&#x27;s email address" in html
    assert 'class="govuk-error-summary"' in html
    response = sw_invites(client, world, send_to="not-a-carer", email="")
    assert 'id="id_send_to-error"' in response.content.decode()
    with all_authorities_context():
        assert not Invitation.objects.filter(role=Role.YOUNG_PERSON).exists()


def test_a_carer_helps_the_child_set_up_their_own_account(client, world, clock_at):
    clock_at(AGE_12)
    carer = world.a.users[Role.CARER]
    response = sw_invites(client, world, send_to=str(carer.public_id), email="")
    assert response.status_code == 302
    token, message = token_from_outbox()
    assert message.to == [carer.email]
    assert message.subject == "ePEP: help In set up their account"
    # The carer's home shows the invitation waiting for them.
    client.force_login(carer)
    home = client.get("/carer/").content.decode()
    assert "Help In set up their account" in home
    client.logout()
    page = client.get(f"/invitations/{token}/").content.decode()
    assert "Help In set up their account" in page and "The email address In will sign in" in page
    # The carer's own address is refused: the account is the child's.
    refused = client.post(
        f"/invitations/{token}/",
        {"email": carer.email, "full_name": "In Circle", "password1": LONG, "password2": LONG},
    )
    assert refused.status_code == 400
    assert "Someone already uses this email address" in refused.content.decode()
    response = client.post(
        f"/invitations/{token}/",
        {"email": "in@example.org", "full_name": "In Circle", "password1": LONG, "password2": LONG},
    )
    assert response.status_code == 302
    child_account = User.objects.get(email="in@example.org")
    with all_authorities_context():
        membership = Membership.objects.get(user=child_account)
        assert not Membership.objects.filter(user=carer, role=Role.YOUNG_PERSON).exists()
        event = AuditEvent.objects.get(action="invite_accept")
    assert (membership.role, membership.child_id) == (Role.YOUNG_PERSON, world.a.child.pk)
    assert event.detail["account"] == "in@example.org"
    client.force_login(carer)
    assert "Help In set up" not in client.get("/carer/").content.decode()


@pytest.mark.parametrize(
    "day, allowed, short_ok",
    [(AGE_12, True, True), (AGE_12, False, False), (THIRTEENTH_BIRTHDAY, True, False)],
)
def test_a_young_person_needs_a_long_password_where_the_rule_asks(
    client, world, clock_at, day, allowed, short_ok
):
    clock_at(day)
    allow_two_step_optional(world.a.la, allowed)
    sw_invites(client, world, send_to="child", email="in@example.org")
    token, _ = token_from_outbox()
    client.logout()
    data = {"full_name": "In Circle", "password1": SHORT, "password2": SHORT}
    response = client.post(f"/invitations/{token}/", data)
    if short_ok:
        assert response.status_code == 302
        return
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_password1-error"' in html and "three random words" in html
    assert not User.objects.filter(email="in@example.org").exists()
    response = client.post(f"/invitations/{token}/", {**data, "password1": LONG, "password2": LONG})
    assert response.status_code == 302


def _young_person_with(password, world, *, two_step: bool):
    person = world.a.users[Role.YOUNG_PERSON]
    person.set_password(password)
    person.save(update_fields=["password"])
    if not two_step:
        with account_context(user_id=person.pk):
            Authenticator.objects.filter(user_id=person.pk).delete()
    return person


@pytest.mark.parametrize(
    "day, allowed, password, two_step, sent_to_safer",
    [
        (AGE_12, True, SHORT, False, False),
        (AGE_12, False, SHORT, False, True),
        (THIRTEENTH_BIRTHDAY, True, SHORT, False, True),
        (THIRTEENTH_BIRTHDAY, True, LONG, False, False),
        (THIRTEENTH_BIRTHDAY, True, SHORT, True, False),
    ],
)
def test_signing_in_with_a_short_password_asks_for_a_longer_one_or_two_step(
    client, world, clock_at, day, allowed, password, two_step, sent_to_safer
):
    clock_at(day)
    allow_two_step_optional(world.a.la, allowed)
    person = _young_person_with(password, world, two_step=two_step)
    secret = TOTP_SECRET if two_step else None
    assert sign_in(client, person.email, password, secret=secret).status_code == 302
    response = client.get("/my/")
    if sent_to_safer:
        assert response.status_code == 302 and response["Location"] == "/accounts/make-it-safer/"
        html = client.get(response["Location"]).content.decode()
        assert "Make your account safer" in html and "at least 15 letters" in html
        assert "/accounts/password/change/" in html and "/accounts/2fa/" in html
    else:
        assert response.status_code == 200


def test_professionals_still_need_two_step_whatever_the_childrens_setting(client, world):
    allow_two_step_optional(world.a.la, True)
    worker = world.a.users[Role.SOCIAL_WORKER]
    with all_authorities_context():
        assert services.mfa_required(worker)
    assert not permissions.is_young_person(None)


def test_the_head_changes_the_setting_and_it_is_audited(client, world):
    head, la = world.a.users[Role.VS_HEAD], world.a.la
    client.force_login(head)
    data = policy_data(la)
    del data["two_step_optional_under_13"]
    missing = client.post("/virtual-school/settings/policy/", data)
    assert missing.status_code == 400
    assert 'id="id_two_step_optional_under_13-error"' in missing.content.decode()
    response = client.post(
        "/virtual-school/settings/policy/", {**data, "two_step_optional_under_13": "no"}
    )
    assert response.status_code == 302
    assert LocalAuthority.objects.get(pk=la.pk).two_step_optional_under_13 is False
    with authority_context(local_authority_ids=[la.pk]):
        event = AuditEvent.objects.filter(object_type="tenancy.localauthority").latest("pk")
    assert event.detail["after"] == {"two_step_optional_under_13": False}
    index = client.get("/virtual-school/settings/").content.decode()
    assert 'data-testid="two-step-under-13">No<' in index


def test_a_refused_password_is_never_sent_back_in_the_page(client, world, clock_at):
    clock_at(THIRTEENTH_BIRTHDAY)
    sw_invites(client, world, send_to="child", email="in@example.org")
    token, _ = token_from_outbox()
    client.logout()
    response = client.post(
        f"/invitations/{token}/", {"full_name": "In", "password1": SHORT, "password2": SHORT}
    )
    assert response.status_code == 400
    assert "three random words" in response.content.decode()
    assert SHORT not in response.content.decode()
