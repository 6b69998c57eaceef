from django.urls import path

from . import views

urlpatterns = [
    path("peps/<uuid:pep_id>/meetings/new/", views.meeting_schedule, name="meeting_schedule"),
    path(
        "peps/<uuid:pep_id>/meetings/<uuid:meeting_id>/",
        views.meeting_detail,
        name="meeting_detail",
    ),
    path(
        "peps/<uuid:pep_id>/meetings/<uuid:meeting_id>/change/",
        views.meeting_change,
        name="meeting_change",
    ),
    path(
        "peps/<uuid:pep_id>/meetings/<uuid:meeting_id>/cancel/",
        views.meeting_cancel,
        name="meeting_cancel",
    ),
    path(
        "peps/<uuid:pep_id>/meetings/<uuid:meeting_id>/record/",
        views.meeting_record,
        name="meeting_record",
    ),
    path(
        "peps/<uuid:pep_id>/meetings/<uuid:meeting_id>/pep-meeting.ics",
        views.meeting_ics_download,
        name="meeting_ics",
    ),
]
