from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = "School calendars"

    def ready(self) -> None:
        from . import hooks
        from .selectors import forget_years_without_terms

        # The "no term dates" warning of the Virtual School pages is worked out again.
        hooks.register(forget_years_without_terms)
