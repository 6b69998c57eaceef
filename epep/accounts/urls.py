from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("agreement/", views.agreement, name="agreement"),
    path("accounts/make-it-safer/", views.safer_sign_in, name="safer_sign_in"),
]
