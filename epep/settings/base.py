"""Settings shared by every environment. Everything variable comes from the environment."""

import ipaddress
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env.str("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "epep.admin_site.EpepAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "guardian",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "epep.accounts",
    "epep.tenancy",
    "epep.audit",
    "epep.security",
    "epep.notifications",
    "children",
    "calendars",
    "peps",
    "meetings",
    "deadlines",
    "quality",
    "voice",
    "funding",
    "reports",
    "imports",
    "portal",
    "demo",
]

# Works out who is acting (person, role, authorities, schools) and sets the database
# context; the domain owns the rules, the tenancy middleware and acting_as() call it.
EPEP_ACTOR_RESOLVER = "children.permissions.resolve_actor"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files need neither), before everything that can answer
    # early, so every page and error response gets them.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "epep.security.middleware.SecurityHeadersMiddleware",
    "epep.audit.middleware.RequestIdMiddleware",
    # /healthz and /healthz/live, before sessions, authentication and the transaction.
    "epep.health.HealthCheckMiddleware",
    # A view that needs Redis while it is unreachable answers 503 (epep.health).
    "epep.health.ServiceUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "epep.security.middleware.SessionLimitsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Sign-in and password reset POSTs per client address (epep.accounts.ratelimits).
    "epep.accounts.ratelimits.PerAddressRateLimitMiddleware",
    # allauth's usersessions middleware, in its own transaction with the person's context
    # (the sessions table has row-level security: epep.accounts.context).
    "epep.accounts.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "epep.tenancy.middleware.TenantContextMiddleware",
    "epep.accounts.middleware.AccountGateMiddleware",
]

ROOT_URLCONF = "epep.urls"
WSGI_APPLICATION = "epep.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "epep.tenancy.context_processors.actor",
                "portal.authority_settings.context_processors.authority_settings",
            ],
        },
    },
]

# The runtime connection is the application role: it owns no tables and is subject to
# row-level security. Migrations run with DATABASE_URL set to the owner's connection
# (DATABASE_OWNER_URL); see docs/architecture.md.
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The role granted DML on every table after each migrate (see epep.tenancy.signals).
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="epep_app")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # allauth's backend signs in by email and refuses inactive accounts.
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"

# Passwords follow NCSC advice: long, no composition rules, no expiry, common and
# guessable words refused (epep.accounts.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "epep.accounts.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "epep.accounts.passwords.ProductWordsValidator"},
]

# django-allauth: no self-registration (accounts come from invitations), email sign-in,
# identical answers for known and unknown addresses, failures slowed then blocked.
ACCOUNT_ADAPTER = "epep.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_PASSWORD_INPUT_RENDER_VALUE = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_RATE_LIMITS = {
    # Per account (the address typed) or per signed-in user: strict.
    # 3 failures for one account within a minute: wait a minute (slowed);
    # 6 within 15 minutes: blocked for the rest of the 15 minutes.
    "login_failed": "3/m/key,6/15m/key",
    "reset_password": "3/15m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    # Per client IP address: a whole council building (about 2,000 staff) may share one,
    # so these are sized for its 9 am peak (docs/decisions.md). allauth's own per-IP
    # limits are off ("login" and "reset_password_from_key" have nothing else);
    # epep.accounts.ratelimits applies these "<action>_per_ip" ones instead, except to
    # RATE_LIMIT_TRUSTED_NETWORKS.
    "login": "",
    "reset_password_from_key": "",
    "login_failed_per_ip": "200/15m/ip",
    "login_per_ip": "2000/15m/ip",
    "reset_password_per_ip": "100/15m/ip",
    "reset_password_from_key_per_ip": "100/15m/ip",
}
# Known council networks (comma-separated CIDRs, e.g. "192.0.2.0/24,2001:db8::/48"): no
# per-IP limits there; the per-account limits still apply. Checked at start-up.
RATE_LIMIT_TRUSTED_NETWORKS = env.list("RATE_LIMIT_TRUSTED_NETWORKS", default=[])
for _network in RATE_LIMIT_TRUSTED_NETWORKS:
    ipaddress.ip_network(_network.strip())
# The client's address behind our own proxies / load balancer (allauth): how many proxies
# we run that append to X-Forwarded-For, or a header a trusted proxy sets (e.g.
# "X-Real-IP"). Without either, REMOTE_ADDR is used: behind a proxy that is the proxy's
# own address, shared by everyone.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default=None)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "ePEP: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="https")
# TOTP secrets and recovery codes are encrypted at rest (epep.accounts.mfa) with Fernet
# keys from the environment: comma-separated, the first encrypts, all decrypt (rotation:
# docs/operations.md). Required in production.
MFA_ADAPTER = "epep.accounts.mfa.MFAAdapter"
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[])
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "ePEP"
# Addresses are proved by the invitation link, not by allauth's email verification (which
# ePEP does not use): without this, asking for a password reset would leave an unverified
# address that blocks setting up two-step sign-in.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=False)
USERSESSIONS_TRACK_ACTIVITY = True
# A signed-in session's activity (address, browser, last seen) is recorded at most this
# often, in seconds (epep.accounts.middleware.UserSessionsMiddleware): not a write per page.
USERSESSIONS_ACTIVITY_INTERVAL = env.int("USERSESSIONS_ACTIVITY_INTERVAL", default=5 * 60)

# The cache holds sign-in rate limits and used TOTP codes: it must be shared by every
# web process, so it is Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str(
            "CACHE_URL", default=env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
        ),
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="epep"),
        # Fail fast when Redis is unreachable (epep.health answers 503), never hang.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Uploaded documents live outside the web root and are only served through views
# that apply the access rules.
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / ".local" / "media")
# Documents attached to children and PEPs (peps.attachments): one directory per authority
# under ATTACHMENT_ROOT, random names, files 0600; no URL serves MEDIA_ROOT, so these are
# reached only through the portal's document views (portal.attachments).
# ATTACHMENT_MAX_BYTES is the largest document accepted.
ATTACHMENT_ROOT = env.path("ATTACHMENT_ROOT", default=Path(MEDIA_ROOT) / "attachments")
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Finalised PEPs' PDFs, archived once at finalisation (peps.tasks) and served only through
# peps.pdf.pep_pdf_for_download: <root>/<authority id>/<PEP public id>.pdf. Never under
# STATIC_ROOT. The web processes and the Celery workers must share it.
PEP_PDF_ROOT = env.path("PEP_PDF_ROOT", default=str(Path(str(MEDIA_ROOT)) / "pep-pdfs"))

# Email: Django 6.1 mailers. SMTP in production (settings from the environment); the
# console in development; memory in tests. GOV.UK Notify can be plugged in as a backend.
MAILERS = {
    "default": {
        "BACKEND": env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {},
    }
}
# The address people reach the service on, for links in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ePEP <no-reply@epep.invalid>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Pages read the CSRF token from <meta name="csrf-token">, never from the cookie.
CSRF_COOKIE_HTTPONLY = True

# Session limits (epep.security.middleware.SessionLimitsMiddleware), in seconds: signed
# out after 30 minutes without activity (a warning with "Stay signed in" comes 2 minutes
# before: WCAG 2.2.1), and 12 hours after signing in whatever the activity.
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_TIMEOUT_WARNING = 2 * 60
# The cookie goes when the browser closes; the stored session outlives no sign-in.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

# Security headers. SecurityMiddleware: nosniff, Referrer-Policy, Cross-Origin-Opener-
# Policy (HSTS in production.py); XFrameOptionsMiddleware: DENY; Content-Security-Policy
# from Django's CSP middleware: no inline script or style, no eval, nothing from other
# origins. epep.security.middleware.SecurityHeadersMiddleware adds Cache-Control: no-store.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A task whose worker died (SIGKILL, lost machine) stays unacknowledged in Redis and is
# handed out again after this many seconds (kombu's default is an hour). It must exceed
# every task's hard time limit plus its longest retry countdown, or a task still running
# (or waiting for its countdown) would be handed out twice: tests/test_celery_redelivery.py.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    # A finalised PEP whose PDF could not be queued (broker down) is picked up again.
    "queue-missing-pep-pdfs": {
        "task": "peps.tasks.queue_missing_pep_pdfs",
        "schedule": 15 * 60,
    },
    # The email outbox (epep.notifications): queue due, unsent emails every minute; one
    # email a day for people who chose the daily digest, at 07:00 UK time (CELERY_TIMEZONE).
    "dispatch-due-notifications": {
        "task": "epep.notifications.tasks.dispatch_due_notifications",
        "schedule": 60,
    },
    # Account emails (invitations, password resets) whose delivery was never queued.
    "dispatch-account-emails": {
        "task": "epep.accounts.tasks.dispatch_account_emails",
        "schedule": 60,
    },
    # Reminders and escalations for PEP deadlines (deadlines.reminders), through the outbox.
    "deadline-reminders": {
        "task": "deadlines.tasks.sweep_all_reminders",
        "schedule": 15 * 60,
    },
    # Deadlines and in-tray tasks move on with the date (deadlines.tasks): nightly, the
    # children the day can have changed (every other change is worked out as it is made)...
    "refresh-deadlines-nightly": {
        "task": "deadlines.tasks.refresh_all_deadlines",
        "schedule": crontab(hour=2, minute=30),
    },
    # ...and on Sunday nights every child's inputs compared with what they were worked out
    # from, in case something changed them behind the services' backs.
    "check-deadlines-weekly": {
        "task": "deadlines.tasks.refresh_all_deadlines",
        "schedule": crontab(hour=3, minute=30, day_of_week=0),
        "kwargs": {"changed_only": False},
    },
    # Authorities with newly placed children are asked about the school staff there.
    "request-school-role-endorsements": {
        "task": "epep.tenancy.tasks.request_school_role_endorsements",
        "schedule": crontab(hour=2, minute=15),
    },
    "send-daily-digests": {
        "task": "epep.notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # The policy's fixed termly PP+ for PEPs approved with a grade that releases it.
    "release-termly-ppplus": {
        "task": "funding.tasks.release_all_termly_ppplus",
        "schedule": crontab(hour=3, minute=0),
    },
    # PP+ allocated but not spent: the Virtual School Head is warned in the first week of
    # February and of March (the job decides the days; the outbox sends each once).
    "warn-unspent-ppplus": {
        "task": "funding.tasks.warn_all_unspent_ppplus",
        "schedule": crontab(hour=7, minute=30),
    },
    # Uploaded SSDA903 files a preview left behind, a day after upload (imports.ssda903).
    "discard-old-import-uploads": {
        "task": "imports.tasks.discard_old_uploads",
        "schedule": crontab(hour=4, minute=0),
    },
}

# Schools from Get Information About Schools (imports.gias): nightly at 01:30 from the file
# a scheduled download leaves at EPEP_GIAS_FILE (the DfE's edubasealldata CSV as
# published); off unless that is set.
EPEP_GIAS_FILE = env.str("EPEP_GIAS_FILE", default="")
if EPEP_GIAS_FILE:
    CELERY_BEAT_SCHEDULE["import-gias-nightly"] = {
        "task": "imports.tasks.import_gias_nightly",
        "schedule": crontab(hour=1, minute=30),
    }

# django-guardian: object grants live on direct-foreign-key tables (children.ChildAccessGrant);
# no anonymous user row.
GUARDIAN_ANONYMOUS_USER_NAME = None
GUARDIAN_USER_OBJ_PERMS_MODEL = "children.ChildAccessGrant"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step at INFO; keep its warnings (refused URLs, fonts).
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# guardian's permission backend is deliberately not installed: it would answer
# user.has_perm("children.view_child", child) without looking at a grant's expiry,
# revocation or school. children.permissions is the one mechanism that decides access.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
