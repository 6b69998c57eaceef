from django.urls import path

from . import school_staff, views

app_name = "people"
urlpatterns = [
    path("", views.people_list, name="list"),
    path("invite/", views.invite, name="invite"),
    path(
        "children/<uuid:child_id>/invite/",
        views.invite_young_person,
        name="invite_young_person",
    ),
    path("invitations/", views.invitations, name="invitations"),
    path(
        "invitations/<uuid:invitation_id>/send-again/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<uuid:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("school-staff/", school_staff.school_staff, name="school_staff"),
    path(
        "school-staff/<uuid:endorsement_id>/allow/",
        school_staff.endorsement_allow,
        name="endorsement_allow",
    ),
    path(
        "school-staff/<uuid:endorsement_id>/decline/",
        school_staff.endorsement_decline,
        name="endorsement_decline",
    ),
    path(
        "school-staff/<uuid:endorsement_id>/withdraw/",
        school_staff.endorsement_withdraw,
        name="endorsement_withdraw",
    ),
    path("<uuid:person_id>/", views.person_detail, name="person"),
    path("<uuid:person_id>/deactivate/", views.person_deactivate, name="deactivate"),
    path("<uuid:person_id>/reactivate/", views.person_reactivate, name="reactivate"),
    path("<uuid:person_id>/remove/", views.person_remove, name="remove"),
    path(
        "<uuid:person_id>/reset-two-step-sign-in/",
        views.person_reset_mfa,
        name="reset_mfa",
    ),
]
