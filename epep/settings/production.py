"""Production settings: no defaults for secrets; HTTPS everywhere."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# No default: two-step sign-in secrets cannot be stored without a key (epep.accounts.mfa).
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The load balancer probes the health checks over plain HTTP (epep.health).
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live)?$"]
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
_EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
if _EMAIL_BACKEND.endswith("GovukNotifyEmailBackend"):
    # GOV.UK Notify: one template with ((subject)) and ((body)).
    _EMAIL_OPTIONS = {
        "api_key": env.str("NOTIFY_API_KEY"),
        "template_id": env.str("NOTIFY_TEMPLATE_ID"),
    }
else:
    _EMAIL_OPTIONS = {
        "host": env.str("EMAIL_HOST", default="localhost"),
        "port": env.int("EMAIL_PORT", default=587),
        "username": env.str("EMAIL_HOST_USER", default=""),
        "password": env.str("EMAIL_HOST_PASSWORD", default=""),
        "use_tls": env.bool("EMAIL_USE_TLS", default=True),
    }
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
