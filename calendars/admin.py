"""School calendars in the admin: terms, closures (INSET days, polling days) and the
termly PEP submission dates.

Virtual School staff edit their own authority's calendar (``calendars.permissions``);
platform superusers edit every authority's, inside an all-authorities database context
(term dates are not personal data). Every change leaves an audit event, as elsewhere in
the admin. Validation is the models' own (``full_clean``): overlapping terms, a term
outside its academic year and a closure on a day that is not a school day are shown as
form errors, never as a server error. A saved or deleted row tells the apps built on the
calendar (``calendars.hooks.calendar_changed``): the authority's deadlines are worked out
again at once, in the same transaction, not at the nightly refresh.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError

from epep.admin_site import RoleAdmin
from epep.audit.admin_mixins import AuditedAdminMixin
from epep.tenancy.context import all_authorities_context
from epep.tenancy.models import LocalAuthority

from .hooks import calendar_changed
from .models import SchoolClosure, SchoolTerm, SubmissionDate
from .permissions import calendar_authority_ids, can_edit_calendar, can_keep_calendars_in_admin


def _calendars_changed(authority_ids) -> None:
    """Terms, closures or submission dates changed: the apps built on the calendar follow
    at once (every open deadline of the authority's children is worked out again)."""
    for authority_id in sorted(a for a in authority_ids if a is not None):
        calendar_changed(local_authority_id=int(authority_id))


def _authority_ids(request) -> frozenset[int]:
    return calendar_authority_ids(getattr(request, "actor", None))


class AuthorityCalendarAdmin(AuditedAdminMixin, RoleAdmin):
    """Scoped to the acting user's authorities (superusers: all), audited."""

    may_view = can_keep_calendars_in_admin
    may_add = can_keep_calendars_in_admin
    may_change = can_keep_calendars_in_admin
    may_delete = can_keep_calendars_in_admin

    list_select_related = ["local_authority"]

    # -- scope ------------------------------------------------------------------------------

    def _in_scope(self, request, obj) -> bool:
        return can_edit_calendar(
            getattr(request, "actor", None),
            obj.local_authority_id,
            is_superuser=request.user.is_superuser,
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("local_authority")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(local_authority_id__in=_authority_ids(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "local_authority":
            authorities = LocalAuthority.objects.order_by("name")
            if not request.user.is_superuser:
                authorities = authorities.filter(pk__in=_authority_ids(request))
            kwargs["queryset"] = authorities
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        ids = _authority_ids(request)
        if len(ids) == 1 and "local_authority" not in initial:
            initial["local_authority"] = next(iter(ids))
        return initial

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._in_scope(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._in_scope(request, obj))

    def save_model(self, request, obj, form, change):
        if not self._in_scope(request, obj):
            raise PermissionDenied("You can change only your own authority's calendar.")
        super().save_model(request, obj, form, change)
        _calendars_changed({obj.local_authority_id, form.initial.get("local_authority")})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _calendars_changed({obj.local_authority_id})

    def delete_queryset(self, request, queryset):
        """ "Delete selected" is audited one by one, like a single delete."""
        authorities = set()
        for obj in queryset:
            if not self._in_scope(request, obj):
                raise PermissionDenied("You can change only your own authority's calendar.")
            self._audit(request, "delete", obj)
            authorities.add(obj.local_authority_id)
        super().delete_queryset(request, queryset)
        _calendars_changed(authorities)

    # -- platform superusers: every authority's rows ----------------------------------------

    def _run(self, request, view, *args, **kwargs):
        """Run an admin view; for a superuser inside an all-authorities context, rendering
        the response there too (row-level security would otherwise hide the rows)."""
        if not request.user.is_superuser:
            return view(request, *args, **kwargs)
        with all_authorities_context(user_id=request.user.pk):
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)) and not response.is_rendered:
                response = response.render()
        return response

    def changelist_view(self, request, extra_context=None):
        return self._run(request, super().changelist_view, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        return self._run(request, super().add_view, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._run(request, super().change_view, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._run(request, super().delete_view, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        return self._run(request, super().history_view, object_id, extra_context)


class IdCheckingAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget looks up the chosen value as it is typed when it
    shows the form again, so a value that is not an id (``abc``) was a server error
    instead of the field's "Select a valid choice" message. Values that are no id are
    left out of that look-up."""

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field.model._meta.pk
        ids = []
        for item in value:
            try:
                target.to_python(item)
            except ValidationError:
                continue
            ids.append(item)
        return super().optgroups(name, ids, attr)


@admin.register(SchoolTerm)
class SchoolTermAdmin(AuthorityCalendarAdmin):
    list_display = ["name", "academic_year", "start_date", "end_date", "local_authority"]
    list_filter = ["academic_year", ("local_authority", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "academic_year"]
    ordering = ["local_authority__name", "start_date"]
    fields = ["local_authority", "academic_year", "name", "start_date", "end_date", "source"]


@admin.register(SchoolClosure)
class SchoolClosureAdmin(AuthorityCalendarAdmin):
    list_display = ["date", "reason", "school_label", "local_authority"]
    list_filter = [("local_authority", admin.RelatedOnlyFieldListFilter), "reason"]
    search_fields = ["reason", "school__name", "school__urn"]
    ordering = ["local_authority__name", "date"]
    fields = ["local_authority", "school", "date", "reason"]
    autocomplete_fields = ["school"]
    list_select_related = ["local_authority", "school"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "school":
            kwargs["widget"] = IdCheckingAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="School", ordering="school__name")
    def school_label(self, obj):
        return obj.school.name if obj.school_id else "All schools"


@admin.register(SubmissionDate)
class SubmissionDateAdmin(AuthorityCalendarAdmin):
    list_display = ["date", "term", "academic_year", "local_authority"]
    list_filter = ["academic_year", ("local_authority", admin.RelatedOnlyFieldListFilter)]
    ordering = ["local_authority__name", "date"]
    fields = ["local_authority", "academic_year", "term", "date"]
