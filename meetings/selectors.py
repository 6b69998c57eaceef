"""Reads of the school calendars (terms and closures) for the date arithmetic in
``meetings.calendars``."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, Q, Subquery

from children.models import School
from epep.tenancy.context import current_db_context
from epep.tenancy.models import LocalAuthority
from epep.tenancy.roles import Role

from . import deadlines as rules
from .calendars import CalendarExhausted
from .models import Deadline, SchoolClosure, SchoolTerm, Task, TaskKind

Calendar = tuple[list[tuple[date, date]], frozenset[date]]


def calendar_for(
    *, local_authority: LocalAuthority | int, school: School | int | None = None
) -> Calendar:
    """The authority's terms (inclusive ``(start, end)`` pairs, in order) and its closure
    days: authority-wide ones plus ``school``'s own (INSET days), never another school's.

    Pass the result to ``add_school_days`` / ``school_days_between``:

        terms, closures = calendar_for(local_authority=la, school=school)
        due = add_school_days(started_on, 20, terms, closures)

    Must run inside a context that includes the authority (a request, or
    ``authority_context``): under row-level security another context would silently see
    no terms, and every count would end in ``CalendarExhausted`` for the wrong reason.
    """
    la_id = getattr(local_authority, "pk", local_authority)
    school_id = getattr(school, "pk", school)
    if la_id is None:
        raise ValueError("calendar_for needs an authority.")
    if int(la_id) not in current_db_context().la_ids:
        raise RuntimeError(
            f"calendar_for(local_authority={la_id}) must run inside a context that includes "
            "that authority (a request, or epep.tenancy.context.authority_context)."
        )
    terms = list(
        SchoolTerm.objects.filter(local_authority_id=la_id)
        .order_by("start_date")
        .values_list("start_date", "end_date")
    )
    whose = Q(school__isnull=True)
    if school_id is not None:
        whose |= Q(school_id=school_id)
    closures = frozenset(
        SchoolClosure.objects.filter(whose, local_authority_id=la_id).values_list("date", flat=True)
    )
    return terms, closures


# --- Deadlines and tasks -------------------------------------------------------------------

#: Which of a person's tasks each role works on (a person holding several roles sees the
#: tasks of the role they act in).
TASK_KINDS_BY_ROLE = {
    Role.DESIGNATED_TEACHER: (TaskKind.COMPLETE_PEP,),
    Role.SOCIAL_WORKER: (TaskKind.ARRANGE_MEETING,),
    Role.PERSONAL_ADVISER: (TaskKind.ARRANGE_MEETING,),
}


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
    """The actor's own open tasks, for children they can see today, by due date."""
    from children.selectors import children_for

    if actor is None:
        return Task.objects.none()
    kinds = TASK_KINDS_BY_ROLE.get(actor.role, ())
    visible = children_for(actor=actor).order_by().values("pk")
    return (
        Task.objects.filter(
            assignee_id=actor.user_id,
            closed_at__isnull=True,
            kind__in=kinds,
            child__in=visible,
        )
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
            return rules.deadline_state(due, met_on, self.day, terms=terms, closures=closures)
        except CalendarExhausted:  # pragma: no cover - deadline_state falls back itself
            return rules.deadline_state(due, met_on, self.day)
