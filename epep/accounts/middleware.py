"""The account gate: before any child's data, a professional must have two-step sign-in
set up, and everyone must have accepted their role's current user agreement."""

from urllib.parse import urlencode

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .services import agreements_outstanding, mfa_required

#: Paths a signed-in person can reach before passing the gate: sign-in and account pages
#: (two-step set-up, password, sign-out), the agreement, session keep-alive, assets.
OPEN_PREFIXES = (
    "/accounts/",
    "/agreement/",
    "/invitations/",
    "/session/",
    "/static/",
    "/healthz",
)


class AccountGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            if mfa_required(user) and not is_mfa_enabled(user):
                messages.info(
                    request,
                    "Set up two-step sign-in before you continue. You need it to see "
                    "children's records.",
                )
                return redirect("mfa_index")
            if agreements_outstanding(getattr(request, "actor", None)):
                return redirect(
                    reverse("accounts:agreement")
                    + "?"
                    + urlencode({"next": request.get_full_path()})
                )
        return self.get_response(request)


class UserSessionsMiddleware:
    """allauth's ``UserSessionsMiddleware`` (which records each signed-in request's
    session, address and browser in ``usersessions_usersession``), in a short transaction
    of its own that may read the person's own session records: the table has row-level
    security (``epep.accounts.context``), and this runs before the request's transaction
    opens. Keeping it out of that transaction also means the row is not locked for the
    whole request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from allauth.usersessions.internal import usersessionkit

        from .context import account_context

        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None:
            with account_context(user_id=user.pk):
                usersessionkit.track_activity(request, user=user, session=session)
        return self.get_response(request)
