from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal.views import healthz

admin.site.site_header = "ePEP administration"
admin.site.site_title = "ePEP administration"

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("portal.urls")),
]
