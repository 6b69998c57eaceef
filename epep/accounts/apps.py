from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "epep.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import checks, gate, signals  # noqa: F401
