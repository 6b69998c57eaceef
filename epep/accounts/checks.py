"""System checks for the accounts app."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security)
def mfa_encryption_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Two-step sign-in secrets cannot be stored or read without valid keys."""
    from .mfa import _fernets, encryption_keys

    try:
        _fernets(encryption_keys())
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="accounts.E001")]
    return []
