"""Benchmark settings (`make bench`): the production settings, on loopback, against the
synthetic dataset's own database (demo/synthetic), with one extra view: /bench/bare/, an
authenticated short page that pages are measured against."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
# Encrypts the bench users' two-step sign-in secrets in the benchmark database only.
os.environ.setdefault("MFA_ENCRYPTION_KEYS", "YmVuY2gtb25seS1rZXktbm90LWEtc2VjcmV0LTEyMzQ=")

from .production import *  # noqa: E402,F403

ROOT_URLCONF = "demo.bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Static files come from the finders (no collectstatic): WhiteNoise's warning about the
# missing STATIC_ROOT says nothing here.
import warnings  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
