from django.urls import path

from . import views

app_name = "virtual_school"
urlpatterns = [path("", views.home, name="home")]
