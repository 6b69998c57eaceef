"""PP+ screens of the school (and the public policies page)."""

from django.urls import path

from . import school_views

urlpatterns: list = [
    path("peps/<uuid:pep_id>/pupil-premium-plus/", school_views.pep_lines, name="pep_lines"),
    path(
        "peps/<uuid:pep_id>/pupil-premium-plus/new/",
        school_views.line_request,
        name="line_request",
    ),
    path(
        "pupil-premium-plus/<uuid:line_id>/impact/",
        school_views.line_impact,
        name="line_impact",
    ),
    path("pupil-premium-plus/policies/", school_views.policies, name="policies"),
]
