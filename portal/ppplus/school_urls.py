"""PP+ screens of the school (and the public policies page)."""

urlpatterns: list = []
