from django.contrib import admin
from django.urls import include, path

from epep import health
from epep.accounts.ratelimits import handler429  # noqa: F401 (allauth's 429 page)

# The admin has no password form of its own: signing in goes through allauth, with
# two-step sign-in and its rate limits (``epep.admin_site.EpepAdminSite.login``).

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("", include("epep.accounts.urls")),
    path("admin/", admin.site.urls),
    path("session/", include("epep.security.urls")),
    # Answered by epep.health.HealthCheckMiddleware; named here for reverse() and the
    # URL sweep.
    path("healthz", health.readiness, name="healthz"),
    path("healthz/live", health.liveness, name="liveness"),
    path("", include("portal.urls")),
]

# A request that needed Redis while it was unreachable: the 503 page, not a 500.
handler500 = health.server_error
