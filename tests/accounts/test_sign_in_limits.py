"""Sign-in limits that do not lock out an office: a council building shares one address,
so the limits per address are sized for it (and do not apply to trusted council
networks), while the limits per account stay strict. Refusals say when to try again."""

import pytest
from django.test import RequestFactory

from epep.accounts import ratelimits
from epep.tenancy.roles import Role

from .helpers import PASSWORD

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.7"  # one council building's shared address
ELSEWHERE = "198.51.100.9"


def sign_in(client, email, password, address=OFFICE, **extra):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address, **extra
    )


def fail(client, n, address=OFFICE, prefix="typo", **extra):
    """``n`` wrong passwords for ``n`` different addresses, from one place."""
    return [
        sign_in(client, f"{prefix}{i}@example.org", "wrong but long pw", address, **extra)
        for i in range(n)
    ]


def assert_refused_for(response, wait: str, seconds: int) -> None:
    page = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == str(seconds)
    assert "Too many attempts" in page
    assert f"Try again in {wait}." in page


@pytest.fixture
def low_per_address_limits(settings):
    """The per-address limits lowered to 5 in 15 minutes, so a test can reach them."""
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed_per_ip": "5/15m/ip",
        "login_per_ip": "5/15m/ip",
        "reset_password_per_ip": "5/15m/ip",
    }


def test_many_peoples_mistakes_in_one_office_do_not_lock_out_the_next_person(client, world):
    """Under the old 20-a-minute limit per address, the 21st typo in a building locked
    everyone there out for a minute."""
    assert all(r.status_code == 200 for r in fail(client, 25))
    sw = world.a.users[Role.SOCIAL_WORKER]
    response = sign_in(client, sw.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"


def test_a_busy_morning_of_sign_ins_from_one_office_is_not_capped_at_30(client, world):
    carer = world.a.users[Role.CARER]
    for _ in range(40):
        response = sign_in(client, carer.email, PASSWORD)
        assert response.status_code == 302
        client.post("/accounts/logout/", REMOTE_ADDR=OFFICE)


def test_a_script_guessing_from_one_address_is_stopped_at_the_new_level(client, world):
    """200 failures in 15 minutes from one address: then a 429 saying when to try again,
    for everyone at that address, and only there."""
    fail(client, 2, prefix="spray")
    # The next 197 failures counted directly (the same counter the sign-in page uses).
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=OFFICE)
    for _ in range(197):
        ratelimits.count_failure(request)
    sw = world.a.users[Role.SOCIAL_WORKER]
    assert fail(client, 1, prefix="last")[0].status_code == 200  # the 200th
    assert_refused_for(sign_in(client, sw.email, PASSWORD), "15 minutes", 900)
    assert sign_in(client, sw.email, PASSWORD, ELSEWHERE).status_code == 302


def test_one_account_is_still_blocked_after_three_failures_and_says_when(client, world):
    sw = world.a.users[Role.SOCIAL_WORKER]
    for _ in range(3):
        assert sign_in(client, sw.email, "nope nope nope").status_code == 200
    # Even the right password, even from another address, within the window.
    for address in (OFFICE, ELSEWHERE):
        blocked = sign_in(client, sw.email, PASSWORD, address)
        assert blocked.status_code == 200
        assert "Location" not in blocked
        assert "Too many attempts to sign in. Wait 15 minutes, then try again" in (
            blocked.content.decode()
        )


def test_the_per_address_failure_limit_refuses_with_a_429_that_says_when(
    client, world, low_per_address_limits
):
    assert all(r.status_code == 200 for r in fail(client, 5))
    carer = world.a.users[Role.CARER]
    assert_refused_for(sign_in(client, carer.email, PASSWORD), "15 minutes", 900)


def test_a_trusted_council_network_has_no_per_address_limits(
    client, world, settings, low_per_address_limits
):
    settings.RATE_LIMIT_TRUSTED_NETWORKS = ["203.0.113.0/24", "2001:db8::/48"]
    assert all(r.status_code == 200 for r in fail(client, 12))
    carer = world.a.users[Role.CARER]
    for _ in range(6):  # more sign-ins than "login_per_ip" allows elsewhere
        assert sign_in(client, carer.email, PASSWORD).status_code == 302
        client.post("/accounts/logout/", REMOTE_ADDR=OFFICE)
    assert all(r.status_code == 200 for r in fail(client, 12, "2001:db8::5", prefix="v6"))
    # Outside the trusted networks the same limit applies.
    fail(client, 5, ELSEWHERE, prefix="out")
    assert sign_in(client, carer.email, PASSWORD, ELSEWHERE).status_code == 429


def test_a_trusted_network_still_has_the_per_account_limits(client, world, settings):
    settings.RATE_LIMIT_TRUSTED_NETWORKS = ["203.0.113.0/24"]
    sw = world.a.users[Role.SOCIAL_WORKER]
    for _ in range(3):
        sign_in(client, sw.email, "nope nope nope")
    blocked = sign_in(client, sw.email, PASSWORD)
    assert blocked.status_code == 200 and "Too many attempts to sign in" in (
        blocked.content.decode()
    )


def test_sign_ins_from_one_address_are_limited_too_past_the_level(
    client, world, low_per_address_limits
):
    carer = world.a.users[Role.CARER]
    for _ in range(5):
        assert sign_in(client, carer.email, PASSWORD).status_code == 302
        client.post("/accounts/logout/", REMOTE_ADDR=OFFICE)
    assert_refused_for(sign_in(client, carer.email, PASSWORD), "15 minutes", 900)


def test_password_reset_requests_per_address_and_per_account_say_when(
    client, world, low_per_address_limits
):
    sw = world.a.users[Role.SOCIAL_WORKER]
    # Per account: 3 in 15 minutes (allauth's own limit, on the same page).
    for _ in range(3):
        response = client.post(
            "/accounts/password/reset/", {"email": sw.email}, REMOTE_ADDR=ELSEWHERE
        )
        assert response.status_code == 302
    response = client.post("/accounts/password/reset/", {"email": sw.email}, REMOTE_ADDR=ELSEWHERE)
    assert_refused_for(response, "15 minutes", 900)
    # Per address: 5 in 15 minutes here (100 in production).
    for i in range(5):
        response = client.post(
            "/accounts/password/reset/", {"email": f"p{i}@example.org"}, REMOTE_ADDR=OFFICE
        )
        assert response.status_code == 302
    response = client.post(
        "/accounts/password/reset/", {"email": "p9@example.org"}, REMOTE_ADDR=OFFICE
    )
    assert_refused_for(response, "15 minutes", 900)


def test_behind_our_proxy_each_client_is_counted_by_its_own_address(
    client, world, settings, low_per_address_limits
):
    """With one trusted proxy, the client address is the last one in X-Forwarded-For,
    not the proxy's own (which everyone shares)."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    fail(client, 5, proxy, HTTP_X_FORWARDED_FOR=OFFICE)
    carer = world.a.users[Role.CARER]
    elsewhere = sign_in(client, carer.email, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert elsewhere.status_code == 302
    client.post("/accounts/logout/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    office = sign_in(client, carer.email, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=OFFICE)
    assert office.status_code == 429
    # And a trusted network is recognised by the client's address, not the proxy's.
    settings.RATE_LIMIT_TRUSTED_NETWORKS = ["203.0.113.0/24"]
    office = sign_in(client, carer.email, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=OFFICE)
    assert office.status_code == 302


def test_a_mistyped_trusted_network_stops_the_service_starting():
    import os
    import subprocess
    import sys

    env = {**os.environ, "RATE_LIMIT_TRUSTED_NETWORKS": "192.0.2.0/24,192.0.2.0/33"}
    result = subprocess.run(
        [sys.executable, "-c", "import epep.settings.test"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "192.0.2.0/33" in result.stderr
    env["RATE_LIMIT_TRUSTED_NETWORKS"] = "192.0.2.0/24, 2001:db8::/48"
    ok = subprocess.run([sys.executable, "-c", "import epep.settings.test"], env=env, check=False)
    assert ok.returncode == 0
