from django.contrib import admin

from . import hooks
from .models import LocalAuthority, Membership


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "virtual_school_name",
        "first_pep_limit",
        "first_pep_unit",
        "review_cadence",
        "max_targets_per_term",
    ]
    search_fields = ["name", "code"]
    fieldsets = [
        (None, {"fields": ["name", "code", "virtual_school_name"]}),
        (
            "PEP policy",
            {
                "fields": [
                    "first_pep_limit",
                    "first_pep_unit",
                    "review_cadence",
                    "max_targets_per_term",
                    "finalising_needs_second_person",
                ]
            },
        ),
        ("School moves", {"fields": ["in_year_transfers_need_authorisation"]}),
    ]

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            # A portal form opened before this change is refused rather than overwriting it.
            obj.policy_version += 1
        super().save_model(request, obj, form, change)
        if change and hooks.POLICY_FIELDS & set(form.changed_data):
            # The deadlines follow the new policy at once, in this transaction.
            hooks.authority_policy_changed(local_authority_id=obj.pk)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "local_authority", "school", "is_active"]
    list_filter = ["role", "local_authority", "is_active"]
    search_fields = ["user__email", "user__full_name", "school__name"]
    raw_id_fields = ["user", "school", "child"]
