"""Demo accounts' two-step sign-in: every demo account gets the same authenticator key, so
someone trying the demo can add it to any authenticator app once (or compute codes) and
sign in as any role. Only for `manage.py seed_demo`; real accounts set up their own."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from .models import User

#: A fixed, published key: demo data only.
DEMO_TOTP_SECRET = "EPEPDEMOEPEPDEMOEPEPDEMOEPEPDEMO"
DEMO_DOMAIN = "demo.epep.invalid"


def ensure_demo_mfa() -> int:
    """Give every demo account without two-step sign-in the demo key. Returns how many."""
    have = set(
        Authenticator.objects.filter(type=Authenticator.Type.TOTP).values_list("user_id", flat=True)
    )
    added = 0
    for user in User.objects.filter(email__endswith=f".{DEMO_DOMAIN}").exclude(pk__in=have):
        TOTP.activate(user, DEMO_TOTP_SECRET)
        added += 1
    admin = User.objects.filter(email=f"admin@{DEMO_DOMAIN}").exclude(pk__in=have).first()
    if admin is not None:
        TOTP.activate(admin, DEMO_TOTP_SECRET)
        added += 1
    return added
