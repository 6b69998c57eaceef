from django.urls import path

from . import views

app_name = "authority_settings"
urlpatterns = [
    path("", views.index, name="index"),
    path("policy/", views.policy, name="policy"),
    path("<str:academic_year>/term-dates/", views.term_dates, name="term_dates"),
    path("<str:academic_year>/closures/add/", views.closure_add, name="closure_add"),
    path("closures/<uuid:closure_id>/remove/", views.closure_remove, name="closure_remove"),
    path(
        "<str:academic_year>/submission-dates/",
        views.submission_dates,
        name="submission_dates",
    ),
]
