"""The account gate: before any child's data, a professional must have two-step sign-in
set up, and everyone must have accepted their role's current user agreement."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from . import gate

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
    """The gate asks the cache (``epep.accounts.gate``), not the database, on each page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            actor = getattr(request, "actor", None)
            if gate.mfa_required(user, actor) and not gate.mfa_enabled(user):
                messages.info(
                    request,
                    "Set up two-step sign-in before you continue. You need it to see "
                    "children's records.",
                )
                return redirect("mfa_index")
            if gate.young_person_sign_in_too_weak(request, actor):
                return redirect("accounts:safer_sign_in")
            if gate.agreements_outstanding(actor):
                return redirect(
                    reverse("accounts:agreement")
                    + "?"
                    + urlencode({"next": request.get_full_path()})
                )
        return self.get_response(request)


#: The session key under which the last recorded activity is kept: (session key, time).
TRACKED_SESSION_KEY = "_usersession_tracked"


class UserSessionsMiddleware:
    """Records the signed-in browser's session, address and browser in
    ``usersessions_usersession`` (allauth's usersessions: the list of signed-in sessions
    and "sign out everywhere"), at most once every ``USERSESSIONS_ACTIVITY_INTERVAL``
    seconds per session, not on every request as allauth's own middleware does.

    The time of the last record is kept in the session itself, with its key (a new key
    after signing in is recorded at once). A record runs in a short transaction of its
    own that may read the person's own session records: the table has row-level security
    (``epep.accounts.context``), and this runs before the request's transaction opens.
    Keeping it out of that transaction also means the row is not locked for the whole
    request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None:
            self.track(request, user, session)
        return self.get_response(request)

    @staticmethod
    def track(request, user, session) -> None:
        from allauth.usersessions.internal import usersessionkit

        from .context import account_context

        key = session.session_key
        if not key:
            return
        now = time.time()
        tracked = session.get(TRACKED_SESSION_KEY)
        interval = settings.USERSESSIONS_ACTIVITY_INTERVAL
        if tracked and tracked[0] == key and now - tracked[1] < interval:
            return
        with account_context(user_id=user.pk):
            usersessionkit.track_activity(request, user=user, session=session)
        session[TRACKED_SESSION_KEY] = (key, now)
