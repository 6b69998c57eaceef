from django.contrib import admin

from epep.admin_site import RoleAdmin

from .models import Notification, NotificationPreference
from .permissions import can_view_outbox_in_admin


@admin.register(Notification)
class NotificationAdmin(RoleAdmin):
    """The outbox, read-only: rows that failed (``last_error``, many ``attempts``) or that
    started sending without being recorded as sent need a person's look."""

    list_display = [
        "created_at",
        "kind",
        "recipient",
        "local_authority",
        "due_at",
        "sent_at",
        "attempts",
        "is_escalation",
    ]
    may_view = can_view_outbox_in_admin
    list_filter = ["kind", "is_escalation", ("local_authority", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["dedupe_key", "recipient__email", "subject"]
    date_hierarchy = "created_at"
    raw_id_fields = ["recipient", "digest"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(RoleAdmin):
    may_view = can_view_outbox_in_admin
    list_display = ["user", "daily_digest", "updated_at"]
    raw_id_fields = ["user"]
