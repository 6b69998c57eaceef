"""The application's URLs and /bench/bare/ (benchmark settings only)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def bare(request):
    """An authenticated short page: the baseline the pages are compared with."""
    return HttpResponse("<!doctype html><title>bare – ePEP</title><p>ok</p>")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), path("", include("epep.urls"))]
