"""Every response carries the security headers: a strict Content-Security-Policy (no
inline script or style, no eval, no framing), nosniff, a same-origin referrer policy,
Cross-Origin-Opener-Policy, X-Frame-Options DENY, and Cache-Control: no-store."""

import re

import pytest
from django.urls import reverse

from epep.tenancy.roles import Role

pytestmark = pytest.mark.django_db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def assert_security_headers(response, where: str) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP, where
    assert "Content-Security-Policy-Report-Only" not in headers, where
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] == "same-origin", where
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin", where
    assert headers["X-Frame-Options"] == "DENY", where
    assert "no-store" in headers["Cache-Control"], where
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin", where
    assert "camera=()" in headers["Permissions-Policy"], where


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|<[^>]+\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def assert_nothing_inline(response, where: str) -> None:
    """What the CSP would block: better found here than by someone's browser."""
    html = response.content.decode()
    for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE, JAVASCRIPT_URL):
        match = pattern.search(html)
        assert match is None, f"{where}: {match.group(0) if match else ''}"


def check_page(client, url: str, where: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, f"{where}: {url} -> {response.status_code}"
    assert_security_headers(response, where)
    if response["Content-Type"].startswith("text/html"):
        assert_nothing_inline(response, where)
    return response


def test_sign_in_page(client):
    response = check_page(client, reverse("account_login"), "sign-in page")
    assert b"<form" in response.content


def test_password_reset_page(client):
    check_page(client, reverse("account_reset_password"), "password reset page")


def test_anonymous_redirect_and_health_check(client):
    response = check_page(client, "/", "anonymous redirect", status=302)
    assert response["Location"].startswith(reverse("account_login"))
    check_page(client, "/healthz", "health check")


@pytest.mark.parametrize("role", list(Role))
def test_each_roles_home_page(client, world, role):
    client.force_login(world.a.users[role])
    landing = check_page(client, "/", f"{role} landing", status=302)
    check_page(client, landing["Location"], f"{role} home page")


def test_a_childs_page(client, world):
    client.force_login(world.a.users[Role.VS_HEAD])
    url = reverse("portal:child_detail", kwargs={"child_id": world.a.child.public_id})
    response = check_page(client, url, "child page")
    assert world.a.child.display_name.encode() in response.content


def test_the_admin_index_for_a_virtual_school_officer(client, world):
    officer = world.a.users[Role.VS_OFFICER]
    client.force_login(officer)
    check_page(client, "/admin/", "admin index")
    check_page(client, "/admin/children/child/", "admin change list")


def test_not_found_page(client, world):
    client.force_login(world.a.users[Role.VS_HEAD])
    check_page(client, "/no-such-page/", "404 page", status=404)


def test_session_endpoints(client, world):
    client.force_login(world.a.users[Role.CARER])
    check_page(client, reverse("security:session_status"), "session status")
    check_page(client, reverse("security:sign_out_everywhere"), "sign out everywhere")
