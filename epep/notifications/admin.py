from django.contrib import admin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
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
    list_filter = ["kind", "is_escalation", "local_authority"]
    search_fields = ["dedupe_key", "recipient__email", "subject"]
    date_hierarchy = "created_at"
    raw_id_fields = ["recipient", "digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "daily_digest", "updated_at"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
