from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = "PEP deadlines and in-tray tasks"

    def ready(self) -> None:
        from calendars import hooks as calendar_hooks
        from children import hooks as children_hooks
        from epep.tenancy import hooks as authority_hooks

        from .services import (
            deadlines_refresh,
            deadlines_refresh_all,
            deadlines_refresh_school_staff,
        )

        # A child's records changed: their deadlines and tasks follow at once.
        children_hooks.register(deadlines_refresh)
        # An authority's policy or calendar changed: every child of it, at once.
        authority_hooks.register(deadlines_refresh_all)
        calendar_hooks.register(deadlines_refresh_all)
        # The school staff an authority lets see its children changed: its children there.
        authority_hooks.register_school_staff(deadlines_refresh_school_staff)
