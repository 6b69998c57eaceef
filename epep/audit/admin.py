from django.contrib import admin

from epep.admin_site import RoleAdmin
from epep.tenancy.permissions import is_platform_operator

from .models import AuditEvent
from .permissions import can_read_audit_in_admin


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdmin):
    """Read-only. Someone acting for an authority reads that authority's events; ePEP
    support reads what row-level security shows them."""

    may_view = can_read_audit_in_admin
    list_display = ["occurred_at", "user_email", "role", "action", "object_type", "object_id"]
    list_filter = ["action", "role", ("local_authority", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user_email", "object_id", "request_id"]
    date_hierarchy = "occurred_at"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        actor = getattr(request, "actor", None)
        if is_platform_operator(actor):
            return queryset
        return queryset.filter(local_authority_id__in=actor.authority_ids if actor else ())
