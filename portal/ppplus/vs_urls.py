"""PP+ screens of the Virtual School."""

urlpatterns: list = []
