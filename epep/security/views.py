"""Session status (polled by static/js/session-timeout.js), "Stay signed in", and
"Sign out of all devices"."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from epep.audit.services import audit_record

from . import services
from .middleware import not_activity


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_GET
@not_activity
def session_status(request):
    """Seconds left before the idle limit and the absolute limit. Polling this does not
    count as activity."""
    return JsonResponse(services.session_times(request.session).as_json())


@require_POST
def session_extend(request):
    """ "Stay signed in": the last-activity time becomes now (the middleware may skip a
    write within seconds of the last one; this never does). Answers with the new times
    (``fetch``) or sends a form post back to the page it came from."""
    services.activity_record(request.session, force=True)
    if _wants_json(request):
        return JsonResponse(services.session_times(request.session).as_json())
    next_url = request.POST.get("next", "")
    # Only a path on this site (the page the form was on): anything else, including a
    # bare word that redirect() would try as a view name, goes home.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    return HttpResponseRedirect(next_url)


@require_http_methods(["GET", "POST"])
def sign_out_everywhere(request):
    """Sign out of every browser and device this person is signed in on, this one too."""
    if request.method == "GET":
        return render(
            request, "security/sign_out_everywhere.html", {"title": "Sign out of all devices"}
        )
    user = request.user
    actor = getattr(request, "actor", None)
    ended = services.sessions_end_for_user(user=user)
    audit_record(
        acting_user=user,
        role=getattr(actor, "role", None),
        action="sign_out_everywhere",
        object_type="user",
        object_id=str(user.pk),
        detail={"sessions_ended": ended},
    )
    logout(request)
    messages.success(request, "You have been signed out of ePEP on all your devices.")
    return redirect(settings.LOGIN_URL)
