from django.contrib import admin

from epep.admin_site import RoleAdmin

from . import hooks, permissions
from .models import LocalAuthority, Membership


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(RoleAdmin):
    may_view = permissions.can_view_authorities_in_admin
    may_add = permissions.can_add_authorities_in_admin
    may_change = permissions.can_change_authorities_in_admin

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

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        actor = getattr(request, "actor", None)
        if permissions.is_platform_operator(actor):
            return queryset
        return queryset.filter(pk__in=actor.authority_ids if actor is not None else ())

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            # A portal form opened before this change is refused rather than overwriting it.
            obj.policy_version += 1
        super().save_model(request, obj, form, change)
        if change and hooks.POLICY_FIELDS & set(form.changed_data):
            # The deadlines follow the new policy at once, in this transaction.
            hooks.authority_policy_changed(local_authority_id=obj.pk)


@admin.register(Membership)
class MembershipAdmin(RoleAdmin):
    may_view = permissions.can_manage_memberships_in_admin
    may_add = permissions.can_manage_memberships_in_admin
    may_change = permissions.can_manage_memberships_in_admin
    list_display = ["user", "role", "local_authority", "school", "is_active"]
    list_filter = ["role", ("local_authority", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["user__email", "user__full_name", "school__name"]
    raw_id_fields = ["user", "school", "child"]

    def get_queryset(self, request):
        actor = getattr(request, "actor", None)
        ids = actor.authority_ids if actor is not None else ()
        return super().get_queryset(request).filter(local_authority_id__in=ids)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "local_authority":
            actor = getattr(request, "actor", None)
            ids = actor.authority_ids if actor is not None else ()
            kwargs["queryset"] = LocalAuthority.objects.filter(pk__in=ids).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
