"""Reads of PEP deadlines and the in-tray (scoped to what the actor may see)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber

from calendars.days import CalendarExhausted
from calendars.selectors import Calendar, calendar_for

from . import due_dates
from .models import Deadline, Task
from .permissions import task_kinds_for


def next_deadline_annotations() -> dict:
    """Annotations for a children queryset: the earliest deadline not yet met (one
    sub-select each, so a list's query count does not grow with its length)."""
    unmet = Deadline.objects.filter(child=OuterRef("pk"), met_on__isnull=True).order_by(
        "due_date", "kind"
    )
    return {
        "next_deadline_due": Subquery(unmet.values("due_date")[:1]),
        "next_deadline_kind": Subquery(unmet.values("kind")[:1]),
    }


def deadlines_for_child(*, child) -> list[Deadline]:
    return list(Deadline.objects.filter(child=child).select_related("met_by").order_by("due_date"))


def open_tasks_for(*, actor):
    """The actor's own open tasks, for children they can see today, by due date: for each
    child, task kind and obligation kind (the deadline's kind) only the latest one, with
    ``earlier_missed``, the number of older open ones it stands for.

    The older ones are hidden, not closed: they stay open until a PEP meets their deadline
    (``deadlines.services.deadlines_refresh``), and the next PEP held meets them all at
    once. Collapsed in SQL (window functions, filtered in an outer query), so a page and
    its count take the same queries however many tasks there are."""
    from children.selectors import children_for

    kinds = task_kinds_for(actor)
    if not kinds:
        return Task.objects.none()
    visible = children_for(actor=actor).order_by().values("pk")
    partition = [F("child_id"), F("kind"), F("deadline__kind")]
    return (
        Task.objects.filter(
            assignee_id=actor.user_id,
            closed_at__isnull=True,
            kind__in=kinds,
            child__in=visible,
        )
        .annotate(
            newest=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[F("due_date").desc(), F("id").desc()],
            ),
            in_partition=Window(Count("id"), partition_by=partition),
        )
        .filter(newest=1)
        .annotate(earlier_missed=F("in_partition") - 1)
        .select_related("child")
        .order_by("due_date", "id")
    )


class StateCalendars:
    """Works out deadline states for rows of several authorities, reading each
    authority's calendar once (authority-wide closures only)."""

    def __init__(self, day: date):
        self.day = day
        self._calendars: dict[int, Calendar | None] = {}

    def calendar(self, la_id: int) -> Calendar | None:
        if la_id not in self._calendars:
            try:
                self._calendars[la_id] = calendar_for(local_authority=la_id)
            except RuntimeError:  # outside the context: count working days instead
                self._calendars[la_id] = None
        return self._calendars[la_id]

    def state(self, *, la_id: int, due: date, met_on: date | None = None):
        calendar = self.calendar(la_id)
        terms, closures = calendar if calendar else (None, frozenset())
        try:
            return due_dates.deadline_state(due, met_on, self.day, terms=terms, closures=closures)
        except CalendarExhausted:  # pragma: no cover - deadline_state falls back itself
            return due_dates.deadline_state(due, met_on, self.day)
