"""Deny by default: every URL is either declared public or refuses anonymous users, and
every URL that takes a child's id answers 404 to anyone outside that child's circle."""

import uuid

import pytest
from django.urls import reverse

from children.models import ChildAccessGrant
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role

from ..urlwalk import all_routes

PUBLIC = {
    # Signing in and out, and the two-step sign-in challenge (allauth).
    "accounts/login/",
    "accounts/logout/",
    "accounts/2fa/authenticate/",
    "accounts/login/code/confirm/",
    "accounts/inactive/",
    # Self-registration is closed: this page says so.
    "accounts/signup/",
    # Password reset: the same answer for known and unknown addresses.
    "accounts/password/reset/",
    "accounts/password/reset/done/",
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
    "accounts/password/reset/key/done/",
    # Email confirmation pages (allauth); verification is by invitation, so they only
    # ever say the link is invalid.
    "accounts/confirm-email/",
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$",
    # The link in an invitation email.
    "invitations/<str:token>/",
    # The admin's sign-in sends people to allauth's.
    "admin/login/",
    # The load balancer's readiness and liveness checks (epep.health).
    "healthz",
    "healthz/live",
    # Every authority's published PP+ policy, for schools (no child data).
    "pupil-premium-plus/policies/",
    # The accessibility statement, linked from every page's footer (no child data).
    "accessibility/",
}


def test_only_the_declared_urls_are_public():
    public = {route.pattern for route in all_routes() if route.is_public}
    assert public == PUBLIC


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in all_routes() if not r.is_public], ids=lambda r: r.pattern or "/"
)
def test_every_other_url_refuses_anonymous_users(client, route):
    url = route.example_url()
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url}"
        location = response["Location"]
        assert location.startswith(("/accounts/login/", "/admin/login/")), location


def child_routes():
    return [r for r in all_routes() if "child_id" in r.kwargs]


def test_there_are_child_routes_to_check():
    assert {r.name for r in child_routes()} >= {
        "child_detail",
        "child_access_grant",
        "child_access_delegate",
        "child_access_revoke",
    }


@pytest.fixture
def grants(world):
    """A live grant on every child, so the grant_id in URLs points at something real."""
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(codename="view_child")
    result = {}
    with all_authorities_context():
        for child in world.all_children:
            result[child.pk] = ChildAccessGrant.objects.create(
                content_object=child,
                user=world.b.users[Role.IRO],
                permission=permission,
                local_authority=child.local_authority,
                reason="test",
                granted_by=world.b.users[Role.VS_HEAD],
                expires_on="2099-01-01",
            )
    return result


def _circle(world, role):
    a = world.a
    if role in (Role.VS_HEAD, Role.VS_OFFICER, Role.LA_ADMIN):
        return {a.child.pk, a.other_child.pk}
    if role == Role.DESIGNATED_TEACHER:
        return {a.child.pk, world.b.child.pk}
    if role in (Role.SCHOOL_STAFF, Role.YOUNG_PERSON):
        # a young person reaches their own record only through /my/ and My Voice
        # (children.permissions.can_open_professional_record): every URL here is a 404
        return set()
    return {a.child.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_every_child_url_is_404_outside_the_circle_and_identical_to_a_missing_child(
    client, world, grants, role
):
    client.force_login(world.a.users[role])
    outside = [c for c in world.all_children if c.pk not in _circle(world, role)]
    assert outside, "every role has children outside its circle in this world"
    for route in child_routes():
        for child in outside:
            kwargs = {"child_id": child.public_id}
            if "grant_id" in route.kwargs:
                kwargs["grant_id"] = grants[child.pk].public_id
            fixed = {"key": "needs"} if "key" in route.kwargs else {}
            if "school_id" in route.kwargs:  # moving the child to a school: a real one
                fixed["school_id"] = world.school_a.public_id
            url = reverse(f"portal:{route.name}", kwargs={**kwargs, **fixed})
            missing = reverse(
                f"portal:{route.name}", kwargs={**{k: uuid.uuid4() for k in kwargs}, **fixed}
            )
            for method in ("get", "post"):
                refused = getattr(client, method)(url)
                absent = getattr(client, method)(missing)
                assert refused.status_code in (404, 405), f"{role} {method} {url}"
                assert (refused.status_code, refused.content) == (
                    absent.status_code,
                    absent.content,
                ), f"{role} {method} {url} differs from a missing child"


def pep_routes():
    return [r for r in all_routes() if "pep_id" in r.kwargs]


def test_there_are_pep_routes_to_check():
    assert {r.name for r in pep_routes()} >= {
        "pep_detail",
        "pep_section_save",
        "pep_move",
        "pep_pdf",
    }


@pytest.fixture
def peps(world):
    """An open PEP for every child of the world."""
    from peps.models import Pep

    with all_authorities_context():
        return {
            child.pk: Pep.objects.create(
                local_authority=child.local_authority,
                child=child,
                academic_year="2026-27",
                term="autumn",
                created_by=world.a.users[Role.VS_HEAD],
            )
            for child in world.all_children
        }


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_every_pep_url_is_404_outside_the_circle_and_identical_to_a_missing_pep(
    client, world, peps, role
):
    client.force_login(world.a.users[role])
    outside = [c for c in world.all_children if c.pk not in _circle(world, role)]
    for route in pep_routes():
        for child in outside:
            others = {k: uuid.uuid4() for k in route.kwargs if k not in ("pep_id", "key")}
            fixed = {"key": "needs"} if "key" in route.kwargs else {}
            url = reverse(
                f"portal:{route.name}",
                kwargs={"pep_id": peps[child.pk].public_id, **others, **fixed},
            )
            missing = reverse(
                f"portal:{route.name}", kwargs={"pep_id": uuid.uuid4(), **others, **fixed}
            )
            for method in ("get", "post"):
                refused = getattr(client, method)(url)
                absent = getattr(client, method)(missing)
                assert refused.status_code in (404, 405), f"{role} {method} {url}"
                assert (refused.status_code, refused.content) == (
                    absent.status_code,
                    absent.content,
                ), f"{role} {method} {url} differs from a missing PEP"
