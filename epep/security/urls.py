from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("status", views.session_status, name="session_status"),
    path("extend", views.session_extend, name="session_extend"),
    path("sign-out-everywhere", views.sign_out_everywhere, name="sign_out_everywhere"),
]
