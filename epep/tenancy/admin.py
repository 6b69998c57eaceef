from django.contrib import admin

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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "local_authority", "school", "is_active"]
    list_filter = ["role", "local_authority", "is_active"]
    search_fields = ["user__email", "user__full_name", "school__name"]
    raw_id_fields = ["user", "school", "child"]
