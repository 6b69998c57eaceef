"""Pupil Premium Plus screens: the school's side (requests in the PEP, impact, the public
policies page) and the Virtual School's (policy, budget, decisions, payment runs,
reports). Views call ``funding.services`` and read through ``funding.selectors``."""

from .school_urls import urlpatterns as school_urlpatterns
from .vs_urls import urlpatterns as virtual_school_urlpatterns

app_name = "ppplus"
urlpatterns = [*school_urlpatterns, *virtual_school_urlpatterns]
