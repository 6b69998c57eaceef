from django.urls import path

from . import annual_views

urlpatterns = [
    path("", annual_views.annual, name="annual"),
    path("<int:year>/report.pdf", annual_views.annual_pdf, name="annual_pdf"),
    path("<int:year>/evidence.pdf", annual_views.evidence_pdf, name="annual_evidence"),
    path(
        "<int:year>/commentary/<slug:section>/",
        annual_views.commentary_edit,
        name="annual_commentary",
    ),
]
