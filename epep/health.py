"""Health checks for the load balancer, and what people see while Redis is unreachable.

- ``/healthz`` (readiness): PostgreSQL, the Redis cache and the Celery broker, each
  reported on its own as JSON; 200 only when all three answer, 503 otherwise. Failures
  are logged here, never described in the response.
- ``/healthz/live`` (liveness): the process answers; touches nothing.

Both are answered by ``HealthCheckMiddleware`` before sessions, authentication and the
request's database transaction, so a database that is down gives a 503 with the report,
not an error page.

The cache holds sign-in rate limits and used two-step codes. Without it, signing in can
be neither limited nor checked for a replayed code, so it is not allowed to "fail open":
a request that needs Redis while Redis is unreachable gets a plain 503 page ("briefly
unavailable, try again in N minutes") with ``Retry-After`` — from
``ServiceUnavailableMiddleware`` for errors in views, and from ``server_error`` (the
500 handler) for errors anywhere else.
"""

from __future__ import annotations

import logging
import sys
import uuid
from http import HTTPStatus

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.db import Error as DatabaseError
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

#: How long people are asked to wait (``Retry-After``) while Redis is unreachable.
RETRY_AFTER_SECONDS = 120

#: Errors that mean "Redis cannot be reached or cannot take writes just now", not a bug.
UNAVAILABLE_ERRORS = (
    redis.exceptions.ConnectionError,  # includes BusyLoadingError, AuthenticationError
    redis.exceptions.TimeoutError,
    redis.exceptions.ReadOnlyError,  # a replica during fail-over
    redis.exceptions.OutOfMemoryError,
    redis.exceptions.MasterDownError,
)

#: Short timeouts for the probes: a load balancer waits a few seconds at most.
PROBE_TIMEOUT_SECONDS = 2


def is_unavailable_error(error: BaseException | None) -> bool:
    return isinstance(error, UNAVAILABLE_ERRORS)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The GOV.UK 'briefly unavailable' page: 503 with ``Retry-After``."""
    minutes = RETRY_AFTER_SECONDS // 60
    try:
        response = render(
            request,
            "503.html",
            {"title": "Sorry, the service is unavailable", "retry_minutes": minutes},
            status=HTTPStatus.SERVICE_UNAVAILABLE,
        )
    except Exception:  # the full layout needs more of the request than may be there
        logger.exception("Could not render the 503 page; answering the plain version")
        response = HttpResponse(
            '<!DOCTYPE html><html lang="en-GB"><title>Sorry, the service is unavailable'
            "</title><h1>Sorry, the service is unavailable</h1>"
            f"<p>ePEP is briefly unavailable. Try again in {minutes} minutes.</p></html>",
            status=HTTPStatus.SERVICE_UNAVAILABLE,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ServiceUnavailableMiddleware:
    """A view that needed Redis while it was unreachable answers the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_unavailable_error(exception):
            return None
        logger.warning(
            "Redis unavailable during %s %s: %r", request.method, request.path, exception
        )
        return service_unavailable(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the 503 page when the error was Redis being unreachable (raised
    outside a view, e.g. in a middleware); Django's 500 page otherwise."""
    if is_unavailable_error(sys.exc_info()[1]):
        return service_unavailable(request)
    return defaults.server_error(request)


# ---------------------------------------------------------------- health checks


def _check_postgresql() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    # A write and a read: a Redis that answers but refuses writes (read-only replica,
    # out of memory) cannot hold rate limits either.
    cache = caches["default"]
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was written")
    cache.delete(key)


_broker_clients: dict[str, redis.Redis] = {}


def _check_broker() -> None:
    url = settings.CELERY_BROKER_URL
    client = _broker_clients.get(url)
    if client is None:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
            socket_timeout=PROBE_TIMEOUT_SECONDS,
        )
        _broker_clients[url] = client
    client.ping()


CHECKS = {
    "postgresql": _check_postgresql,
    "redis_cache": _check_cache,
    "redis_broker": _check_broker,
}


@login_not_required
@require_safe
@never_cache
@xframe_options_deny
def readiness(request: HttpRequest) -> JsonResponse:
    """``/healthz``: ``{"status": "ok", "checks": {"postgresql": "ok", ...}}``."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except (*UNAVAILABLE_ERRORS, DatabaseError, RuntimeError, OSError) as error:
            logger.warning("Health check %s failed: %r", name, error)
            results[name] = "unavailable"
        else:
            results[name] = "ok"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE,
    )


@login_not_required
@require_safe
@never_cache
@xframe_options_deny
def liveness(request: HttpRequest) -> HttpResponse:
    """``/healthz/live``: the web process is up. Checks no dependency."""
    return HttpResponse("ok", content_type="text/plain")


PROBES = {"/healthz": readiness, "/healthz/live": liveness}


class HealthCheckMiddleware:
    """Answers ``PROBES`` (GET and HEAD) before sessions, authentication and the
    request's transaction. Goes after the security-header and request-id middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)
