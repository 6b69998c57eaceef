from django.urls import path

from . import views

app_name = "carer"
urlpatterns = [path("", views.home, name="home")]
