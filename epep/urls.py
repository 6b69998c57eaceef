from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from portal.views import healthz

# The admin has no password form of its own: signing in goes through allauth, with
# two-step sign-in and its rate limits.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("", include("epep.accounts.urls")),
    path("admin/", admin.site.urls),
    path("session/", include("epep.security.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("portal.urls")),
]
