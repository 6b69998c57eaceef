from django.urls import path

from . import views

app_name = "my_voice"
urlpatterns = [
    path("", views.start, name="start"),
    path("children/<uuid:child_id>/", views.start, name="start_for_child"),
    path("<uuid:my_voice_id>/", views.overview, name="overview"),
    path("<uuid:my_voice_id>/questions/<int:number>/", views.answer, name="question"),
    path("<uuid:my_voice_id>/share/", views.share, name="share"),
    path("<uuid:my_voice_id>/shared/", views.shared, name="shared"),
    path("peps/<uuid:pep_id>/", views.pep_voice, name="pep"),
    path("peps/<uuid:pep_id>/answers/<uuid:answer_id>/", views.pep_answer, name="pep_answer"),
]
