"""Whose sign-in records the current transaction may read: second factors and sessions.

``mfa_authenticator`` (allauth's TOTP secrets, recovery codes, security keys) and
``usersessions_usersession`` (one row per signed-in browser, with its session key) have
row-level security, enabled and forced, on the row's ``user_id``: a row is visible only
when it belongs to ``app.user_id`` (the signed-in person, set for every request by
``TenantContextMiddleware``) or to ``app.account_user_id``, set here. With neither, the
application role reads no rows at all, so no view, export or bug can list everyone's.

``app.account_user_id`` names the one person whose sign-in records are handled outside
their own signed-in request:

- the two-step stage of signing in, before ``request.user`` is that person
  (``epep.accounts.mfa.MFAAdapter.is_mfa_enabled``);
- the moment of signing in, when allauth records the new session
  (``epep.accounts.adapter.AccountAdapter.login``) and each request's activity
  (``UserSessionsMiddleware``);
- account administration: resetting someone's two-step sign-in, ending someone's sessions
  (``epep.accounts.services``, ``epep.security.services``).

Like ``epep.tenancy.context``, the setting is transaction-local (``set_config(..., true)``):
it never outlives the transaction and never leaks to the next request on a pooled
connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

SETTING = "app.account_user_id"


def own_records_clause(column: str = "user_id") -> str:
    """The row-level-security expression of these tables (migration accounts/0006)."""
    from epep.tenancy.rls import user_clause

    account = f"(SELECT nullif(current_setting('{SETTING}', true), '')::bigint)"
    return f"{user_clause(column)} OR {column} = {account}"


def set_account_context(*, user_id: int | None) -> None:
    """Let the rest of the current transaction read ``user_id``'s sign-in records (or no
    one's but the signed-in person's, with ``None``)."""
    if not connection.in_atomic_block:
        raise RuntimeError(
            "The account context lasts for one transaction: call this inside "
            "transaction.atomic() (or use account_context)."
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true)",
            [SETTING, "" if user_id is None else str(int(user_id))],
        )


def current_account_user_id() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [SETTING])
        (value,) = cursor.fetchone()
    return int(value) if value else None


@contextmanager
def account_context(*, user_id: int) -> Iterator[None]:
    """Run a block inside a transaction (or savepoint) that may read ``user_id``'s sign-in
    records; the previous account context is restored after."""
    with transaction.atomic():
        previous = current_account_user_id()
        set_account_context(user_id=user_id)
        yield
        set_account_context(user_id=previous)
