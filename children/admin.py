from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from epep.admin_site import RoleAdmin, RoleInline
from epep.audit.admin_mixins import AuditedAdminMixin

from . import hooks, permissions
from .models import Allocation, Child, ChildAccessGrant, Enrolment, Placement, School
from .selectors import children_for


@admin.register(School)
class SchoolAdmin(RoleAdmin):
    may_view = permissions.can_view_schools_in_admin
    may_add = permissions.can_edit_schools_in_admin
    may_change = permissions.can_edit_schools_in_admin
    list_display = ["name", "urn", "phase", "type", "la_code", "postcode"]
    list_filter = ["phase", "type"]
    search_fields = ["name", "urn", "postcode"]


class LabelledInlineFormSet(BaseInlineFormSet):
    """Every field of a table row gets an accessible name ("Start date, enrolment 2"):
    a tabular inline shows only the column heading, which is no label to a screen reader
    (or to axe: WCAG 1.3.1, 4.1.2)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        noun = self.model._meta.verbose_name
        row = f"{noun} {index + 1}" if index is not None else f"new {noun}"
        for name, field in form.fields.items():
            if not field.widget.is_hidden:
                label = field.label or name.replace("_", " ").capitalize()
                field.widget.attrs["aria-label"] = f"{label}, {row}"


class BoundedInline(RoleInline, admin.TabularInline):
    """A child's rows of one kind, at most ``MAX_ROWS`` in one save. Django otherwise
    believes the form count a browser posts (up to 2,000 rows for each inline), and a
    tampered count took seconds to build and check on every save. Whoever may change the
    child may add and change its rows (none are deleted here: they end with a date)."""

    may_view = permissions.can_manage_children_in_admin
    may_add = permissions.can_manage_children_in_admin
    may_change = permissions.can_manage_children_in_admin

    MAX_ROWS = 100
    extra = 0
    max_num = MAX_ROWS
    formset = LabelledInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.MAX_ROWS)
        return super().get_formset(request, obj, **kwargs)


class EnrolmentInline(BoundedInline):
    model = Enrolment
    fields = ["school", "start_date", "end_date"]
    raw_id_fields = ["school"]


class PlacementInline(BoundedInline):
    model = Placement
    fields = ["placement_type", "start_date", "end_date"]


class AllocationInline(BoundedInline):
    model = Allocation
    fields = ["kind", "worker", "start_date", "end_date"]
    raw_id_fields = ["worker"]


@admin.register(Child)
class ChildAdmin(AuditedAdminMixin, RoleAdmin):
    may_view = permissions.can_manage_children_in_admin
    may_add = permissions.can_manage_children_in_admin
    may_change = permissions.can_manage_children_in_admin
    list_display = [
        "legal_last_name",
        "legal_first_name",
        "local_authority",
        "date_of_birth",
        "upn",
    ]
    list_filter = [
        ("local_authority", admin.RelatedOnlyFieldListFilter),
        "sen_status",
        "is_uasc",
    ]
    search_fields = ["legal_last_name", "legal_first_name", "preferred_name", "upn"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    inlines = [EnrolmentInline, PlacementInline, AllocationInline]

    def get_queryset(self, request):
        return children_for(actor=getattr(request, "actor", None))

    def save_related(self, request, form, formsets, change):
        """The child and its enrolments, placements and allocations are saved: the
        deadlines and tasks follow at once, as through the services."""
        super().save_related(request, form, formsets, change)
        child = form.instance
        hooks.children_changed(child_ids=[child.pk], local_authority_id=child.local_authority_id)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        actor = getattr(request, "actor", None)
        if "local_authority" in form.base_fields and actor is not None:
            form.base_fields["local_authority"].queryset = form.base_fields[
                "local_authority"
            ].queryset.filter(pk__in=actor.authority_ids)
        return form


@admin.register(ChildAccessGrant)
class ChildAccessGrantAdmin(AuditedAdminMixin, RoleAdmin):
    may_view = permissions.can_manage_children_in_admin
    may_change = permissions.can_manage_children_in_admin
    list_display = ["content_object", "user", "granted_by", "expires_on", "revoked_at"]
    raw_id_fields = ["content_object", "user", "granted_by", "revoked_by", "school"]

    def get_queryset(self, request):
        visible = children_for(actor=getattr(request, "actor", None)).values("pk")
        return super().get_queryset(request).filter(content_object__in=visible)

    # No may_add: grants are given from the child's page, with their checks.
