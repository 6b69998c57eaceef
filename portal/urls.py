from django.urls import include, path

from . import accessibility, views
from .people import team
from .virtual_school import access_log

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("no-role/", views.no_role, name="no_role"),
    path("role/", views.switch_role, name="switch_role"),
    path("children/<uuid:child_id>/", views.child_detail, name="child_detail"),
    path(
        "children/<uuid:child_id>/access/grant/",
        views.child_access_grant,
        name="child_access_grant",
    ),
    path(
        "children/<uuid:child_id>/access/share/",
        views.child_access_delegate,
        name="child_access_delegate",
    ),
    path(
        "children/<uuid:child_id>/access/<uuid:grant_id>/withdraw/",
        views.child_access_revoke,
        name="child_access_revoke",
    ),
    path(
        "children/<uuid:child_id>/access-log/",
        access_log.child_access_log_page,
        name="child_access_log",
    ),
    path(
        "children/<uuid:child_id>/access-log.csv",
        access_log.child_access_log_csv,
        name="child_access_log_csv",
    ),
    path("virtual-school/reports/", include("portal.reports.urls")),
    path("virtual-school/settings/", include("portal.authority_settings.urls")),
    path("virtual-school/", include("portal.virtual_school.urls")),
    path("caseload/", include("portal.caseload.urls")),
    path("designated-teacher/", include("portal.designated_teacher.urls")),
    path("carer/", include("portal.carer.urls")),
    path("my/", include("portal.young_person.urls")),
    path("my-voice/", include("portal.my_voice.urls")),
    path("accessibility/", accessibility.accessibility_statement, name="accessibility"),
    path(
        "people/<uuid:person_id>/roles/<int:membership_id>/team/",
        team.membership_team,
        name="people_team",
    ),
    path("people/", include("portal.people.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("", include("portal.peps.urls")),
    path("", include("portal.attachments.urls")),
    path("", include("portal.meetings.urls")),
    path("", include("portal.care.urls")),
    path("", include("portal.moves.urls")),
    path("", include("portal.ppplus.urls")),
    path("data/", include("portal.imports.urls")),
]
