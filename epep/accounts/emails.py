"""Every account email goes through the outbox (:class:`~epep.accounts.models.AccountEmail`).

Invitations (``services``) and allauth's messages (password reset and the like, through
``adapter.AccountAdapter.send_mail``) are written as rows in the caller's transaction,
so an email exists exactly when the change that asked for it commits, and nothing is
sent from a request and lost. After the commit the delivery task is queued (the doorbell);
``tasks.dispatch_account_emails`` (beat, every minute) queues whatever the doorbell
missed. Delivery: ``tasks.send_account_email``.
"""

from __future__ import annotations

import logging
import uuid

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import IntegrityError, transaction

from epep.tenancy import clock

from .models import AccountEmail

logger = logging.getLogger(__name__)


def _ring(account_email_id: int) -> None:
    from .tasks import send_account_email

    try:
        send_account_email.delay(account_email_id)
    except Exception:  # broker down: the dispatcher queues it on its next run
        logger.exception("Could not queue account email %s", account_email_id)
        AccountEmail.objects.filter(pk=account_email_id).update(queued_at=None)


def account_email_enqueue(
    *, to: str, subject: str, body: str, html_body: str = "", dedupe_key: str = ""
) -> AccountEmail | None:
    """Put one account email in the outbox in the current transaction and queue its
    delivery when that commits. ``dedupe_key``: one email per reason (a second call with
    the same key writes nothing and returns None); by default every call is a new email."""
    row = AccountEmail(
        to=to,
        subject=" ".join(subject.splitlines())[:255],
        body=body,
        html_body=html_body,
        dedupe_key=dedupe_key or f"account:{uuid.uuid4()}",
        queued_at=clock.now(),  # the doorbell rings at commit; the dispatcher waits
    )
    row.full_clean(validate_unique=False)
    try:
        with transaction.atomic():  # savepoint: a duplicate leaves the caller's work alone
            row.save(force_insert=True)
    except IntegrityError as exc:
        if "dedupe_key" not in str(exc):
            raise
        return None
    transaction.on_commit(lambda: _ring(row.pk), robust=True)
    return row


def account_email_enqueue_message(message: EmailMessage, *, dedupe_key: str = "") -> list:
    """Queue an already rendered message (allauth's ``render_mail``): one row per
    addressee, with its HTML alternative if it has one."""
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = next(
            (content for content, mimetype in message.alternatives if mimetype == "text/html"),
            "",
        )
    if message.content_subtype == "html":
        html, body = message.body, ""
    else:
        body = message.body
    rows = []
    for index, address in enumerate(message.to):
        key = f"{dedupe_key}:{index}" if dedupe_key else ""
        rows.append(
            account_email_enqueue(
                to=address, subject=message.subject, body=body, html_body=html, dedupe_key=key
            )
        )
    return rows
