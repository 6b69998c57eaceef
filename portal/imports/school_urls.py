from django.urls import path

from . import school_views

app_name = "data"
urlpatterns = [
    path("school-data/", school_views.school_data_upload, name="school_data_upload"),
    path("school-data/confirm/", school_views.school_data_confirm, name="school_data_confirm"),
    path("children.csv", school_views.children_data_csv, name="children_csv"),
]
