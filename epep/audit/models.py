"""Append-only audit events: who viewed or changed what, when, in which role.

The application's database role may insert and read these rows but not update or delete
them (see ``epep.tenancy.signals``); row-level security limits reading to the actor's
authorities.
"""

import uuid

from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    user_email = models.CharField(max_length=254, blank=True)
    role = models.CharField(max_length=30, blank=True)
    local_authority = models.ForeignKey(
        "tenancy.LocalAuthority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=True,
    )
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    child_public_id = models.UUIDField(null=True, blank=True, db_index=True)
    request_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["child_public_id", "-occurred_at"], name="audit_child_time")
        ]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.user_email} {self.action} {self.object_type}"
        )


def new_request_id() -> str:
    return uuid.uuid4().hex
