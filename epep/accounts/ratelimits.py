"""Per-address (client IP) limits on signing in and password reset, and the refusal page.

allauth keeps the strict limits per account (the email address typed) and per signed-in
user (``ACCOUNT_RATE_LIMITS``: ``login_failed``, ``reset_password``, ...). The limits per
client IP address are applied here instead, under their own action names in the same
setting (``<action>_per_ip``), because a whole council building can share one address:

- they are sized for such a building (docs/decisions.md);
- they do not apply at all to addresses in ``RATE_LIMIT_TRUSTED_NETWORKS`` (known council
  ranges); the per-account limits still do.

The client address is allauth's (``get_adapter().get_client_ip``), so it follows
``ALLAUTH_TRUSTED_PROXY_COUNT`` / ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER`` behind a proxy.

Counting uses allauth's own public rate limiting (``allauth.core.ratelimit``) and cache.
A refusal is a 429 page that says when to try again, with ``Retry-After``.
"""

from __future__ import annotations

import ipaddress
import math
from functools import cache
from http import HTTPStatus

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from epep import health

PER_IP_SUFFIX = "_per_ip"

#: POSTs to these allauth pages count against ``<action>_per_ip``.
VIEW_ACTIONS = {
    "account_login": "login",
    "account_reset_password": "reset_password",
    "account_reset_password_from_key": "reset_password_from_key",
}

#: allauth's own 429s (per account or per user): which action's limits refused.
ALLAUTH_429_ACTIONS = {
    "account_reset_password": "reset_password",
    "account_reauthenticate": "reauthenticate",
    "mfa_reauthenticate": "reauthenticate",
    "account_change_password": "change_password",
    "account_set_password": "change_password",
}

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@cache
def _networks(
    values: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(value.strip()) for value in values if value.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"RATE_LIMIT_TRUSTED_NETWORKS: {error}") from error


def trusted_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return _networks(tuple(str(value) for value in settings.RATE_LIMIT_TRUSTED_NETWORKS))


def is_trusted(request: HttpRequest) -> bool:
    """Whether the client's address is in a network on the allow-list."""
    networks = trusted_networks()
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(get_adapter().get_client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in networks)


def _window_seconds(rate: str) -> float:
    """The period of one rate in allauth's syntax (``amount/period[/per]``), e.g.
    ``3/m/key`` → 60, ``200/15m/ip`` → 900."""
    period = rate.split("/")[1].strip()
    amount = period[:-1]
    return (float(amount) if amount else 1) * _UNITS[period[-1]]


def retry_after_seconds(action: str) -> int:
    """How long someone refused by ``action``'s limits waits at most: the longest period
    among its rates (every attempt counted in it has expired by then)."""
    rates = [r for r in (account_settings.RATE_LIMITS.get(action) or "").split(",") if r.strip()]
    if not rates:
        return 60
    return math.ceil(max(_window_seconds(rate) for rate in rates))


def in_words(seconds: int) -> str:
    """``60`` → "1 minute", ``900`` → "15 minutes", ``3600`` → "1 hour"."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def too_many_attempts(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    """The GOV.UK refusal page: status 429, ``Retry-After`` and the wait in words."""
    response = render(
        request,
        "429.html",
        {"title": "Too many attempts", "wait": in_words(retry_after)},
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(retry_after)
    return response


def handler429(request: HttpRequest) -> HttpResponse:
    """allauth's own refusals (its limits per account or per signed-in user) on the same
    page: allauth looks for ``handler429`` in the root URLconf."""
    match = getattr(request, "resolver_match", None)
    action = ALLAUTH_429_ACTIONS.get(match.url_name if match else "", "login_failed")
    return too_many_attempts(request, retry_after=retry_after_seconds(action))


def _consume(request: HttpRequest, action: str, *, dry_run: bool = False) -> bool:
    """Count one attempt against ``<action>_per_ip`` (or only look, with ``dry_run``).
    True when allowed; always True for a trusted network."""
    if is_trusted(request):
        return True
    return ratelimit.consume(request, action=action + PER_IP_SUFFIX, dry_run=dry_run)


def refusal(action: str, request: HttpRequest) -> HttpResponse:
    return too_many_attempts(request, retry_after=retry_after_seconds(action + PER_IP_SUFFIX))


def raise_if_too_many_failures(request: HttpRequest) -> None:
    """Before checking a password: refuse when this address has failed too often."""
    if not _consume(request, "login_failed", dry_run=True):
        raise ImmediateHttpResponse(refusal("login_failed", request))


def count_failure(request: HttpRequest) -> None:
    """After a wrong password (or unknown address): one more failure for this address."""
    _consume(request, "login_failed")


class PerAddressRateLimitMiddleware:
    """Counts POSTs to the sign-in and password reset pages per client address
    (``VIEW_ACTIONS``) and answers 429 past the limit. Goes after CSRF (refused forgeries
    are not counted) and allauth's AccountMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        action = VIEW_ACTIONS.get(request.resolver_match.url_name or "")
        if action is None:
            return None
        try:
            allowed = _consume(request, action)
        except health.UNAVAILABLE_ERRORS:
            # Not a view: ServiceUnavailableMiddleware would not see it.
            return health.service_unavailable(request)
        return None if allowed else refusal(action, request)
