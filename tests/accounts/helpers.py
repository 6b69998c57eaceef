import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.usersessions.models import UserSession

from epep.accounts.context import account_context

from ..factories import TOTP_SECRET

PASSWORD = "correct horse battery staple"


def totp_code(secret: str = TOTP_SECRET, at: float | None = None) -> str:
    return format_hotp_value(hotp_value(secret, int((at or time.time()) // 30)))


def sign_in(client, email: str, password: str = PASSWORD, secret: str | None = TOTP_SECRET):
    """Sign in through the real allauth flow: password, then the two-step code."""
    response = client.post("/accounts/login/", {"login": email, "password": password})
    if secret is not None and response.status_code == 302 and "2fa" in response["Location"]:
        response = client.post(response["Location"], {"code": totp_code(secret)})
    return response


def authenticators_of(user) -> list[Authenticator]:
    """A person's two-step sign-in methods, read in their own account context: with none,
    the table shows no rows (epep.accounts.context)."""
    with account_context(user_id=user.pk):
        return list(Authenticator.objects.filter(user_id=user.pk).order_by("type", "pk"))


def user_sessions_of(user) -> list[UserSession]:
    """A person's signed-in sessions (allauth usersessions), read in their own context."""
    with account_context(user_id=user.pk):
        return list(UserSession.objects.filter(user_id=user.pk))
