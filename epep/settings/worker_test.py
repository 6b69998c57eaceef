"""Settings for a real Celery worker started by a test (tests/notifications/test_worker.py).

The test passes, through the environment: DATABASE_URL (the application role on the test
database), REDIS_URL (the test broker), EPEP_TEST_EMAIL_DIR (where the file-based mail
backend writes each email, so the test can count them), EPEP_TEST_VISIBILITY_TIMEOUT (how
soon Redis redelivers an unacknowledged task) and EPEP_TEST_SEND_DELAY (a pause before
each send, so the test can kill the worker mid-send). Never used outside tests.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": env.str("EPEP_TEST_EMAIL_DIR")},
    }
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("EPEP_TEST_VISIBILITY_TIMEOUT", default=10),
    # Look for abandoned messages every second, not every 100 (kombu's defaults).
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
NOTIFICATIONS_TEST_SEND_DELAY = env.float("EPEP_TEST_SEND_DELAY", default=0)
# The clock of the test run that started this worker (`pytest --clock=...`), if set.
EPEP_TEST_CLOCK = env.str("EPEP_TEST_CLOCK", default="")
