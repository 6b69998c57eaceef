"""Sessions end after 30 minutes without activity and 12 hours after signing in; the
status endpoint (polled by the timeout warning) does not count as activity; "Stay signed
in" does; the cookie is HttpOnly, SameSite=Lax and lasts only as long as the browser."""

import time

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from epep.security import services
from epep.tenancy.roles import Role

pytestmark = pytest.mark.django_db

IDLE = settings.SESSION_IDLE_TIMEOUT
ABSOLUTE = settings.SESSION_ABSOLUTE_TIMEOUT
STATUS = "/session/status"
EXTEND = "/session/extend"
LOGIN = "/accounts/login/"


@pytest.fixture
def carer(world):
    return world.a.users[Role.CARER]


@pytest.fixture
def signed_in(client, carer):
    client.force_login(carer)
    return client


def set_times(client, *, idle_for: float = 0, signed_in_for: float | None = None) -> None:
    now = time.time()
    session = client.session
    session[services.LAST_ACTIVITY_AT] = now - idle_for
    session[services.SIGNED_IN_AT] = now - (idle_for if signed_in_for is None else signed_in_for)
    session.save()


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_settings():
    assert IDLE == 30 * 60
    assert ABSOLUTE == 12 * 60 * 60
    assert settings.SESSION_TIMEOUT_WARNING == 2 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    middleware = settings.MIDDLEWARE
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert middleware[auth + 1] == "epep.security.middleware.SessionLimitsMiddleware"


def test_signing_in_records_when(signed_in):
    session = signed_in.session
    assert abs(session[services.SIGNED_IN_AT] - time.time()) < 5
    assert session[services.LAST_ACTIVITY_AT] == session[services.SIGNED_IN_AT]


def test_the_session_cookie_is_httponly_lax_and_ends_with_the_browser(signed_in):
    set_times(signed_in, idle_for=60)  # so this request saves the session
    response = signed_in.get("/carer/")
    assert response.status_code == 200
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_activity_within_the_idle_limit_keeps_the_session(signed_in):
    set_times(signed_in, idle_for=IDLE - 60)
    assert signed_in.get("/carer/").status_code == 200
    assert is_signed_in(signed_in)
    assert time.time() - signed_in.session[services.LAST_ACTIVITY_AT] < 5


def test_after_30_minutes_idle_the_person_is_signed_out_and_told_why(signed_in):
    set_times(signed_in, idle_for=IDLE + 1)
    response = signed_in.get("/carer/?page=2")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/carer/%3Fpage%3D2"
    assert not is_signed_in(signed_in)
    page = signed_in.get(response["Location"]).content.decode()
    assert "You were signed out because you had not done anything for 30 minutes." in page
    assert "Any changes you had not saved have been lost." in page


def test_a_form_posted_after_the_idle_limit_is_not_processed(signed_in, world):
    set_times(signed_in, idle_for=IDLE + 1)
    response = signed_in.post("/role/", {"role": "vs_head"})
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/role/"
    assert not is_signed_in(signed_in)


def test_after_12_hours_the_person_is_signed_out_whatever_the_activity(signed_in):
    set_times(signed_in, idle_for=0, signed_in_for=ABSOLUTE + 1)
    response = signed_in.get("/carer/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not is_signed_in(signed_in)
    page = signed_in.get(response["Location"]).content.decode()
    assert "You were signed out because you had been signed in for 12 hours." in page


def test_stay_signed_in_cannot_pass_the_12_hour_limit(signed_in):
    set_times(signed_in, idle_for=0, signed_in_for=ABSOLUTE - 60)
    status = signed_in.post(EXTEND, headers={"accept": "application/json"}).json()
    assert status["extendable"] is False
    assert 55 <= status["seconds_left"] <= 60


def test_htmx_requests_after_the_limit_get_a_client_redirect(signed_in):
    set_times(signed_in, idle_for=IDLE + 1)
    response = signed_in.get(
        "/carer/",
        headers={"hx-request": "true", "hx-current-url": "http://testserver/carer/?q=x"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{LOGIN}?next=/carer/%3Fq%3Dx"
    assert not is_signed_in(signed_in)


def test_status_reports_the_time_left_and_does_not_count_as_activity(signed_in):
    set_times(signed_in, idle_for=600, signed_in_for=3600)
    before = signed_in.session[services.LAST_ACTIVITY_AT]
    response = signed_in.get(STATUS)
    assert response.status_code == 200
    status = response.json()
    assert status["signed_in"] is True
    assert IDLE - 600 - 5 <= status["idle_seconds_left"] <= IDLE - 600
    assert ABSOLUTE - 3600 - 5 <= status["absolute_seconds_left"] <= ABSOLUTE - 3600
    assert status["seconds_left"] == status["idle_seconds_left"]
    assert status["extendable"] is True
    assert signed_in.session[services.LAST_ACTIVITY_AT] == before
    # Polling alone never keeps a session alive.
    set_times(signed_in, idle_for=IDLE + 1)
    response = signed_in.get(STATUS, headers={"accept": "application/json"})
    assert response.status_code == 401
    assert response.json() == {"signed_in": False, "sign_in_url": LOGIN}
    assert not is_signed_in(signed_in)


def test_a_page_view_counts_as_activity(signed_in):
    set_times(signed_in, idle_for=600)
    signed_in.get("/carer/")
    assert signed_in.get(STATUS).json()["idle_seconds_left"] >= IDLE - 5


def test_stay_signed_in_refreshes_activity(signed_in):
    set_times(signed_in, idle_for=IDLE - 90)
    response = signed_in.post(EXTEND, headers={"accept": "application/json"})
    assert response.status_code == 200
    assert response.json()["idle_seconds_left"] >= IDLE - 5
    assert time.time() - signed_in.session[services.LAST_ACTIVITY_AT] < 5


def test_stay_signed_in_works_without_javascript(signed_in):
    set_times(signed_in, idle_for=IDLE - 90)
    response = signed_in.post(EXTEND, {"next": "/carer/?tab=2"})
    assert response.status_code == 302
    assert response["Location"] == "/carer/?tab=2"
    assert signed_in.get(STATUS).json()["idle_seconds_left"] >= IDLE - 5


@pytest.mark.parametrize(
    "unsafe",
    ["https://evil.example/", "//evil.example/", "javascript:x", "NaN", "home", "a\x00b", ""],
)
def test_stay_signed_in_never_redirects_off_site_or_anywhere_but_a_path(signed_in, unsafe):
    response = signed_in.post(EXTEND, {"next": unsafe})
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_stay_signed_in_needs_the_csrf_token_and_a_post(carer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(carer)
    assert client.post(EXTEND, headers={"accept": "application/json"}).status_code == 403
    assert client.get(EXTEND).status_code == 405


def test_the_endpoints_refuse_anonymous_people(client):
    for url in (STATUS, EXTEND):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302
            assert response["Location"].startswith(LOGIN)


@override_settings(SESSION_IDLE_TIMEOUT=300, SESSION_TIMEOUT_WARNING=60)
def test_the_limits_come_from_settings_and_the_page_says_so(signed_in):
    page = signed_in.get("/carer/").content.decode()
    assert "you will be signed out after 5 minutes without activity" in page
    assert 'data-warning-seconds="60"' in page
    set_times(signed_in, idle_for=301)
    response = signed_in.get("/carer/", follow=True)
    assert "had not done anything for 5 minutes" in response.content.decode()


def test_the_warning_is_only_on_pages_for_signed_in_people(client, carer):
    assert b"session-timeout-dialog" not in client.get(LOGIN).content
    client.force_login(carer)
    page = client.get("/carer/").content.decode()
    assert '<dialog class="epep-timeout-dialog"' in page
    assert 'aria-labelledby="session-timeout-title"' in page
    assert "Stay signed in" in page


def test_describe_duration():
    assert services.describe_duration(1800) == "30 minutes"
    assert services.describe_duration(43200) == "12 hours"
    assert services.describe_duration(90) == "1 minute 30 seconds"
    assert services.describe_duration(1) == "1 second"


def test_stay_signed_in_resets_the_clock_even_moments_after_a_page_view(signed_in):
    set_times(signed_in, idle_for=20)  # within the write interval of 30 seconds
    assert signed_in.get("/carer/").status_code == 200
    assert signed_in.get(STATUS).json()["idle_seconds_left"] <= IDLE - 20
    status = signed_in.post(EXTEND, headers={"accept": "application/json"}).json()
    assert status["idle_seconds_left"] >= IDLE - 2
