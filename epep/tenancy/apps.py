from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "epep.tenancy"
    label = "tenancy"
    verbose_name = "Local authorities and memberships"

    def ready(self) -> None:
        from . import signals  # noqa: F401
