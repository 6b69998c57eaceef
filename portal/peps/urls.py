from django.urls import path

from . import views

urlpatterns = [
    path("children/<uuid:child_id>/peps/", views.pep_history, name="pep_history"),
    path("children/<uuid:child_id>/peps/new/", views.pep_start, name="pep_start"),
    path(
        "children/<uuid:child_id>/peps/sections/<slug:key>/",
        views.section_over_time,
        name="pep_section_over_time",
    ),
    path("peps/<uuid:pep_id>/", views.pep_detail, name="pep_detail"),
    path(
        "peps/<uuid:pep_id>/sections/<slug:key>/", views.pep_section_save, name="pep_section_save"
    ),
    path(
        "peps/<uuid:pep_id>/sections/<slug:key>/ask/",
        views.section_request_new,
        name="pep_section_request",
    ),
    path(
        "peps/<uuid:pep_id>/requests/<uuid:request_id>/withdraw/",
        views.section_request_withdraw,
        name="pep_section_request_withdraw",
    ),
    path(
        "peps/<uuid:pep_id>/sections/<slug:key>/not-obtained/",
        views.section_not_obtained,
        name="pep_section_not_obtained",
    ),
    path(
        "peps/<uuid:pep_id>/sections/<slug:key>/not-obtained/undo/",
        views.section_not_obtained_undo,
        name="pep_section_not_obtained_undo",
    ),
    path("peps/<uuid:pep_id>/move/", views.pep_move, name="pep_move"),
    path("peps/<uuid:pep_id>/form/", views.pep_variant, name="pep_variant"),
    path("peps/<uuid:pep_id>/targets/", views.target_add, name="pep_target_add"),
    path(
        "peps/<uuid:pep_id>/targets/<uuid:target_id>/delete/",
        views.target_delete,
        name="pep_target_delete",
    ),
    path(
        "peps/<uuid:pep_id>/reviews/<uuid:target_id>/",
        views.target_review,
        name="pep_target_review",
    ),
    path("peps/<uuid:pep_id>/actions/", views.action_add, name="pep_action_add"),
    path("peps/<uuid:pep_id>/attainment/", views.attainment_save, name="pep_attainment"),
    path("peps/<uuid:pep_id>/pdf/", views.pep_pdf, name="pep_pdf"),
]
