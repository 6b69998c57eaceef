"""Writes to the outbox and to people's email preferences.

The deadline rules (``deadlines.reminders``) and the meeting services
(``meetings.services``) decide *what* to remind whom about and call
``notification_enqueue``; delivery is ``epep.notifications.tasks``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string

from epep.tenancy import clock
from epep.tenancy.context import authority_context

from .models import ESCALATION_KINDS, Notification, NotificationKind, NotificationPreference


def notification_enqueue(
    *,
    local_authority_id: int,
    recipient,
    kind: str,
    dedupe_key: str,
    subject: str,
    body: str,
    due_at: datetime | None = None,
    escalation: bool = False,
    email: str = "",
    attachments: list[dict] | None = None,
) -> bool:
    """Put one email in the outbox, unless a row with ``dedupe_key`` already exists.

    ``recipient`` may be None for someone without an account: ``email`` is then the
    address. ``attachments`` (``[{"filename", "content", "content_type", "params"}]``,
    text only) are sent with it: a meeting's .ics.

    Returns True if this call created the row. Safe to call again for the same reason (a
    sweep run twice, two beat processes at once): the unique index on ``dedupe_key``
    decides, inside a savepoint, so the caller's transaction carries on either way.
    Escalation kinds are always escalations, whatever ``escalation`` says.
    """
    is_escalation = bool(escalation) or kind in ESCALATION_KINDS
    row = Notification(
        local_authority_id=local_authority_id,
        recipient=recipient,
        email=email,
        attachments=list(attachments or ()),
        kind=kind,
        dedupe_key=dedupe_key,
        subject=subject[:255],
        body=body,
        due_at=due_at or clock.now(),
        is_escalation=is_escalation,
    )
    # Field checks only: uniqueness is the database's job (a query here would race and,
    # under RLS, could not see another authority's row anyway).
    row.full_clean(exclude=["recipient", "local_authority", "digest"], validate_unique=False)
    with authority_context(local_authority_ids=[local_authority_id]):
        try:
            with transaction.atomic():  # savepoint: a conflict leaves the caller's work
                row.save(force_insert=True)
        except IntegrityError as exc:
            if "dedupe_key" not in str(exc):
                raise
            return False
    return True


def notification_preference_get(user) -> NotificationPreference:
    """The person's preference (unsaved default: each reminder as it happens)."""
    try:
        return NotificationPreference.objects.get(user=user)
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user, daily_digest=False)


@transaction.atomic
def notification_preference_set(*, user, daily_digest: bool) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"daily_digest": bool(daily_digest)}
    )
    return preference


def _wants_digest() -> Exists:
    return Exists(
        NotificationPreference.objects.filter(user_id=OuterRef("recipient_id"), daily_digest=True)
    )


def due_unsent(now: datetime) -> QuerySet[Notification]:
    """Rows waiting for delivery, in whatever authority context is current."""
    return Notification.objects.filter(sent_at__isnull=True, due_at__lte=now, digest__isnull=True)


def held_for_digest(now: datetime) -> QuerySet[Notification]:
    """Due reminders of people who asked for one email a day. Never escalations, never
    digests themselves, never meeting invitations."""
    return (
        due_unsent(now)
        .filter(is_escalation=False)
        .exclude(kind__in=[NotificationKind.DIGEST, NotificationKind.MEETING])
        .filter(_wants_digest())
    )


def to_send_individually(now: datetime) -> QuerySet[Notification]:
    """Due rows the dispatcher sends one by one: escalations (always), digests, meeting
    invitations, and everything for people who want each reminder as it happens."""
    return due_unsent(now).filter(
        Q(is_escalation=True)
        | Q(kind__in=[NotificationKind.DIGEST, NotificationKind.MEETING])
        | ~_wants_digest()
    )


def notification_build_digest(
    *, local_authority_id: int, recipient_id: int, day: date, now: datetime
) -> int | None:
    """Gather one person's held reminders in one authority into today's digest row.

    One digest per person, authority and day (``dedupe_key``): running it twice builds
    nothing new; reminders arriving after today's digest wait for tomorrow's. The digest
    stays within the authority, like every tenant row: a person working for two
    authorities gets one from each. Returns the digest's id when this call built it.
    """
    from django.contrib.auth import get_user_model

    with authority_context(local_authority_ids=[local_authority_id]):
        items = list(
            held_for_digest(now)
            .filter(local_authority_id=local_authority_id, recipient_id=recipient_id)
            .select_for_update(skip_locked=True)
            .order_by("due_at", "id")
        )
        if not items:
            return None
        recipient = get_user_model().objects.get(pk=recipient_id)
        key = f"digest:{local_authority_id}:{recipient_id}:{day.isoformat()}"
        authority = items[0].local_authority
        count = len(items)
        created = notification_enqueue(
            local_authority_id=local_authority_id,
            recipient=recipient,
            kind=NotificationKind.DIGEST,
            dedupe_key=key,
            subject=(
                f"ePEP: {count} {'reminder' if count == 1 else 'reminders'} from "
                f"{authority.virtual_school_name}"
            ),
            body=render_to_string(
                "notifications/email/digest.txt",
                {"items": items, "recipient": recipient, "authority": authority, "day": day},
            ),
            due_at=now,
        )
        if not created:
            return None
        digest = Notification.objects.get(dedupe_key=key)
        Notification.objects.filter(pk__in=[item.pk for item in items]).update(digest=digest)
        return digest.pk
