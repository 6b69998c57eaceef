"""Delivery of the email outbox (``Notification`` rows).

Exactly once, as far as the database can tell
---------------------------------------------
``send_notification`` works in two short transactions in the row's authority:

1. *claim*: lock the row (``FOR UPDATE SKIP LOCKED``), stop if it is sent, count the
   attempt and stamp ``sending_started_at``; commit (so the attempt is visible even if
   the worker then dies).
2. *send*: lock the row again, stop if it is sent (or locked: another worker is sending
   it right now), hand the email to the mail server, set ``sent_at``; commit.

The lock is held across the SMTP call and ``sent_at`` commits in the same transaction,
so two workers (a redelivery by the broker, a second queueing by the dispatcher) can
never both send: the second skips the locked row or sees ``sent_at``. A worker that dies
before the mail server accepted the message rolls its transaction back (PostgreSQL ends
the transaction when the connection drops): the row is unsent and the next delivery
sends it once.

The one remaining at-least-once window is between the mail server accepting the message
and the COMMIT of ``sent_at`` (milliseconds: a crash, a lost database connection). A
retry then finds ``sending_started_at`` set without ``sent_at`` and sends again, logging
a warning. We chose a possible duplicate over a possible loss: these are reminders and
escalations about looked-after children's PEPs, and a missing escalation is the worse
failure; the alternative (never resend a row that has started) would turn every crash
before the SMTP call - by far the wider window - into a row needing manual checking.

The broker is only a doorbell: ``dispatch_due_notifications`` (beat, every minute) queues
due unsent rows from PostgreSQL, again for any row queued more than ``REQUEUE_AFTER``
ago, so a lost message (Redis flushed or restarted, a task that gave up its retries) is
sent later rather than never.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from email.message import MIMEPart

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from epep.tenancy import clock
from epep.tenancy.jobs import authority_task, every_authority_task, job_context

from . import services
from .models import Notification, NotificationKind

logger = logging.getLogger(__name__)

# A queued row still unsent after this long is queued again (longer than a task's time
# limit plus the first retries' backoff, so a healthy delivery is rarely doubled; a double
# is harmless anyway).
REQUEUE_AFTER = timedelta(minutes=10)
# A row that failed this many attempts is no longer queued: it needs a person (admin).
MAX_ATTEMPTS = 20
DISPATCH_BATCH = 1000


def _test_only_send_delay() -> None:
    """Test hook: settings.worker_test sets this (from EPEP_TEST_SEND_DELAY) so a test can
    kill a worker in the middle of a send. No other settings module defines it."""
    delay = getattr(settings, "NOTIFICATIONS_TEST_SEND_DELAY", 0)
    if delay:
        time.sleep(delay)


def _attachment(spec: dict) -> MIMEPart:
    maintype, _, subtype = spec.get("content_type", "text/plain").partition("/")
    part = MIMEPart()
    part.set_content(
        spec["content"],
        subtype=subtype or "plain",
        charset="utf-8",
        params=spec.get("params") or {},
        disposition="attachment",
        filename=spec["filename"],
    )
    return part


def _message(row: Notification) -> EmailMessage:
    template = "notifications/email/notification.txt"
    body = (
        row.body
        if row.kind in (NotificationKind.DIGEST, NotificationKind.MEETING)
        else render_to_string(template, {"notification": row})
    )
    message = EmailMessage(
        subject=row.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.address],
        headers={"X-ePEP-Notification": row.dedupe_key},
    )
    for spec in row.attachments or ():
        message.attach(_attachment(spec))
    return message


@authority_task(
    name="epep.notifications.tasks.send_notification",
    atomic=False,  # claim, then send: two transactions (see the module's docstring)
    dont_autoretry_for=(Notification.DoesNotExist,),
    max_retries=8,
    time_limit=90,
    soft_time_limit=60,
)
def send_notification(notification_id: int, local_authority_id: int) -> str:
    """Send one outbox row, at most once per database state (see the module's docstring).

    Returns what happened: "sent", "already sent" or "busy" (another worker holds it).
    """
    # 1. Claim: count the attempt, visibly, before anything can go wrong.
    with job_context():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, local_authority_id=local_authority_id)
            .first()
        )
        if row is None:
            if not Notification.objects.filter(pk=notification_id).exists():
                raise Notification.DoesNotExist(f"No notification {notification_id}")
            return "busy"
        if row.sent_at is not None:
            return "already sent"
        if row.sending_started_at is not None:
            logger.warning(
                "Notification %s: attempt %d started at %s was never recorded as sent; "
                "sending again (the recipient may get it twice)",
                row.pk,
                row.attempts,
                row.sending_started_at.isoformat(),
            )
        row.attempts += 1
        row.sending_started_at = clock.now()
        row.save(update_fields=["attempts", "sending_started_at"])

    # 2. Send and record, under the row lock, in one transaction.
    try:
        with job_context():
            row = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=notification_id)
                .first()
            )
            if row is None:
                return "busy"
            if row.sent_at is not None:
                return "already sent"
            _test_only_send_delay()
            mailers.default.send_messages([_message(row)])
            now = clock.now()
            row.sent_at = now
            row.last_error = ""
            row.save(update_fields=["sent_at", "last_error"])
            if row.kind == NotificationKind.DIGEST:
                row.items.filter(sent_at__isnull=True).update(sent_at=now)
    except Exception as exc:
        with job_context():
            Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(
                last_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
        raise
    logger.info("Sent notification %s (%s) to user %s", row.pk, row.kind, row.recipient_id)
    return "sent"


@every_authority_task(
    name="epep.notifications.tasks.dispatch_due_notifications",
    atomic=False,  # rows are marked queued (committed) before the broker is asked
    autoretry_for=(),  # beat runs it again within a minute
    time_limit=120,
    soft_time_limit=90,
)
def dispatch_due_notifications(requeue_after_seconds: int | None = None) -> int:
    """Queue every due, unsent row that is not held for a daily digest (escalations are
    never held). For Celery beat, every minute. Rows queued within ``REQUEUE_AFTER`` are
    left alone; rows being sent right now (locked) are skipped. Returns how many were
    queued."""
    now = clock.now()
    requeue_after = (
        REQUEUE_AFTER if requeue_after_seconds is None else timedelta(seconds=requeue_after_seconds)
    )
    with job_context():
        # Rows being sent hold their lock: skip them rather than wait.
        rows = list(
            services.to_send_individually(now)
            .filter(attempts__lt=MAX_ATTEMPTS)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - requeue_after))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("due_at", "id")
            .values_list("pk", "local_authority_id")[:DISPATCH_BATCH]
        )
        Notification.objects.filter(pk__in=[pk for pk, _ in rows]).update(queued_at=now)

    failed = []
    for pk, la in rows:
        try:
            send_notification.delay(pk, la)
        except Exception:  # broker down: try again on the next run
            logger.exception("Could not queue notification %s", pk)
            failed.append(pk)
    if failed:
        with job_context():
            Notification.objects.filter(pk__in=failed, queued_at=now).update(queued_at=None)
    return len(rows) - len(failed)


@every_authority_task(
    name="epep.notifications.tasks.send_daily_digests",
    atomic=False,  # each digest is built in its own authority's transaction
    time_limit=540,
    soft_time_limit=480,
)
def send_daily_digests() -> int:
    """For Celery beat, daily: one email per person (per authority) listing the reminders
    held because they asked for one email a day. Idempotent per person and day. Returns
    how many digests were queued."""
    now = clock.now()
    day = timezone.localdate(now)
    with job_context():
        pairs = list(
            services.held_for_digest(now)
            .order_by()
            .values_list("local_authority_id", "recipient_id")
            .distinct()
        )
    queued = []
    for la, recipient_id in pairs:
        digest_id = services.notification_build_digest(
            local_authority_id=la, recipient_id=recipient_id, day=day, now=now
        )
        if digest_id is not None:
            queued.append((digest_id, la))
    for digest_id, la in queued:
        try:
            send_notification.delay(digest_id, la)
        except Exception:  # the dispatcher queues it on its next run
            logger.exception("Could not queue digest %s", digest_id)
    return len(queued)
