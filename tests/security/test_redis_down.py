"""Redis unreachable: sign-in and password reset say plainly that the service is briefly
unavailable (503 with Retry-After), never an error page; `/healthz` reports each
dependency on its own and answers 503.

Each test starts its own throwaway `redis-server`, points the cache and the broker at it,
and kills it: the shared Redis the other tests use is never touched.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.test import Client, RequestFactory

from epep import health
from epep.tenancy.roles import Role

from ..accounts.helpers import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayRedis:
    def __init__(self, directory):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path, settings):
    """The cache and the broker on a Redis of this test's own; ``.kill()`` it to see the
    service without Redis."""
    if REDIS_SERVER is None:  # pragma: no cover
        pytest.fail("redis-server is not installed")
    server = ThrowawayRedis(tmp_path)
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
    settings.CELERY_BROKER_URL = server.url
    try:
        yield server
    finally:
        server.kill()


def assert_briefly_unavailable(response, what: str) -> None:
    page = response.content.decode()
    assert response.status_code == 503, what
    assert response["Retry-After"] == "120", what
    assert "Sorry, the service is unavailable" in page, what
    assert "Try again in 2 minutes." in page, what
    assert "Traceback" not in page and "Redis" not in page, what


def test_health_check_reports_each_dependency_and_is_ok_when_all_answer(client, own_redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"postgresql": "ok", "redis_cache": "ok", "redis_broker": "ok"},
    }


def test_health_check_answers_503_and_names_redis_when_it_is_down(client, own_redis):
    own_redis.kill()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {
        "status": "unavailable",
        "checks": {
            "postgresql": "ok",
            "redis_cache": "unavailable",
            "redis_broker": "unavailable",
        },
    }
    # Nothing about the servers, ports or errors leaks out.
    assert str(own_redis.port) not in response.content.decode()


def test_health_check_reports_the_broker_on_its_own(client, own_redis, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"] == {
        "postgresql": "ok",
        "redis_cache": "ok",
        "redis_broker": "unavailable",
    }


def test_liveness_check_answers_while_redis_is_down(client, own_redis):
    own_redis.kill()
    response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db(transaction=True)
def test_health_check_reports_postgresql_down(client, own_redis):
    default = connections["default"]
    real_port = default.settings_dict["PORT"]
    default.close()
    default.settings_dict["PORT"] = str(free_port())  # nothing listens there
    try:
        response = client.get("/healthz")
    finally:
        default.close()
        default.settings_dict["PORT"] = real_port
    assert response.status_code == 503
    assert json.loads(response.content)["checks"] == {
        "postgresql": "unavailable",
        "redis_cache": "ok",
        "redis_broker": "ok",
    }


@pytest.mark.parametrize("network", ["shared", "trusted"])
def test_signing_in_while_redis_is_down_says_the_service_is_briefly_unavailable(
    client, world, own_redis, settings, network
):
    if network == "trusted":  # no per-address counting: allauth's own limits need Redis
        settings.RATE_LIMIT_TRUSTED_NETWORKS = ["127.0.0.0/8"]
    sw = world.a.users[Role.SOCIAL_WORKER]
    assert client.get("/accounts/login/").status_code == 200
    own_redis.kill()

    # The page itself needs no Redis.
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "<form" in page.content.decode()

    # Signing in does (rate limits): refused plainly, not signed in, never a 500.
    response = client.post("/accounts/login/", {"login": sw.email, "password": PASSWORD})
    assert_briefly_unavailable(response, "sign-in")
    assert client.get("/caseload/")["Location"].startswith("/accounts/login/")

    response = client.post("/accounts/password/reset/", {"email": sw.email})
    assert_briefly_unavailable(response, "password reset")

    # The password reset page itself still shows.
    assert client.get("/accounts/password/reset/").status_code == 200


def test_a_two_step_code_is_not_accepted_without_redis(client, world, own_redis):
    """Used codes are remembered in Redis: without it a code could be replayed, so the
    code is refused (503), not accepted."""
    sw = world.a.users[Role.SOCIAL_WORKER]
    response = client.post("/accounts/login/", {"login": sw.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    own_redis.kill()
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert_briefly_unavailable(response, "two-step code")
    assert client.get("/caseload/")["Location"].startswith("/accounts/login/")


def test_pages_that_need_no_redis_keep_working_while_it_is_down(client, world, own_redis):
    own_redis.kill()
    client.force_login(world.a.users[Role.VS_HEAD])
    landing = client.get("/")
    assert landing.status_code == 302
    assert client.get(landing["Location"]).status_code == 200


def test_any_other_redis_failure_also_gets_the_503_page_not_a_500(world):
    """The 500 handler (errors outside views, e.g. in a middleware) recognises Redis
    being unreachable, and leaves every other error a 500."""
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    try:
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")
    except redis.ConnectionError:
        response = health.server_error(request)
    assert_briefly_unavailable(response, "500 handler")
    assert 'class="govuk-heading-l"' in response.content.decode()

    try:
        raise ValueError("a bug")
    except ValueError:
        response = health.server_error(request)
    assert response.status_code == 500


def test_the_503_page_is_plain_but_still_a_503_when_the_layout_cannot_be_drawn(world):
    request = RequestFactory().get("/")
    request.user = world.a.users[Role.CARER]  # signed in, but no session to time out
    assert_briefly_unavailable(health.service_unavailable(request), "plain 503 page")


def test_a_sign_in_post_with_redis_down_is_never_a_500_even_without_the_test_client_raising(
    world, own_redis
):
    client = Client(raise_request_exception=False)
    own_redis.kill()
    response = client.post(
        "/accounts/login/", {"login": world.a.users[Role.CARER].email, "password": PASSWORD}
    )
    assert_briefly_unavailable(response, "sign-in, uncaught path")
