"""Documents on a child's record (and their PEPs). Included into the ``portal`` namespace
without a namespace of its own, so the names are ``portal:attachment_*``."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "children/<uuid:child_id>/documents/new/",
        views.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "documents/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "documents/<uuid:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]
