"""Delivery of the account-email outbox (``AccountEmail`` rows; see ``emails``).

``send_account_email`` works like the notifications outbox's ``send_notification`` (see
``epep.notifications.tasks`` for the reasoning): claim the row and count the attempt in
one short transaction, then send under the row's lock and record ``sent_at`` in a second
one, so a redelivery or a second queueing never sends twice; a worker that dies before
the mail server accepted the message leaves the row unsent for the next delivery. Once
sent, the text (it carries a secret link) is removed from the row.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import Q

from epep.notifications.tasks import DISPATCH_BATCH, MAX_ATTEMPTS, REQUEUE_AFTER
from epep.tenancy import clock
from epep.tenancy.jobs import job_context, no_authority_task

from .models import AccountEmail

logger = logging.getLogger(__name__)

SENT_BODY = "(sent; the text is not kept)"


def _message(row: AccountEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to],
        headers={"X-ePEP-Account-Email": row.dedupe_key},
    )
    if row.html_body:
        if row.body:
            message.attach_alternative(row.html_body, "text/html")
        else:
            message.body, message.content_subtype = row.html_body, "html"
    return message


@no_authority_task(
    name="epep.accounts.tasks.send_account_email",
    atomic=False,  # claim, then send: two transactions
    dont_autoretry_for=(AccountEmail.DoesNotExist,),
    max_retries=8,
    time_limit=90,
    soft_time_limit=60,
)
def send_account_email(account_email_id: int) -> str:
    """Send one account email at most once per database state. Returns "sent",
    "already sent" or "busy" (another worker is sending it)."""
    with job_context():
        row = (
            AccountEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=account_email_id)
            .first()
        )
        if row is None:
            if not AccountEmail.objects.filter(pk=account_email_id).exists():
                raise AccountEmail.DoesNotExist(f"No account email {account_email_id}")
            return "busy"
        if row.sent_at is not None:
            return "already sent"
        if row.sending_started_at is not None:
            logger.warning(
                "Account email %s: attempt %d was never recorded as sent; sending again",
                row.pk,
                row.attempts,
            )
        row.attempts += 1
        row.sending_started_at = clock.now()
        row.save(update_fields=["attempts", "sending_started_at"])

    try:
        with job_context():
            row = (
                AccountEmail.objects.select_for_update(skip_locked=True)
                .filter(pk=account_email_id)
                .first()
            )
            if row is None:
                return "busy"
            if row.sent_at is not None:
                return "already sent"
            mailers.default.send_messages([_message(row)])
            row.sent_at = clock.now()
            row.last_error = ""
            row.body, row.html_body = SENT_BODY, ""
            row.save(update_fields=["sent_at", "last_error", "body", "html_body"])
    except Exception as exc:
        with job_context():
            AccountEmail.objects.filter(pk=account_email_id, sent_at__isnull=True).update(
                last_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
        raise
    logger.info("Sent account email %s", account_email_id)
    return "sent"


@no_authority_task(
    name="epep.accounts.tasks.dispatch_account_emails",
    atomic=False,  # rows are marked queued (committed) before the broker is asked
    autoretry_for=(),  # beat runs it again within a minute
    time_limit=120,
    soft_time_limit=90,
)
def dispatch_account_emails() -> int:
    """Queue every unsent account email not queued recently (the doorbell after the
    commit was lost: broker down, a task that gave up). For Celery beat, every minute."""
    now = clock.now()
    with job_context():
        ids = list(
            AccountEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
            .select_for_update(skip_locked=True)
            .order_by("created_at", "id")
            .values_list("pk", flat=True)[:DISPATCH_BATCH]
        )
        AccountEmail.objects.filter(pk__in=ids).update(queued_at=now)
    failed = []
    for pk in ids:
        try:
            send_account_email.delay(pk)
        except Exception:
            logger.exception("Could not queue account email %s", pk)
            failed.append(pk)
    if failed:
        with job_context():
            AccountEmail.objects.filter(pk__in=failed, queued_at=now).update(queued_at=None)
    return len(ids) - len(failed)
