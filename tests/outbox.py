"""Deliver the email outboxes now, in the test: what the Celery worker would do.

Emails are rows first (``epep.notifications`` for reminders and meeting invitations,
``epep.accounts`` for account emails) and a task sends them; tests that read
``django.core.mail.outbox`` call :func:`deliver_outbox` first. It runs the real delivery
tasks synchronously, so a test also checks that each email is sent exactly once.
"""

from __future__ import annotations

from epep.accounts.models import AccountEmail
from epep.accounts.tasks import send_account_email
from epep.notifications import services as notification_services
from epep.notifications.tasks import send_notification
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context


def deliver_outbox() -> int:
    """Send every email due now that is not yet sent; returns how many were sent."""
    with all_authorities_context():
        due = list(
            notification_services.to_send_individually(clock.now())
            .order_by("due_at", "id")
            .values_list("pk", "local_authority_id")
        )
    sent = 0
    for pk, local_authority_id in due:
        sent += send_notification(pk, local_authority_id) == "sent"
    account_emails = AccountEmail.objects.filter(sent_at__isnull=True).order_by("created_at", "id")
    for pk in list(account_emails.values_list("pk", flat=True)):
        sent += send_account_email(pk) == "sent"
    return sent
