"""Data in and out (``/data/``, namespace ``data``): the SSDA903 extract, a school's
attendance and attainment, the council's children data."""

from . import school_urls, ssda903_urls

app_name = "data"
urlpatterns = [*school_urls.urlpatterns, *ssda903_urls.urlpatterns]
