"""PEP deadlines and in-tray tasks: how they are worked out (rules in
``deadlines.due_dates``, pure).

A deadline is **met** by the first PEP of the child (of any kind: a full PEP at a change
serves every obligation open at the time) whose **meeting was held** on or after the
deadline's trigger date (the day care started, the school or placement started, 1
September of the new key stage, the previous submission date, or the last PEP): the
authority's policy counts days to the PEP being *held* (``first_pep_limit``), and
quality assurance and finalisation can take weeks after that. ``met_on`` is the PEP's
meeting date (its finalisation date for a PEP finalised without one).

``deadlines_refresh(child_ids=...)`` is the only way deadlines and tasks are worked out.
The apps below do not import this one: ``DeadlinesConfig.ready()`` registers it with
their hooks. The services that change what deadlines depend on (a child's care dates,
enrolments, placements, allocations, PEPs, meetings) call
``children.hooks.children_changed`` once per change inside their transaction; a change of
an authority's policy (``epep.tenancy.hooks.authority_policy_changed``) or calendar
(``calendars.hooks.calendar_changed``) refreshes all its children at once
(``deadlines_refresh_all``); bulk work calls it once for all the children it touched; the
nightly job calls ``deadlines_refresh_all``. It works set-based, one batch
of an authority's children at a time, in a fixed number of queries per batch: the
calendar and every input read in bulk, the rules applied in Python, deadlines upserted
and tasks opened and closed in bulk. A digest of each child's inputs
(``DeadlineInputs``) lets a child whose inputs have not changed be skipped.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar, NamedTuple

from django.db.models import Case, Min, Q, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from calendars.days import (
    CalendarExhausted,
    is_school_day,
    is_working_day,
    local_date,
    school_days_between,
    working_days_between,
)
from calendars.models import SchoolClosure, SchoolTerm, SubmissionDate
from children.models import Allocation, Child, Enrolment, Placement, current_on
from children.permissions import today
from epep.tenancy import clock
from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority
from epep.tenancy.roles import Role
from meetings.models import Meeting, MeetingStatus
from peps.models import Pep, Status

from . import due_dates
from .bulk import insert_rows, upsert_rows
from .models import Deadline, DeadlineInputs, DeadlineKind, Task, TaskKind

logger = logging.getLogger(__name__)

#: PEP statuses from which the meeting has happened.
HELD_STATUSES = frozenset(
    {
        Status.MEETING_HELD,
        Status.SUBMITTED,
        Status.RETURNED,
        Status.APPROVED,
        Status.FINALISED,
    }
)
#: The school's part is done once the PEP is with the Virtual School or beyond.
COMPLETED_STATUSES = frozenset({Status.SUBMITTED, Status.APPROVED, Status.FINALISED})
#: Tasks open this many school days (working days without a calendar) before the due date.
TASK_LEAD_DAYS = 20
#: Children worked out per batch (each batch costs the same fixed number of queries).
REFRESH_BATCH = 1000
#: Part of every inputs digest: change it when the rules change, so every child is redone.
RULES_VERSION = "2026-12-2"


def _pep_held_on(pep) -> date | None:
    if pep.status not in HELD_STATUSES:
        return None
    if pep.meeting_date:
        return pep.meeting_date
    return local_date(pep.finalised_at) if pep.finalised_at else None


# The rows the refresh reads, as plain tuples: a model instance per row cost more than
# working the deadlines out.


class _ChildRow(NamedTuple):
    pk: int
    entered_care_on: date
    left_care_on: date | None
    date_of_birth: date
    display_name: str


class _EnrolmentRow(NamedTuple):
    pk: int
    child_id: int
    school_id: int
    school_name: str
    start_date: date
    end_date: date | None


#: The columns an ``_EnrolmentRow`` is read from (the school's name through the join).
_ENROLMENT_COLUMNS = ("pk", "child_id", "school_id", "school__name", "start_date", "end_date")


class _PlacementRow(NamedTuple):
    pk: int
    child_id: int
    start_date: date
    end_date: date | None


class _PepRow(NamedTuple):
    pk: int
    child_id: int
    status: str
    meeting_date: date | None
    finalised_at: datetime | None


@dataclass
class _ChildInputs:
    """Everything one child's deadlines and tasks are worked out from."""

    child: _ChildRow
    enrolments: list = field(default_factory=list)  # newest first (the model's order)
    placements: list = field(default_factory=list)  # newest first
    peps: list = field(default_factory=list)
    meeting_days: list = field(default_factory=list)  # scheduled or held, Europe/London
    workers: dict = field(default_factory=dict)  # allocation kind -> worker ids today
    #: the next day after today on which one of the child's allocations starts or ends
    allocation_change: date | None = None
    enrolment: _EnrolmentRow | None = None  # the current one
    closures: frozenset = frozenset()
    teachers: frozenset = frozenset()

    def held(self) -> list[tuple[date, Pep]]:
        found = ((on, pep) for pep in self.peps if (on := _pep_held_on(pep)) is not None)
        return sorted(found, key=lambda item: (item[0], item[1].pk))


@dataclass
class _Batch:
    """One authority's calendar and policy, read once for a batch of its children."""

    la: LocalAuthority
    day: date
    terms: list
    submission_dates: list
    children: dict[int, _ChildInputs]


def _any(ids: Iterable[int]) -> RawSQL:
    """The ids as one array parameter (``IN (SELECT unnest(%s))``): a batch's queries
    cost the same to build and send whatever its size."""
    return RawSQL("SELECT unnest(%s::bigint[])", ([int(i) for i in ids],))


def _load_batch(la: LocalAuthority, child_ids: Sequence[int], day: date) -> _Batch:
    """Every input of the children, in a fixed number of queries (whatever their number)."""
    from epep.tenancy.models import SchoolRoleEndorsement

    terms = list(
        SchoolTerm.objects.filter(local_authority_id=la.pk)
        .order_by("start_date")
        .values_list("start_date", "end_date")
    )
    closures_by_school: dict[int | None, set[date]] = {}
    for school_id, day_closed in SchoolClosure.objects.filter(local_authority_id=la.pk).values_list(
        "school_id", "date"
    ):
        closures_by_school.setdefault(school_id, set()).add(day_closed)
    submission_dates = list(
        SubmissionDate.objects.filter(local_authority_id=la.pk).values_list("date", flat=True)
    )
    children = {
        row[0]: _ChildInputs(child=_ChildRow(*row[:4], f"{row[4] or row[5]} {row[6]}"))
        for row in Child.objects.filter(
            pk__in=_any(child_ids), local_authority_id=la.pk
        ).values_list(
            "pk",
            "entered_care_on",
            "left_care_on",
            "date_of_birth",
            "preferred_name",
            "legal_first_name",
            "legal_last_name",
        )
    }
    ids = _any(children)
    for row in Enrolment.objects.filter(child_id__in=ids).values_list(*_ENROLMENT_COLUMNS):
        enrolment = _EnrolmentRow(*row)
        children[enrolment.child_id].enrolments.append(enrolment)
    for row in Placement.objects.filter(child_id__in=ids).values_list(*_PlacementRow._fields):
        placement = _PlacementRow(*row)
        children[placement.child_id].placements.append(placement)
    for row in Pep.objects.filter(child_id__in=ids).values_list(*_PepRow._fields):
        pep = _PepRow(*row)
        children[pep.child_id].peps.append(pep)
    for child_id, starts_at in Meeting.objects.filter(
        pep__child_id__in=ids, status__in=[MeetingStatus.SCHEDULED, MeetingStatus.HELD]
    ).values_list("pep__child_id", "starts_at"):
        children[child_id].meeting_days.append(local_date(starts_at))
    for child_id, kind, worker_id in Allocation.objects.filter(
        current_on(day),
        child_id__in=ids,
        kind__in=[Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER],
    ).values_list("child_id", "kind", "worker_id"):
        children[child_id].workers.setdefault(kind, set()).add(worker_id)
    for child_id, next_change in (
        Allocation.objects.filter(
            Q(start_date__gt=day) | Q(end_date__gt=day),
            child_id__in=ids,
            kind__in=[Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER],
        )
        .values("child_id")
        .annotate(
            next_change=Min(Case(When(start_date__gt=day, then="start_date"), default="end_date"))
        )
        .values_list("child_id", "next_change")
    ):
        children[child_id].allocation_change = next_change
    authority_wide = frozenset(closures_by_school.get(None, ()))
    for inputs in children.values():
        current = [e for e in inputs.enrolments if e.start_date <= day] if inputs.enrolments else []
        current = [e for e in current if e.end_date is None or e.end_date > day]
        inputs.enrolment = current[0] if current else None
        own = closures_by_school.get(inputs.enrolment.school_id, ()) if inputs.enrolment else ()
        inputs.closures = authority_wide | frozenset(own)
    schools = {i.enrolment.school_id for i in children.values() if i.enrolment is not None}
    teachers: dict[int, set[int]] = {}
    if schools:
        for school_id, user_id in SchoolRoleEndorsement.objects.filter(
            state=SchoolRoleEndorsement.State.ENDORSED,
            local_authority_id=la.pk,
            school_id__in=sorted(schools),
            role=Role.DESIGNATED_TEACHER.value,
            user__is_active=True,
        ).values_list("school_id", "user_id"):
            teachers.setdefault(school_id, set()).add(user_id)
    for inputs in children.values():
        if inputs.enrolment is not None:
            inputs.teachers = frozenset(teachers.get(inputs.enrolment.school_id, ()))
    return _Batch(la, day, terms, submission_dates, children)


def _fingerprint(batch: _Batch, inputs: _ChildInputs) -> str:
    la, child = batch.la, inputs.child
    parts = (
        RULES_VERSION,
        (la.first_pep_limit, la.first_pep_unit, la.review_cadence),
        tuple(batch.terms),
        tuple(sorted(set(batch.submission_dates))),
        (child.entered_care_on, child.left_care_on, child.date_of_birth, child.display_name),
        tuple(sorted(inputs.closures)),
        tuple(
            (e.pk, e.school_id, e.school_name, e.start_date, e.end_date) for e in inputs.enrolments
        ),
        tuple((p.pk, p.start_date, p.end_date) for p in inputs.placements),
        tuple(sorted((p.pk, p.status, p.meeting_date, p.finalised_at) for p in inputs.peps)),
        tuple(sorted(inputs.meeting_days)),
        tuple(sorted((kind, tuple(sorted(ids))) for kind, ids in inputs.workers.items())),
        inputs.enrolment.pk if inputs.enrolment else None,
        tuple(sorted(inputs.teachers)),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _wanted_deadlines(batch: _Batch, inputs: _ChildInputs, held) -> list[tuple]:
    """(kind, trigger, Due) for every obligation the child's records create, in the
    current period of care only (``entered_care_on`` is the latest period's start). A child
    who has left care has none: their unmet deadlines are dropped and their tasks close."""
    la, day, terms, closures = batch.la, batch.day, batch.terms, inputs.closures
    child = inputs.child
    entered = child.entered_care_on
    end = child.left_care_on
    if end and end <= day:
        return []
    # PEPs held in an earlier period of care meet none of this period's obligations.
    held = [(on, pep) for on, pep in held if on >= entered]
    wanted = [
        (
            DeadlineKind.FIRST_PEP,
            entered,
            due_dates.first_pep_due(
                entered,
                limit=la.first_pep_limit,
                unit=la.first_pep_unit,
                terms=terms,
                closures=closures,
            ),
        ),
        (
            DeadlineKind.STATUTORY_REVIEW_READY,
            entered,
            due_dates.statutory_review_ready_due(entered),
        ),
    ]
    # Changes after entering care (not care's start).
    for enrolment in (e for e in inputs.enrolments if e.start_date > entered):
        due = due_dates.new_school_due(enrolment.start_date, terms, closures)
        source = f"{enrolment.school_name}: {due.source}"
        wanted.append(
            (DeadlineKind.NEW_SCHOOL, enrolment.start_date, due_dates.Due(due.date, source[:300]))
        )
    for placement in (p for p in inputs.placements if p.start_date > entered):
        due = due_dates.new_placement_due(placement.start_date, terms, closures)
        wanted.append((DeadlineKind.NEW_PLACEMENT, placement.start_date, due))
    until = min(end, day + timedelta(days=366)) if end else day + timedelta(days=366)
    for year, starts in due_dates.key_stage_starts(child.date_of_birth, entered, until):
        wanted.append(
            (DeadlineKind.KEY_STAGE, starts, due_dates.key_stage_due(year, starts, terms))
        )
    if la.review_cadence == LocalAuthority.ReviewCadence.SIX_MONTHLY:
        finalised = [on for on, pep in held if pep.status == Status.FINALISED]
        if finalised:
            last = max(finalised)
            wanted.append(
                (
                    DeadlineKind.SIX_MONTHLY,
                    last + timedelta(days=1),
                    due_dates.six_monthly_due(last),
                )
            )
    else:
        first_due = wanted[0][2].date
        dues = due_dates.termly_review_dues(batch.submission_dates, since=first_due, today=day)
        for trigger, due in dues:
            source = f"The authority's termly submission date ({due_dates.long_date(due)})"
            start = entered if trigger == first_due else trigger + timedelta(days=1)
            wanted.append((DeadlineKind.TERMLY_REVIEW, start, due_dates.Due(due, source)))
    if end:  # nothing falls due after leaving care
        wanted = [w for w in wanted if w[2].date <= end]
    return wanted


def _days_until(day: date, due: date, calendar) -> int:
    terms, closures = calendar
    if terms:
        try:
            return school_days_between(day, due, terms, closures)
        except CalendarExhausted:
            pass
    return working_days_between(day, due)


@dataclass(slots=True)
class _DeadlineRow:
    """A deadline as the refresh works with it (a model instance per row cost more than
    the rules)."""

    FIELDS: ClassVar[tuple] = (
        "pk",
        "child_id",
        "kind",
        "due_date",
        "trigger_date",
        "source",
        "met_on",
        "met_by_id",
    )
    #: The columns written, in ``upsert_rows`` order.
    COLUMNS: ClassVar[list] = [
        "local_authority_id",
        "child_id",
        "kind",
        "due_date",
        "trigger_date",
        "source",
        "met_on",
        "met_by_id",
        "created_at",
    ]

    pk: int | None
    child_id: int
    kind: str
    due_date: date
    trigger_date: date
    source: str
    met_on: date | None
    met_by_id: int | None


_KIND_LABELS = {str(value): str(label) for value, label in DeadlineKind.choices}


#: However far off its next change, a child is worked out again at least this often.
LONGEST_VALIDITY = timedelta(days=28)


def _still_valid(stored: tuple | None, digest: str, day: date) -> bool:
    """Whether what was stored for a child still holds on ``day``: the same inputs, worked
    out on or before ``day``, and ``day`` before the first day time alone changes it."""
    if stored is None:
        return False
    fingerprint, refreshed_on, valid_until = stored
    return (
        fingerprint == digest
        and refreshed_on <= day
        and valid_until is not None
        and day < valid_until
    )


def _child_valid_until(batch: _Batch, inputs: _ChildInputs) -> date:
    """The first day after ``batch.day`` on which the child's deadlines or tasks could
    change with nothing else changed (tasks' windows are added by ``_refresh_batch``):
    leaving care, a school place or an allocation starting or ending, a submission date
    passing (the next termly review is added), the next key stage coming within a year,
    and at the latest ``LONGEST_VALIDITY`` from now."""
    day, child = batch.day, inputs.child
    candidates = [day + LONGEST_VALIDITY]
    if child.left_care_on and child.left_care_on > day:
        candidates.append(child.left_care_on)
    for enrolment in inputs.enrolments:
        candidates.extend(d for d in (enrolment.start_date, enrolment.end_date) if d and d > day)
    if inputs.allocation_change:
        candidates.append(inputs.allocation_change)
    # termly_review_dues lists reviews up to the first submission date on or after today:
    # the day after it, the next one is added.
    upcoming = [d for d in batch.submission_dates if d >= day]
    if upcoming:
        candidates.append(min(upcoming) + timedelta(days=1))
    # Key stages are listed up to a year ahead: the next 1 September comes within that
    # window 366 days before it.
    horizon = day + timedelta(days=366)
    next_september = date(horizon.year + (horizon >= date(horizon.year, 9, 1)), 9, 1)
    candidates.append(next_september - timedelta(days=366))
    return max(min(candidates), day + timedelta(days=1))


def _window_opens(day: date, due: date, calendar) -> date:
    """The first day on which a task for a deadline due on ``due`` opens (at most
    ``TASK_LEAD_DAYS`` school days, or working days without a calendar, before it),
    counted back from ``due``. Never later than the day ``_days_until`` says it opens:
    outside the recorded terms no day counts, so the walk goes further back."""
    terms, closures = calendar

    def counts(d: date) -> bool:
        if terms:
            return is_school_day(d, terms, closures)
        return is_working_day(d)

    found, opens = 0, due
    while opens > day:
        add = counts(opens)
        if found + add > TASK_LEAD_DAYS:
            return opens
        found += add
        opens -= timedelta(days=1)
    return day + timedelta(days=1)


def _task_done(inputs: _ChildInputs, deadline: _DeadlineRow, kind: str) -> bool:
    """arrange_meeting: a meeting is scheduled (or held) on or after the trigger date, or
    the deadline is met; complete_pep: a PEP held on or after it has been submitted to
    the Virtual School (or approved, finalised)."""
    trigger = deadline.trigger_date
    if kind == TaskKind.ARRANGE_MEETING:
        return deadline.met_on is not None or any(d >= trigger for d in inputs.meeting_days)
    for pep in inputs.peps:
        if pep.status not in COMPLETED_STATUSES:
            continue
        if pep.meeting_date is not None:
            if pep.meeting_date >= trigger:
                return True
        elif pep.finalised_at is not None and local_date(pep.finalised_at) >= trigger:
            return True
    return False


_TASK_KINDS = tuple(TaskKind.values)

_TASK_TITLES = {
    TaskKind.COMPLETE_PEP: "Complete the PEP for {child} ({what})",
    TaskKind.ARRANGE_MEETING: "Arrange the PEP meeting for {child} ({what})",
}


def _refresh_batch(batch: _Batch, *, force: bool = False) -> int:
    """Work out the batch's changed children; returns how many were worked out."""
    day, la_id = batch.day, batch.la.pk
    stored = {
        child_id: (fingerprint, refreshed_on, valid_until)
        for child_id, fingerprint, refreshed_on, valid_until in DeadlineInputs.objects.filter(
            child_id__in=_any(batch.children)
        ).values_list("child_id", "fingerprint", "refreshed_on", "valid_until")
    }
    todo = {}
    for child_id, inputs in batch.children.items():
        digest = _fingerprint(batch, inputs)
        if force or not _still_valid(stored.get(child_id), digest, day):
            todo[child_id] = (inputs, digest)
    if not todo:
        return 0
    valid_until = {
        child_id: _child_valid_until(batch, inputs) for child_id, (inputs, _) in todo.items()
    }
    window_opens: dict[tuple, date] = {}
    existing: dict[int, dict] = {}
    for row in Deadline.objects.filter(child_id__in=_any(todo)).values_list(*_DeadlineRow.FIELDS):
        deadline = _DeadlineRow(*row)
        existing.setdefault(deadline.child_id, {})[(deadline.kind, deadline.due_date)] = deadline
    open_tasks: dict[int, list[tuple]] = {}
    for task_id, deadline_id, kind, assignee_id in Task.objects.filter(
        child_id__in=_any(todo), closed_at__isnull=True
    ).values_list("pk", "deadline_id", "kind", "assignee_id"):
        open_tasks.setdefault(deadline_id, []).append((task_id, kind, assignee_id))

    # Deadlines: kept as they are, or upserted (new or changed); unmet ones whose record
    # has gone (a corrected date) are dropped.
    kept: list[tuple[_ChildInputs, _DeadlineRow]] = []
    upserts: dict[tuple[int, str, date], _DeadlineRow] = {}
    stale: list[int] = []
    for child_id, (inputs, _digest) in todo.items():
        held = inputs.held()
        have = existing.get(child_id, {})
        seen: set[tuple[str, date]] = set()
        for kind, trigger, due in _wanted_deadlines(batch, inputs, held):
            key = (str(kind), due.date)
            if key in seen:
                continue
            seen.add(key)
            source = due.source[:300]
            met = next(((on, pep) for on, pep in held if on >= trigger), None)
            met_on, met_by_id = (met[0], met[1].pk) if met else (None, None)
            deadline = have.pop(key, None)
            if deadline is None or (
                deadline.trigger_date,
                deadline.source,
                deadline.met_on,
                deadline.met_by_id,
            ) != (trigger, source, met_on, met_by_id):
                deadline = _DeadlineRow(
                    deadline.pk if deadline else None,
                    child_id,
                    key[0],
                    due.date,
                    trigger,
                    source,
                    met_on,
                    met_by_id,
                )
                upserts[(child_id, *key)] = deadline
            kept.append((inputs, deadline))
        stale.extend(d.pk for d in have.values() if d.met_on is None)
    if upserts:
        now = timezone.now()
        written = upsert_rows(
            table=Deadline._meta.db_table,
            columns=_DeadlineRow.COLUMNS,
            rows=(
                (la_id, d.child_id, d.kind, d.due_date, d.trigger_date, d.source, d.met_on)
                + (d.met_by_id, now)
                for d in upserts.values()
            ),
            conflict=["child_id", "kind", "due_date"],
            update=["trigger_date", "source", "met_on", "met_by_id"],
            returning=["id", "child_id", "kind", "due_date"],
        )
        for pk, child_id, kind, due_date in written:
            upserts[(child_id, kind, due_date)].pk = pk
    if stale:
        Deadline.objects.filter(pk__in=stale).delete()

    # Tasks: opened once the deadline is within 20 school days (or overdue), for the people
    # whose job it is; closed when the work is done or the person no longer works with the
    # child.
    to_close: list[int] = []
    to_open: list[tuple] = []
    created_at = timezone.now()
    for inputs, deadline in kept:
        child = inputs.child
        calendar = (batch.terms, inputs.closures)
        in_window = day > deadline.due_date or _days_until(day, deadline.due_date, calendar) <= (
            TASK_LEAD_DAYS
        )
        in_care = child.left_care_on is None or child.left_care_on > day
        if not in_window and deadline.met_on is None:
            key = (deadline.due_date, inputs.closures)
            if key not in window_opens:
                window_opens[key] = _window_opens(day, deadline.due_date, calendar)
            valid_until[child.pk] = min(valid_until[child.pk], window_opens[key])
        assignees: dict[str, frozenset | set] = {}
        if in_window and in_care:
            workers = inputs.workers.get(Role.SOCIAL_WORKER) or inputs.workers.get(
                Role.PERSONAL_ADVISER, set()
            )
            assignees = {TaskKind.COMPLETE_PEP: inputs.teachers, TaskKind.ARRANGE_MEETING: workers}
        tasks = open_tasks.get(deadline.pk, ())
        if not assignees and not tasks:
            continue  # no task wanted and none open: nothing to work out
        done = {kind: _task_done(inputs, deadline, kind) for kind in _TASK_KINDS}
        have = set()
        for task_id, kind, assignee_id in tasks:
            if done[kind] or assignee_id not in assignees.get(kind, ()):
                to_close.append(task_id)
            else:
                have.add((kind, assignee_id))
        for kind, users in assignees.items():
            if done[kind]:
                continue
            title = _TASK_TITLES[kind].format(
                child=child.display_name, what=_KIND_LABELS[deadline.kind]
            )[:200]
            to_open.extend(
                (la_id, child.pk, deadline.pk, user_id, str(kind), title, deadline.due_date)
                + (created_at,)
                for user_id in sorted(users)
                if (kind, user_id) not in have
            )
    if to_close:
        Task.objects.filter(pk__in=to_close).update(closed_at=clock.now())
    if to_open:
        insert_rows(
            Task._meta.db_table,
            [
                "local_authority_id",
                "child_id",
                "deadline_id",
                "assignee_id",
                "kind",
                "title",
                "due_date",
                "created_at",
            ],
            to_open,
        )
    upsert_rows(
        table=DeadlineInputs._meta.db_table,
        columns=[
            "child_id",
            "local_authority_id",
            "fingerprint",
            "refreshed_on",
            "valid_until",
            "rules_version",
        ],
        rows=(
            (child_id, la_id, digest, day, valid_until[child_id], RULES_VERSION)
            for child_id, (_inputs, digest) in todo.items()
        ),
        conflict=["child_id"],
        update=["fingerprint", "refreshed_on", "valid_until", "rules_version"],
    )
    return len(todo)


def deadlines_refresh(
    *,
    child_ids: Iterable[int] = (),
    child: Child | None = None,
    local_authority_id: int | None = None,
    today: date | None = None,
    robust: bool = False,
    force: bool = False,
) -> int:
    """Bring the children's deadlines and tasks up to date with their records: create
    the deadlines their records call for, mark them met, drop unmet ones whose record has
    gone (a corrected date), open or close the tasks. Idempotent; a child whose inputs
    have not changed since its last refresh is skipped (``force`` redoes it). Returns how
    many children were worked out.

    The one way deadlines are recomputed. Runs inside the caller's transaction, in each
    authority's own database context. The children's authorities are looked up in the
    caller's context unless ``local_authority_id`` names it. ``robust`` (the services'
    calls): a failure is logged and rolled back on its own, the caller's change stands
    and the nightly refresh catches up."""
    ids = sorted({*child_ids, *([child.pk] if child is not None else [])})
    if not ids:
        return 0
    if local_authority_id is None and child is not None and len(ids) == 1:
        local_authority_id = child.local_authority_id
    if local_authority_id is not None:
        groups = {local_authority_id: ids}
    else:
        groups = {}
        for child_id, la_id in Child.objects.filter(pk__in=ids).values_list(
            "pk", "local_authority_id"
        ):
            groups.setdefault(la_id, []).append(child_id)
    day = today or _today()
    done = 0
    for la_id, group in sorted(groups.items()):
        try:
            with authority_context(local_authority_ids=[la_id]):
                la = LocalAuthority.objects.get(pk=la_id)
                for start in range(0, len(group), REFRESH_BATCH):
                    batch = _load_batch(la, group[start : start + REFRESH_BATCH], day)
                    done += _refresh_batch(batch, force=force)
        except Exception:
            if not robust:
                raise
            logger.exception("Refreshing the deadlines of children %s failed", group)
    return done


def deadlines_refresh_all(
    *, local_authority_id: int, today: date | None = None, changed_only: bool = False
) -> int:
    """Refresh every child in care of one authority. Returns how many children it covered
    (children whose inputs have not changed are covered without being redone).

    By default every child's inputs are read and compared with their digest: after a
    change of the authority's policy or calendar, and in the weekly check that nothing
    was changed behind the services' backs. ``changed_only`` (the nightly job) reads only
    the children the passing of time can have changed: never worked out, worked out under
    other rules or on a later day, or past their ``valid_until``. Every other change to a
    child's inputs was worked out when it was made (``children.hooks``), so the night's
    work is proportional to what changed."""
    day = today or _today()
    with authority_context(local_authority_ids=[local_authority_id]):
        in_care = Child.objects.filter(local_authority_id=local_authority_id).filter(
            Q(left_care_on__isnull=True) | Q(left_care_on__gte=day)
        )
        if changed_only:
            current = DeadlineInputs.objects.filter(
                local_authority_id=local_authority_id,
                rules_version=RULES_VERSION,
                refreshed_on__lte=day,
                valid_until__gt=day,
            )
            in_care = in_care.exclude(pk__in=current.values("child_id"))
        ids = list(in_care.order_by("pk").values_list("pk", flat=True))
        deadlines_refresh(child_ids=ids, local_authority_id=local_authority_id, today=day)
    return len(ids)


def _today() -> date:
    return today()


def deadlines_refresh_school_staff(*, school_ids, local_authority_id: int) -> int:
    """Who the authority lets act at these schools changed: its children on roll there
    today are worked out again (their designated teachers' tasks follow). Inside the
    change's transaction; a failure is logged and the weekly check catches up."""
    day = _today()
    with authority_context(local_authority_ids=[local_authority_id]):
        ids = list(
            Enrolment.objects.filter(
                current_on(day), local_authority_id=local_authority_id, school_id__in=school_ids
            ).values_list("child_id", flat=True)
        )
    return deadlines_refresh(
        child_ids=ids, local_authority_id=local_authority_id, today=day, robust=True
    )
