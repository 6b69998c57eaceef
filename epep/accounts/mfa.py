"""Second factors at rest: TOTP secrets and recovery-code seeds are encrypted.

allauth keeps each person's authenticator-app secret (``data["secret"]`` of a ``totp``
authenticator) and the seed their recovery codes are derived from (``data["seed"]`` of a
``recovery_codes`` authenticator, plus ``data["migrated_codes"]`` if any) in
``mfa_authenticator``, and passes every one through the MFA adapter's ``encrypt`` and
``decrypt``. Ours uses Fernet (AES-128-CBC with HMAC-SHA256) with keys from the
environment: ``MFA_ENCRYPTION_KEYS``, comma-separated; the first encrypts, every one
decrypts. Rotation: put a new key first, keep the old ones after it, run
``manage.py rotate_mfa_keys``, then drop the old keys (docs/operations.md).

``decrypt`` accepts only a token made with one of the keys: a plain value written into the
table (by someone who can write to the database but has no key) is refused, not used.
Security keys' data (public keys and credential ids) is not secret and stays as it is.

The table itself is readable only in the person's own context (``epep.accounts.context``);
``user_has_second_factor`` and ``HasSecondFactor`` answer "has this person set up two-step
sign-in?" for account administration without reading anyone's secrets.
"""

from __future__ import annotations

import base64
import binascii
from functools import cache

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction

from .context import set_account_context

#: The authenticator types whose data holds secrets, and where.
SECRET_FIELDS = {"totp": ("secret",), "recovery_codes": ("seed",)}
#: Lists of secrets (recovery codes carried over from another library).
SECRET_LISTS = {"recovery_codes": ("migrated_codes",)}

#: The SECURITY DEFINER function (migration accounts/0006) behind user_has_second_factor.
HAS_SECOND_FACTOR_FUNCTION = "epep_user_has_second_factor"

_FERNET_VERSION = 0x80
_MIN_TOKEN_BYTES = 1 + 8 + 16 + 32  # version, timestamp, IV, HMAC (and no ciphertext)


class UndecryptableSecret(Exception):
    """A stored second factor cannot be decrypted with any key in MFA_ENCRYPTION_KEYS."""


def encryption_keys() -> tuple[str, ...]:
    keys = getattr(settings, "MFA_ENCRYPTION_KEYS", None) or ()
    if isinstance(keys, str):
        keys = keys.split(",")
    return tuple(k.strip() for k in keys if k and k.strip())


@cache
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEYS is not set. Generate a key with "
            '`python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"` (docs/operations.md).'
        )
    try:
        fernets = [Fernet(key.encode("ascii")) for key in keys]
    except (ValueError, binascii.Error, UnicodeEncodeError) as error:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes), "
            "separated by commas."
        ) from error
    return MultiFernet(fernets), fernets[0]


def _multi() -> MultiFernet:
    return _fernets(encryption_keys())[0]


def _primary() -> Fernet:
    return _fernets(encryption_keys())[1]


def looks_encrypted(value: str) -> bool:
    """Whether ``value`` has the shape of a Fernet token. Plain TOTP secrets (base32) and
    recovery seeds (hex) never do: a token starts with the version byte, ``gAAAAA``."""
    if not isinstance(value, str) or not value.startswith("gAAAAA"):
        return False
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        return False
    return len(raw) >= _MIN_TOKEN_BYTES and raw[0] == _FERNET_VERSION


def encrypt_secret(text: str) -> str:
    return _multi().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt_secret(token: str) -> str:
    if not looks_encrypted(token):
        raise UndecryptableSecret("A second factor is stored unencrypted: it is refused.")
    try:
        return _multi().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise UndecryptableSecret(
            "A second factor was encrypted with a key that is not in MFA_ENCRYPTION_KEYS."
        ) from error


def is_current(token: str) -> bool:
    """Whether ``token`` is encrypted with the first (current) key."""
    try:
        _primary().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def _transform(kind: str, data: dict, change) -> bool:
    """Apply ``change`` (value -> new value or None for "leave it") to every secret in an
    authenticator's ``data``, in place. Returns whether anything changed."""
    changed = False
    for field in SECRET_FIELDS.get(kind, ()):
        value = data.get(field)
        if isinstance(value, str) and (new := change(value)) is not None:
            data[field], changed = new, True
    for field in SECRET_LISTS.get(kind, ()):
        values = data.get(field)
        if isinstance(values, list):
            new_values = [change(v) if isinstance(v, str) else None for v in values]
            if any(v is not None for v in new_values):
                pairs = zip(new_values, values, strict=True)
                data[field] = [new if new is not None else old for new, old in pairs]
                changed = True
    return changed


def encrypt_plain_secrets(kind: str, data: dict) -> bool:
    """Encrypt, in place, every secret of an authenticator's ``data`` that is stored in
    the clear; leave encrypted ones as they are (so running twice changes nothing).
    Raises UndecryptableSecret for a token made with a key no longer configured, rather
    than encrypting it a second time."""

    def change(value: str) -> str | None:
        if looks_encrypted(value):
            decrypt_secret(value)  # a token of an unknown key raises here
            return None
        return encrypt_secret(value)

    return _transform(kind, data, change)


def reencrypt_secrets(kind: str, data: dict) -> bool:
    """Re-encrypt, in place, every secret of ``data`` not yet under the current key."""

    def change(value: str) -> str | None:
        if looks_encrypted(value) and is_current(value):
            return None
        return encrypt_secret(decrypt_secret(value))

    return _transform(kind, data, change)


def second_factors_reencrypt(*, user_id: int) -> int:
    """Re-encrypt one person's secrets with the current key, in one transaction and in
    their context. Returns how many authenticators were rewritten; raises
    UndecryptableSecret (changing nothing) if a secret decrypts with no configured key."""
    from allauth.mfa.models import Authenticator

    from .context import account_context

    changed = 0
    with account_context(user_id=user_id):
        for authenticator in Authenticator.objects.select_for_update().filter(
            user_id=user_id, type__in=list(SECRET_FIELDS)
        ):
            if reencrypt_secrets(authenticator.type, authenticator.data):
                authenticator.save(update_fields=["data"])
                changed += 1
    return changed


def user_has_second_factor(user_id: int) -> bool:
    """Whether the person has any two-step sign-in method, for account administration:
    answered by a database function, without making their authenticators readable."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {HAS_SECOND_FACTOR_FUNCTION}(%s)", [int(user_id)])
        return bool(cursor.fetchone()[0])


class HasSecondFactor(models.Func):
    """``HasSecondFactor("pk")``: the same question as an annotation over people."""

    function = HAS_SECOND_FACTOR_FUNCTION
    arity = 1
    output_field = models.BooleanField()


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)

    def is_mfa_enabled(self, user, types=None) -> bool:
        """allauth asks this before it reads anyone's authenticators: at the two-step
        stage of signing in (``request.user`` is not yet the person), on the two-step
        page, and for the signed-in person. The person's sign-in records become readable
        for the rest of the transaction (the request's); if there is no transaction to
        keep that in, only this answer sees them and later reads find nothing, which
        fails closed (no code is accepted)."""
        if user.is_anonymous:
            return False
        with transaction.atomic():
            set_account_context(user_id=user.pk)
            return super().is_mfa_enabled(user, types=types)
