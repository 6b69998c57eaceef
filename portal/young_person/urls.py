from django.urls import path

from . import views

app_name = "young_person"
urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.ask_for_help, name="help"),
]
