"""Development settings used by `make run`."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-only-not-a-secret")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
# Encrypts two-step sign-in secrets in the development database only; never use it
# anywhere else (production requires MFA_ENCRYPTION_KEYS: docs/operations.md).
os.environ.setdefault("MFA_ENCRYPTION_KEYS", "bG9jYWwtZGV2ZWxvcG1lbnQtb25seS1ub3Qtc2VjcmU=")

from .base import *  # noqa: E402,F403

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Serve static files straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
