"""Reminders and escalation for PEP deadlines, through the email outbox
(``epep.notifications``).

- Reminders go to the people responsible (the open in-tray tasks' assignees) at 10, 5 and
  1 school days before the due date (working days where the authority has no term dates).
  Only the most urgent reminder that applies is sent, once: a sweep that missed a day
  does not send a stale "10 days" reminder at 4 days.
- An overdue PEP escalates to the authority's Virtual School officers, and after
  ``HEAD_AFTER`` more school days to the Virtual School Head. Escalations cannot be
  switched off and are never held for a digest.
- Each email has a dedupe key (deadline, kind, person): the sweep can run as often as
  beat likes, twice at once, or after a Redis restart, and each email exists once.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Prefetch

from calendars.days import long_date
from calendars.selectors import calendar_for
from epep.notifications.models import NotificationKind
from epep.notifications.services import notification_enqueue
from epep.tenancy.context import authority_context
from epep.tenancy.models import Membership
from epep.tenancy.roles import Role
from meetings.ics import child_initials

from .models import Deadline, Task
from .services import _days_until, _today

REMINDER_AT = (
    (1, NotificationKind.REMINDER_1),
    (5, NotificationKind.REMINDER_5),
    (10, NotificationKind.REMINDER_10),
)
HEAD_AFTER = 10


def reminder_due(days_left: int) -> str | None:
    """The reminder that applies ``days_left`` (school) days before the due date (pure)."""
    if days_left < 0:
        return None
    for limit, kind in REMINDER_AT:
        if days_left <= limit:
            return kind
    return None


def escalations_due(days_overdue: int) -> list[str]:
    """Escalations that apply ``days_overdue`` (school) days after the due date (pure)."""
    if days_overdue <= 0:
        return []
    kinds = [NotificationKind.ESCALATION_OFFICER]
    if days_overdue >= HEAD_AFTER:
        kinds.append(NotificationKind.ESCALATION_HEAD)
    return kinds


def _link(deadline: Deadline) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}/children/{deadline.child.public_id}/"


def _text(deadline: Deadline, kind: str, days: int) -> tuple[str, str]:
    who = child_initials(deadline.child)
    what = deadline.get_kind_display()
    due = long_date(deadline.due_date)
    if kind in (NotificationKind.ESCALATION_OFFICER, NotificationKind.ESCALATION_HEAD):
        subject = f"Overdue PEP for {who}"
        body = (
            f"The PEP for {who} ({what}) was due on {due} and is {days} day"
            f"{'s' if days != 1 else ''} overdue.\n\nOpen the child's record in ePEP to see "
            f"who is responsible and what is missing: {_link(deadline)}"
        )
    else:
        subject = f"PEP due for {who}: {due}"
        body = (
            f"The PEP for {who} ({what}) is due on {due}, in {days} school day"
            f"{'s' if days != 1 else ''}.\n\nOpen ePEP to complete your part: {_link(deadline)}"
        )
    return subject, body


def reminders_sweep(*, local_authority_id: int, today: date | None = None) -> int:
    """Queue every reminder and escalation due today for one authority. Returns how many
    new emails went into the outbox (0 on a second run)."""
    day = today or _today()
    queued = 0
    with authority_context(local_authority_ids=[local_authority_id]):
        calendar = calendar_for(local_authority=local_authority_id)
        open_tasks = Task.objects.filter(closed_at__isnull=True).select_related("assignee")
        deadlines = (
            Deadline.objects.filter(
                local_authority_id=local_authority_id, met_on__isnull=True, child__left_care_on=None
            )
            .select_related("child")
            .prefetch_related(Prefetch("tasks", queryset=open_tasks, to_attr="open_tasks"))
        )
        staff = {
            role: list(
                Membership.objects.active()
                .filter(local_authority_id=local_authority_id, role=role)
                .select_related("user")
            )
            for role in (Role.VS_OFFICER, Role.VS_HEAD)
        }
        for deadline in deadlines:
            if deadline.due_date >= day:
                days_left = _days_until(day, deadline.due_date, calendar)
                kind = reminder_due(days_left)
                sends = (
                    [(kind, {t.assignee for t in deadline.open_tasks}, days_left)] if kind else []
                )
            else:
                overdue = _days_until(deadline.due_date, day, calendar)
                sends = [
                    (
                        kind,
                        {
                            m.user
                            for m in staff[
                                Role.VS_OFFICER
                                if kind == NotificationKind.ESCALATION_OFFICER
                                else Role.VS_HEAD
                            ]
                        },
                        overdue,
                    )
                    for kind in escalations_due(overdue)
                ]
            for kind, recipients, days in sends:
                subject, body = _text(deadline, kind, days)
                for user in recipients:
                    queued += notification_enqueue(
                        local_authority_id=local_authority_id,
                        recipient=user,
                        kind=kind,
                        dedupe_key=f"deadline:{deadline.pk}:{kind}:{user.pk}",
                        subject=subject,
                        body=body,
                        escalation=kind
                        in (NotificationKind.ESCALATION_OFFICER, NotificationKind.ESCALATION_HEAD),
                    )
    return queued
