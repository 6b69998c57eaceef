from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = "Children, schools and placements"

    def ready(self) -> None:
        from epep.accounts import hooks

        from .account_hooks import carer_link_placement, grants_withdraw_for_removed_person

        hooks.register(hooks.invited_role_granted, carer_link_placement)
        hooks.register(hooks.removed_from_authority, grants_withdraw_for_removed_person)
