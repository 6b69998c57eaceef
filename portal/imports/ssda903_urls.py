from django.urls import path

from . import ssda903_views

urlpatterns = [
    path("ssda903/", ssda903_views.ssda903_upload, name="ssda903_upload"),
    path("ssda903/confirm/", ssda903_views.ssda903_confirm, name="ssda903_confirm"),
    path("ssda903/jobs/<str:job_id>/", ssda903_views.ssda903_job, name="ssda903_job"),
]
