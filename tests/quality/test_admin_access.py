"""Who reaches the admin, and what each person sees there: Virtual School staff by role
(no hand-set staff flag) see their authority's children and QA; LA administrators see
settings, not QA; other roles are refused; ePEP support without a membership sees the
operators' pages and no child; an officer of one authority never sees another's rows in
any list, filter choice, search or autocomplete."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.contrib import admin

from calendars.permissions import can_keep_calendars_in_admin
from children.permissions import (
    can_edit_schools_in_admin,
    can_manage_children_in_admin,
    can_view_schools_in_admin,
)
from epep.accounts.permissions import can_manage_accounts_in_admin
from epep.audit.permissions import can_read_audit_in_admin
from epep.notifications.permissions import can_view_outbox_in_admin
from epep.security.permissions import can_manage_sessions_in_admin
from epep.tenancy.actor import Actor
from epep.tenancy.permissions import (
    can_add_authorities_in_admin,
    can_change_authorities_in_admin,
    can_manage_memberships_in_admin,
    can_view_authorities_in_admin,
    is_platform_operator,
)
from epep.tenancy.roles import Role
from tests.factories import MembershipFactory, UserFactory, ready_for_work
from tests.permission_matrix import AWAY, HOME, actor, allowed

from .queue_factories import submitted_pep

AUTHORITY_WIDE = {Role.VS_HEAD, Role.VS_OFFICER, Role.LA_ADMIN}
VIRTUAL_SCHOOL = {Role.VS_HEAD, Role.VS_OFFICER}
QUEUE = "/admin/quality/qaqueueentry/"


# -- the rules ------------------------------------------------------------------------------


def operator() -> Actor:
    """ePEP support: a superuser acting in no role, with no authority."""
    user = SimpleNamespace(pk=1, is_authenticated=True, is_superuser=True)
    return Actor(user=user, role=None)


def row(authority):
    return SimpleNamespace(local_authority_id=authority, pk=authority)


@pytest.mark.parametrize(
    ("rule", "roles", "operator_may"),
    [
        (can_manage_children_in_admin, VIRTUAL_SCHOOL, False),
        (can_view_schools_in_admin, AUTHORITY_WIDE, True),
        (can_edit_schools_in_admin, set(), True),
        (can_keep_calendars_in_admin, AUTHORITY_WIDE, True),
        (can_manage_accounts_in_admin, {Role.LA_ADMIN}, True),
        (can_read_audit_in_admin, {Role.LA_ADMIN, Role.VS_HEAD}, True),
        (can_view_outbox_in_admin, set(), True),
        (can_manage_sessions_in_admin, set(), True),
        (can_view_authorities_in_admin, AUTHORITY_WIDE, True),
        (can_change_authorities_in_admin, {Role.LA_ADMIN, Role.VS_HEAD}, True),
        (can_add_authorities_in_admin, set(), True),
        (can_manage_memberships_in_admin, {Role.LA_ADMIN}, False),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_admin_rules_by_role(rule, roles, operator_may):
    assert allowed(rule) == roles
    assert rule(operator()) is operator_may
    assert is_platform_operator(operator()) and not is_platform_operator(actor(Role.LA_ADMIN))


@pytest.mark.parametrize(
    "rule",
    [
        can_manage_children_in_admin,
        can_keep_calendars_in_admin,
        can_view_authorities_in_admin,
        can_change_authorities_in_admin,
        can_manage_memberships_in_admin,
    ],
)
def test_a_row_of_another_authority_is_refused(rule):
    role = Role.VS_HEAD if rule is can_manage_children_in_admin else Role.LA_ADMIN
    assert rule(actor(role), row(HOME))
    assert not rule(actor(role), row(AWAY))


# -- the site -------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def test_a_virtual_school_officer_reaches_the_admin_by_role_and_sees_qa(client, world):
    officer = world.a.users[Role.VS_OFFICER]
    assert not officer.is_staff and not officer.is_superuser
    page = signed_in(client, officer).get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "PEPs waiting for QA" in html
    assert "Children" in html
    assert client.get(QUEUE).status_code == 200
    assert client.get("/admin/children/child/").status_code == 200
    # Not the operators' pages or the authority's accounts.
    for url in ("/admin/accounts/user/", "/admin/notifications/notification/"):
        assert client.get(url).status_code == 403, url


def test_an_la_administrator_sees_settings_not_qa_or_children(client, world):
    signed_in(client, world.a.users[Role.LA_ADMIN])
    html = client.get("/admin/").content.decode()
    for setting in ("Local authorities", "School terms", "Users", "Memberships"):
        assert setting in html, setting
    assert "PEPs waiting for QA" not in html
    assert "/admin/children/child/" not in html
    assert client.get(QUEUE).status_code == 403
    assert client.get("/admin/children/child/").status_code == 403
    assert client.get(f"/admin/children/child/{world.a.child.pk}/change/").status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/quality/qapolicy/").status_code == 200


@pytest.mark.parametrize(
    "role",
    [
        Role.DESIGNATED_TEACHER,
        Role.SOCIAL_WORKER,
        Role.CARER,
        Role.YOUNG_PERSON,
        Role.IRO,
        Role.SCHOOL_STAFF,
    ],
)
def test_other_roles_are_refused(client, world, role):
    signed_in(client, world.a.users[role])
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get(response["Location"]).status_code == 403
    assert client.get(QUEUE).status_code == 302


def test_two_step_sign_in_still_applies_to_virtual_school_staff(client, world):
    newcomer = UserFactory(email="new.officer@example.org")
    MembershipFactory(user=newcomer, role=Role.VS_OFFICER, local_authority=world.a.la)
    signed_in(client, newcomer)
    for url in ("/admin/", QUEUE):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/2fa/"), url


def test_someone_not_signed_in_is_sent_to_the_sign_in_page_and_back(client):
    response = client.get("/admin/login/?next=/admin/quality/qaqueueentry/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fquality%2Fqaqueueentry%2F"
    elsewhere = client.get("/admin/login/?next=https://evil.example/")
    assert elsewhere["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_a_signed_in_officer_at_the_admin_sign_in_page_goes_to_the_admin(client, world):
    signed_in(client, world.a.users[Role.VS_OFFICER])
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    onward = client.get("/admin/login/", {"next": QUEUE})
    assert onward["Location"] == QUEUE
    # No password form: signing in as someone else here would skip their second factor.
    other = world.a.users[Role.VS_HEAD]
    posted = client.post("/admin/login/", {"username": other.email, "password": "x"})
    assert posted.status_code == 302 and posted["Location"] == "/admin/"
    assert client.get("/admin/").context["user"] == world.a.users[Role.VS_OFFICER]


def test_a_superuser_without_a_membership_sees_the_operators_pages_and_no_child(client, world):
    root = UserFactory(email="root@example.org", is_superuser=True)
    ready_for_work(root, [])
    signed_in(client, root)
    html = client.get("/admin/").content.decode()
    assert "Users" in html and "Notifications" in html
    assert "/admin/children/child/" not in html and "PEPs waiting for QA" not in html
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/notifications/notification/").status_code == 200
    assert client.get("/admin/children/child/").status_code == 403
    # A child's page is answered as for a child that does not exist.
    missing = client.get("/admin/children/child/999999999/change/")
    child = client.get(f"/admin/children/child/{world.a.child.pk}/change/")
    assert child.status_code in (302, 403, 404)
    assert (child.status_code, child.get("Location")) == (
        missing.status_code,
        missing.get("Location"),
    )
    assert world.a.child.legal_last_name not in child.content.decode()
    assert client.get(QUEUE).status_code == 403


def _changelists():
    for model, model_admin in admin.site._registry.items():
        yield f"/admin/{model._meta.app_label}/{model._meta.model_name}/", model_admin


def test_an_officer_never_sees_another_authoritys_rows(client, world, clock_at):
    clock_at(date(2026, 11, 20))
    theirs = submitted_pep(
        world.b, submitted_on=date(2026, 11, 2), first_name="Bravo", last_name="Seftonian"
    )
    submitted_pep(world.a, submitted_on=date(2026, 11, 2), first_name="Alpha", last_name="Kentish")
    secrets = [
        world.b.child.legal_last_name,
        world.b.other_child.legal_last_name,
        "Seftonian",
        theirs.child.upn,
        world.b.users[Role.VS_OFFICER].full_name,
        world.b.users[Role.SOCIAL_WORKER].email,
    ]
    for user in (world.a.users[Role.VS_OFFICER], world.a.users[Role.VS_HEAD]):
        signed_in(client, user)
        assert "Kentish" in client.get(QUEUE).content.decode()
        for url, model_admin in _changelists():
            # Each search matches a secret but is not one (the page repeats the search).
            for term in ("", "Seftonia", "Circle34", theirs.child.upn[:-1]):
                html = client.get(url, {"q": term} if term else {}).content.decode()
                leaked = [s for s in secrets if s in html]
                assert leaked == [], f"{url}?q={term}"
            for field in getattr(model_admin, "autocomplete_fields", ()):
                model = model_admin.model
                response = client.get(
                    "/admin/autocomplete/",
                    {
                        "app_label": model._meta.app_label,
                        "model_name": model._meta.model_name,
                        "field_name": field,
                        "term": "Se",
                    },
                )
                leaked = [s for s in secrets if s in response.content.decode()]
                assert leaked == [], f"autocomplete {url} {field}"
        for url in (
            f"{QUEUE}{theirs.pk}/change/",
            f"/admin/children/child/{world.b.child.pk}/change/",
        ):
            response = client.get(url)
            assert response.status_code in (302, 404), url
            if response.status_code == 302:
                assert "Seftonian" not in client.get(response["Location"]).content.decode()
