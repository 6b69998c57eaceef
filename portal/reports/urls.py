from django.urls import include, path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("children/", views.children, name="children"),
    path("annual/", include("portal.reports.annual_urls")),
    path("<slug:key>/", views.section_page, name="section"),
    path("<slug:key>.csv", views.section_csv, name="section_csv"),
    path("<slug:key>.xlsx", views.section_xlsx, name="section_xlsx"),
]
