"""Session limits and the security headers that every response carries.

``SecurityHeadersMiddleware`` goes near the top of MIDDLEWARE (it must see every
response, including early ones); ``SessionLimitsMiddleware`` goes right after
``django.contrib.auth.middleware.AuthenticationMiddleware``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.http import HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect

from . import services

# Browser features this service never uses.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware and CSP middleware do not add.

    - ``Cache-Control: no-store`` on every response that reaches Django's views: every
      page is either about children or the sign-in pages, and none may be kept by the
      browser or a proxy (static files are served before this, by WhiteNoise);
    - ``Permissions-Policy`` turning off device features;
    - ``Cross-Origin-Resource-Policy: same-origin``.

    HSTS, ``X-Content-Type-Options``, ``Referrer-Policy`` and
    ``Cross-Origin-Opener-Policy`` come from SecurityMiddleware (settings ``SECURE_*``),
    ``X-Frame-Options`` from XFrameOptionsMiddleware, and the Content-Security-Policy from
    ``django.middleware.csp.ContentSecurityPolicyMiddleware`` (``SECURE_CSP``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


def not_activity(view):
    """Mark a view as background polling: requesting it does not keep the session alive."""
    view.session_activity = False
    return view


# The first line is the banner's heading, the rest its text (templates/includes/messages.html).
SIGNED_OUT_MESSAGES = {
    services.IDLE: (
        "You were signed out because you had not done anything for {idle}.\n"
        "We do this to keep children's information safe. Any changes you had not saved "
        "have been lost. Sign in again to carry on."
    ),
    services.ABSOLUTE: (
        "You were signed out because you had been signed in for {absolute}.\n"
        "This is the longest you can stay signed in, to keep children's information safe. "
        "Any changes you had not saved have been lost. Sign in again to carry on."
    ),
    services.INACTIVE: "You were signed out because your account is no longer active.",
}


class SessionLimitsMiddleware:
    """End a signed-in session after ``SESSION_IDLE_TIMEOUT`` seconds without activity
    or ``SESSION_ABSOLUTE_TIMEOUT`` seconds after sign-in, and record activity.

    A request to an ended session signs the person out and sends them to the sign-in
    page with a message saying why: a redirect for a page, ``HX-Redirect`` for htmx, and
    a JSON 401 for the session-status endpoint's ``fetch``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if not user.is_active:
                reason = services.INACTIVE
            else:
                reason = services.session_times(request.session).ended_because
            if reason:
                return self.signed_out(request, reason)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated and getattr(view_func, "session_activity", True):
            services.activity_record(request.session)
        return None

    def signed_out(self, request, reason: str) -> HttpResponse:
        logout(request)
        login_url = resolve_url(settings.LOGIN_URL)
        if request.headers.get("HX-Request") == "true":
            response = HttpResponseClientRedirect(
                redirect_to_login(_htmx_next(request), login_url)["Location"]
            )
        elif "application/json" in request.headers.get("Accept", ""):
            response = JsonResponse({"signed_in": False, "sign_in_url": login_url}, status=401)
        else:
            next_url = request.get_full_path() if request.method == "GET" else request.path
            response = redirect_to_login(next_url, login_url)
        text = SIGNED_OUT_MESSAGES[reason].format(
            idle=services.describe_duration(services.idle_timeout()),
            absolute=services.describe_duration(services.absolute_timeout()),
        )
        # MessageMiddleware comes later in the chain and has not run for this request.
        storage = default_storage(request)
        storage.add(messages.INFO, text, extra_tags="signed-out")
        storage.update(response)
        return response


def _htmx_next(request) -> str:
    current = request.headers.get("HX-Current-URL", "")
    parts = urlsplit(current)
    if current and parts.netloc == request.get_host():
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path
