"""The email outbox (a tenant table) and each person's email preference.

Every email ePEP sends about a deadline is first a row here; Celery only carries ids.
The row, not the broker, is the source of truth: the dispatcher queues what is due and
unsent, the delivery task sends under the row's lock and records ``sent_at`` in the same
transaction (see ``epep.notifications.tasks``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from epep.tenancy.models import TenantModel


class NotificationKind(models.TextChoices):
    REMINDER_10 = "reminder_10", "Reminder, 10 days before"
    REMINDER_5 = "reminder_5", "Reminder, 5 days before"
    REMINDER_1 = "reminder_1", "Reminder, 1 day before"
    ESCALATION_OFFICER = "escalation_officer", "Escalation to a Virtual School officer"
    ESCALATION_HEAD = "escalation_head", "Escalation to the Virtual School Head"
    DIGEST = "digest", "Daily digest"
    #: A PEP meeting invitation, change or cancellation: its own text and .ics attached,
    #: always sent at once (never held for a digest).
    MEETING = "meeting", "PEP meeting invitation"
    #: Someone finishing a PEP asks the carer or social worker to write a section.
    SECTION_REQUEST = "section_request", "Request to write a PEP section"
    OTHER = "other", "Other"


ESCALATION_KINDS = frozenset(
    {NotificationKind.ESCALATION_OFFICER, NotificationKind.ESCALATION_HEAD}
)


class Notification(TenantModel):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    #: The address for someone without an account (a meeting invitee added by email);
    #: empty: the recipient's own.
    email = models.EmailField(blank=True)
    #: Files sent with the email: ``[{"filename", "content" (text), "content_type",
    #: "params" (e.g. the .ics's METHOD)}]``.
    attachments = models.JSONField(default=list, blank=True)
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    # One row per reason, e.g. "deadline:<id>:reminder_5:<user id>": enqueueing again is
    # a no-op (unique index; INSERT ... ON CONFLICT DO NOTHING).
    dedupe_key = models.CharField(max_length=255, unique=True)
    is_escalation = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    # Delivery state. queued_at: last time the dispatcher put it on the broker;
    # sending_started_at: a worker committed that it is about to send (attempts counted
    # there); sent_at: the email was handed to the mail server, committed with the send.
    queued_at = models.DateTimeField(null=True, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A reminder held for a daily-digest person is delivered inside this digest row
    # (same authority); it is marked sent when the digest is.
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="notif_unsent_due_idx",
                condition=models.Q(sent_at__isnull=True),
            ),
            models.Index(fields=["local_authority", "recipient"], name="notif_la_recipient_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(email=""),
                name="notif_has_recipient_or_email",
            ),
        ]

    @property
    def address(self) -> str:
        return self.email or self.recipient.email

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id or self.email}: {self.subject}"


class NotificationPreference(models.Model):
    """How a person wants their reminders. Not a tenant row: it belongs to the person,
    whatever authorities they work for. Escalations ignore it (always sent at once)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    daily_digest = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {'daily digest' if self.daily_digest else 'each reminder'}"
