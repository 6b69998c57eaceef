"""Demo accounts' two-step sign-in: every demo account gets the same authenticator key, so
someone trying the demo can add it to any authenticator app once (or compute codes) and
sign in as any role. Only for `manage.py seed_demo`; real accounts set up their own.

The key goes through allauth's ``TOTP.activate``, so it is stored encrypted like any
other (``epep.accounts.mfa``), and each account's authenticators are read in that
account's context (``epep.accounts.context``)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from .context import account_context
from .models import User

#: A fixed, published key: demo data only.
DEMO_TOTP_SECRET = "EPEPDEMOEPEPDEMOEPEPDEMOEPEPDEMO"
DEMO_DOMAIN = "demo.epep.invalid"


def ensure_demo_mfa() -> int:
    """Give every demo account without two-step sign-in the demo key. Returns how many."""
    added = 0
    demo_users = User.objects.filter(email__endswith=f".{DEMO_DOMAIN}") | User.objects.filter(
        email=f"admin@{DEMO_DOMAIN}"
    )
    for user in demo_users.order_by("pk"):
        with account_context(user_id=user.pk):
            if not Authenticator.objects.filter(
                user_id=user.pk, type=Authenticator.Type.TOTP
            ).exists():
                TOTP.activate(user, DEMO_TOTP_SECRET)
                added += 1
    return added
