from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.db import connection

from . import ratelimits
from .context import set_account_context
from .emails import account_email_enqueue_message


class AccountAdapter(DefaultAccountAdapter):
    """No self-registration: every account comes from an invitation. Failed sign-ins
    also count per client address (``ratelimits``), outside trusted networks."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (password reset, and any other) go through the account-email
        outbox (``epep.accounts.emails``) like every other email: rendered now, written
        in the request's transaction, sent by a task once it commits."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        account_email_enqueue_message(self.render_mail(template_prefix, email, ctx))

    def login(self, request, user) -> None:
        """After signing in, allauth records the new session (``usersessions``) in the
        same request, whose database context was set while nobody was signed in: let the
        rest of the request's transaction read the person's sign-in records
        (``epep.accounts.context``)."""
        super().login(request, user)
        if connection.in_atomic_block:
            set_account_context(user_id=user.pk)

    def pre_authenticate(self, request, **credentials) -> None:
        ratelimits.raise_if_too_many_failures(request)
        super().pre_authenticate(request, **credentials)

    def authenticate(self, request, **credentials):
        """Signing in also notes whether the password was long (the young person's rule:
        ``gate.young_person_sign_in_too_weak``)."""
        user = super().authenticate(request, **credentials)
        if user is not None:
            from . import gate

            gate.remember_password_length(request, credentials.get("password", ""))
        return user

    def authentication_failed(self, request, **credentials) -> None:
        ratelimits.count_failure(request)
        super().authentication_failed(request, **credentials)

    def validation_error(self, code, *args) -> ValidationError:
        if code == "too_many_login_attempts":
            # Refused by the per-account limits (allauth's ``login_failed``, also used
            # for two-step codes): say how long to wait at most.
            wait = ratelimits.in_words(ratelimits.retry_after_seconds("login_failed"))
            return ValidationError(
                f"Too many attempts to sign in. Wait {wait}, then try again", code=code
            )
        return super().validation_error(code, *args)
