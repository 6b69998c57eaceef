"""Reading audit events: a child's access log for its Virtual School."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from .models import AuditEvent
from .permissions import can_read_access_log

#: Dates people type are days in England.
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Person:
    """Someone who appears in a child's access log (for the "person" filter)."""

    user_id: int
    name: str
    email: str


class AccessLog:
    """A child's events (filters applied, newest first, each with its user joined) and
    everyone who appears in the child's log whatever the filters (for the dropdown).
    Both are lazy: each is one query, run when first used."""

    def __init__(self, *, events: QuerySet[AuditEvent], about_child: QuerySet[AuditEvent]):
        self.events = events
        self._about_child = about_child

    @cached_property
    def people(self) -> list[Person]:
        rows = (
            self._about_child.filter(user__isnull=False)
            .values("user_id", "user__full_name", "user__email")
            .distinct()
            .order_by("user__full_name", "user__email")
        )
        return [
            Person(user_id=row["user_id"], name=row["user__full_name"], email=row["user__email"])
            for row in rows
        ]


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in England, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=LONDON)


def child_access_log(
    *,
    actor,
    child,
    user_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> AccessLog:
    """Who has viewed or changed ``child``'s record, and who tried and was refused.

    ``child`` must come from ``children.selectors.access_child_by_id`` for the same actor.
    Only the child's Virtual School (and the authority's administrators) may read it.
    ``date_from`` and ``date_to`` are days in England, both included. Row-level security
    still applies underneath: only events in the reader's authorities are returned.
    """
    if not can_read_access_log(actor, child.local_authority_id):
        raise PermissionDenied("Only the child's Virtual School can read its access log.")
    about_child = AuditEvent.objects.filter(child_public_id=child.public_id)
    events = about_child.select_related("user").order_by("-occurred_at", "-id")
    if user_id is not None:
        events = events.filter(user_id=user_id)
    if date_from is not None:
        events = events.filter(occurred_at__gte=start_of_day(date_from))
    if date_to is not None and date_to < date.max:  # up to the last day there is: no end
        events = events.filter(occurred_at__lt=start_of_day(date_to + timedelta(days=1)))
    return AccessLog(events=events, about_child=about_child)
