from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("children/add/", views.child_add, name="child_add"),
    path("children/add/check/", views.child_add_check, name="child_add_check"),
    path("children/add/<uuid:child_id>/done/", views.child_added, name="child_added"),
    path("children/<uuid:child_id>/leave-care/", views.care_leave, name="care_leave"),
    path(
        "children/<uuid:child_id>/enter-care-again/",
        views.care_enter_again,
        name="care_enter_again",
    ),
    path("virtual-school/former-children/", views.former_children, name="former_children"),
]
