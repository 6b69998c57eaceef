from django.urls import path

from . import views

app_name = "designated_teacher"
urlpatterns = [
    path("", views.home, name="home"),
    path("shared/", views.shared, name="shared"),
]
