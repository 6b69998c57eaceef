from django.urls import path

from . import views

app_name = "carer"
urlpatterns = [
    path("", views.home, name="home"),
    path("peps/<uuid:pep_id>/your-views/", views.carer_views, name="carer_views"),
]
