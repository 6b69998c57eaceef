"""Test settings: real PostgreSQL, created and migrated as the owner role.

tests/conftest.py then switches the connection to the application role (the one named in
DATABASE_URL), so every test runs under row-level security exactly as production does.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# A test-only key for two-step sign-in secrets (epep.accounts.mfa).
os.environ.setdefault("MFA_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWtleS1ub3QtYS1zZWNyZXQtMTIzNDU=")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

APP_DATABASE = env.db("DATABASE_URL")
DATABASES = {"default": env.db("DATABASE_OWNER_URL", default=os.environ["DATABASE_URL"])}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A test that waits on a row lock nobody will release (the test's transaction against
# the live server's thread, say) fails with an error after two minutes instead of hanging.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c lock_timeout=120000"
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_epep")}
DATABASE_APP_ROLE = APP_DATABASE["USER"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = False

# Serve static files straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The application's clock (epep.tenancy.clock), set for a whole run by `pytest --clock=...`
# through the environment (so Celery workers the tests start follow). Tests only.
EPEP_TEST_CLOCK = env.str("EPEP_TEST_CLOCK", default="")
