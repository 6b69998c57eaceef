"""manage.py rotate_mfa_keys: re-encrypt every stored second factor with the current key.

Rotation (docs/operations.md): put the new key first in MFA_ENCRYPTION_KEYS, keep the old
ones after it, restart, run this, then remove the old keys. Runs as the application role;
each person's authenticators are read and rewritten in their own short transaction and
context (``epep.accounts.context``), so it can run while people sign in and can be run
again at any time (what is already under the current key is left alone).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from epep.accounts.mfa import UndecryptableSecret, second_factors_reencrypt
from epep.accounts.models import User


class Command(BaseCommand):
    help = (
        "Re-encrypt every TOTP secret and recovery-code seed with the first key of "
        "MFA_ENCRYPTION_KEYS. Lists the accounts whose secrets no configured key decrypts."
    )

    def handle(self, *args, **options) -> None:
        people = secrets = 0
        undecryptable: list[str] = []
        for user_id, email in User.objects.order_by("pk").values_list("pk", "email"):
            try:
                changed = second_factors_reencrypt(user_id=user_id)
            except UndecryptableSecret:
                undecryptable.append(email)
                continue
            if changed:
                people += 1
                secrets += changed
        self.stdout.write(
            f"Re-encrypted {secrets} two-step sign-in secret{'s' if secrets != 1 else ''} "
            f"of {people} {'person' if people == 1 else 'people'} with the current key."
        )
        if undecryptable:
            raise CommandError(
                "No key in MFA_ENCRYPTION_KEYS decrypts the two-step sign-in secrets of: "
                + ", ".join(undecryptable)
                + ". Put the key they were encrypted with back, or reset their two-step "
                "sign-in so they set it up again (docs/operations.md)."
            )
