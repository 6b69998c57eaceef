from django.urls import path

from . import views

app_name = "moves"
urlpatterns = [
    path("children/<uuid:child_id>/move-school/", views.school_search, name="school_search"),
    path(
        "children/<uuid:child_id>/move-school/<uuid:school_id>/",
        views.school_move,
        name="school_move",
    ),
    path(
        "children/<uuid:child_id>/move-placement/",
        views.placement_move,
        name="placement_move",
    ),
    path("children/<uuid:child_id>/change-worker/", views.worker_change, name="worker_change"),
    path("schools/add/", views.school_add, name="school_add"),
    path(
        "virtual-school/school-moves/",
        views.school_move_requests,
        name="school_move_requests",
    ),
    path(
        "virtual-school/school-moves/<uuid:request_id>/authorise/",
        views.school_move_authorise,
        name="school_move_authorise",
    ),
    path(
        "virtual-school/school-moves/<uuid:request_id>/decline/",
        views.school_move_decline,
        name="school_move_decline",
    ),
    path(
        "school-moves/<uuid:request_id>/withdraw/",
        views.school_move_withdraw,
        name="school_move_withdraw",
    ),
]
