"""Writes about PEP meetings. One transaction each, validated, with an audit event.

The social worker (or personal adviser) or the Virtual School schedules the PEP meeting.
Everyone invited gets an email with an iCalendar (.ics) invitation once the change is
committed; a change sends an update and a cancellation a cancel, both with the same UID
and a higher SEQUENCE, so calendars replace the event instead of adding another. Who was
there and the notes are recorded against the PEP afterwards.

Emails are built inside the transaction (where the row-level security context can read
the meeting) and sent after it commits; a mail failure is logged and does not undo the
change (``robust=True``).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import MIMEPart
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from children.models import Allocation, Child, Enrolment, Placement, PlacementCarer, current_on
from children.permissions import today
from epep.audit.services import audit_record
from epep.tenancy import clock
from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority, Membership
from epep.tenancy.roles import VIRTUAL_SCHOOL_ROLES, Role
from epep.tenancy.selectors import school_role_holders
from peps.models import EDITABLE_STATUSES, Pep, Status

from . import deadlines as rules
from . import ics
from .calendars import CalendarExhausted, local_date, school_days_between, working_days_between
from .models import (
    Deadline,
    DeadlineInputs,
    DeadlineKind,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    SchoolClosure,
    SchoolTerm,
    SubmissionDate,
    Task,
    TaskKind,
)

logger = logging.getLogger(__name__)

#: Who arranges PEP meetings: the social worker (personal adviser post-16) or the
#: Virtual School. Designated teachers, carers and young people are invited.
SCHEDULERS = frozenset({Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER, Role.VS_HEAD, Role.VS_OFFICER})
MIN_DURATION = 15
MAX_DURATION = 8 * 60
#: How far ahead a meeting can be booked.
MAX_AHEAD = timedelta(days=366)
MAX_EXTRA_EMAILS = 20
EXTRA_LABEL = "Invited by email"


@dataclass(frozen=True)
class ProposedAttendee:
    """Someone from the child's circle the form offers to invite."""

    user: object
    role_label: str
    #: ticked on the form to start with
    checked: bool = True

    @property
    def email(self) -> str:
        return self.user.email.strip().lower()

    @property
    def name(self) -> str:
        return self.user.full_name


# --- Rules shared with the form (pure; no database) ---------------------------------------


def check_when(starts_at: datetime | None, *, now: datetime | None = None) -> str | None:
    if starts_at is None:
        return "Enter the date and time of the meeting"
    now = now or clock.now()
    if starts_at <= now:
        return "The meeting must be in the future"
    if starts_at > now + MAX_AHEAD:
        return "The meeting must be within the next 12 months"
    return None


def check_place(location: str, online_link: str) -> str | None:
    if not (location or "").strip() and not (online_link or "").strip():
        return "Enter where the meeting is, or a link to join online"
    return None


def check_online_link(online_link: str) -> str | None:
    if not online_link:
        return None
    try:
        URLValidator(schemes=["https"])(online_link)
    except ValidationError:
        return "Enter the link to join online as a web address starting with https://"
    return None


def check_email(email: str) -> str | None:
    try:
        validate_email(email)
    except ValidationError:
        return f"“{email}” is not an email address. Enter it like name@example.org"
    return None


# --- Who is proposed ----------------------------------------------------------------------


def default_attendees(pep: Pep, *, actor=None) -> list[ProposedAttendee]:
    """The child's current circle: the designated teacher(s) at the child's school, the
    current carers, the young person if they have an account, the allocated social worker
    (and personal adviser), and a Virtual School officer — the actor themself when they
    work for the Virtual School, otherwise the authority's officers, not ticked, to pick
    one."""
    day = today()
    child = pep.child
    proposals: dict[int, ProposedAttendee] = {}

    def propose(user, label: str, checked: bool = True) -> None:
        if user.is_active and user.pk not in proposals:
            proposals[user.pk] = ProposedAttendee(user=user, role_label=label, checked=checked)

    enrolment = Enrolment.objects.filter(current_on(day), child=child).first()
    school_id = enrolment.school_id if enrolment else pep.school_id
    if school_id:
        for teacher in school_role_holders(
            school_ids=[school_id],
            authority_id=child.local_authority_id,
            roles=[Role.DESIGNATED_TEACHER],
        ):
            propose(teacher, Role.DESIGNATED_TEACHER.label)
    current_placement = Q(placement__start_date__lte=day) & (
        Q(placement__end_date__isnull=True) | Q(placement__end_date__gt=day)
    )
    for link in (
        PlacementCarer.objects.filter(current_placement, placement__child=child)
        .select_related("user")
        .order_by("user__full_name")
    ):
        propose(link.user, Role.CARER.label)
    for membership in (
        Membership.objects.active()
        .filter(role=Role.YOUNG_PERSON, child=child)
        .select_related("user")
        .order_by("user__full_name")
    ):
        propose(membership.user, ics.YOUNG_PERSON_LABEL)
    for allocation in (
        Allocation.objects.filter(
            current_on(day), child=child, kind__in=[Role.PERSONAL_ADVISER, Role.SOCIAL_WORKER]
        )
        .select_related("worker")
        .order_by("-kind")
    ):
        propose(allocation.worker, Role(allocation.kind).label)
    if actor is not None and actor.role in VIRTUAL_SCHOOL_ROLES:
        propose(actor.user, actor.role_label)
    else:
        for membership in (
            Membership.objects.active()
            .filter(role=Role.VS_OFFICER, local_authority_id=pep.local_authority_id)
            .select_related("user")
            .order_by("user__full_name")
        ):
            propose(membership.user, Role.VS_OFFICER.label, checked=False)
    return list(proposals.values())


# --- Helpers ------------------------------------------------------------------------------


def _require_scheduler(actor, pep: Pep) -> None:
    from peps.selectors import peps_for

    if actor is None or actor.role not in SCHEDULERS:
        raise PermissionDenied(
            "Only the social worker or the Virtual School arranges PEP meetings."
        )
    if not peps_for(actor=actor).filter(pk=pep.pk).exists():
        raise PermissionDenied("You cannot arrange a meeting for this PEP.")


def _lock_open_pep(pep: Pep) -> Pep:
    """Lock the PEP (one change of its meeting at a time) and check it can still change."""
    locked = Pep.objects.select_for_update(of=("self",)).select_related("child").get(pk=pep.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"This PEP is {locked.get_status_display().lower()}: its meeting cannot be changed."
        )
    return locked


def _lock_meeting(meeting: Meeting, *statuses: str) -> Meeting:
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("pep", "pep__child", "organiser")
        .get(pk=meeting.pk)
    )
    if locked.status not in statuses:
        raise ValidationError(f"This meeting is {locked.get_status_display().lower()}.")
    return locked


def _audit(actor, action: str, meeting: Meeting, **detail) -> None:
    audit_record(
        acting_user=actor.user,
        role=actor.role,
        action=action,
        object_type="meetings.meeting",
        object_id=str(meeting.public_id),
        local_authority_id=meeting.local_authority_id,
        child_public_id=meeting.pep.child.public_id,
        detail={"pep": str(meeting.pep.public_id), "sequence": meeting.sequence, **detail},
    )


@dataclass(frozen=True)
class _Invitee:
    email: str
    name: str
    role_label: str
    user: object | None


def _clean(
    *,
    starts_at: datetime | None,
    duration_minutes,
    location: str,
    online_link: str,
    attendee_users: Iterable,
    extra_emails: Iterable[str],
    allowed: dict[int, ProposedAttendee],
) -> tuple[dict, list[_Invitee]]:
    """Check everything at once; a ValidationError names each field's problem."""
    errors: dict[str, str] = {}
    location = (location or "").strip()
    online_link = (online_link or "").strip()
    if starts_at is not None and timezone.is_naive(starts_at):
        raise ValueError("starts_at must be an aware datetime")
    if problem := check_when(starts_at):
        errors["starts_at"] = problem
    try:
        duration = int(duration_minutes)
    except (TypeError, ValueError):
        duration = 0
    if not MIN_DURATION <= duration <= MAX_DURATION:
        errors["duration_minutes"] = "Choose how long the meeting lasts: 15 minutes to 8 hours"
    if len(location) > 300:
        errors["location"] = "The place must be 300 characters or fewer"
    elif problem := check_place(location, online_link):
        errors["location"] = problem
    if len(online_link) > 500:
        errors["online_link"] = "The link must be 500 characters or fewer"
    elif problem := check_online_link(online_link):
        errors["online_link"] = problem
    invitees: dict[str, _Invitee] = {}
    for user in attendee_users:
        proposal = allowed.get(user.pk)
        if proposal is None:
            errors["attendee_users"] = "Choose people from the list"
            break
        invitees.setdefault(
            proposal.email,
            _Invitee(proposal.email, proposal.name, proposal.role_label, proposal.user),
        )
    extra = [e.strip().lower() for e in extra_emails if e and e.strip()]
    if len(extra) > MAX_EXTRA_EMAILS:
        errors["extra_emails"] = f"Invite at most {MAX_EXTRA_EMAILS} other people by email"
    else:
        for email in extra:
            if problem := check_email(email):
                errors["extra_emails"] = problem
                break
            invitees.setdefault(email, _Invitee(email, "", EXTRA_LABEL, None))
    if not invitees and "attendee_users" not in errors and "extra_emails" not in errors:
        errors["attendee_users"] = "Choose who to invite, or add someone by email"
    if errors:
        raise ValidationError(errors)
    fields = {
        "starts_at": starts_at,
        "duration_minutes": duration,
        "location": location,
        "online_link": online_link,
    }
    return fields, list(invitees.values())


def _set_attendees(meeting: Meeting, invitees: list[_Invitee]) -> tuple[list, list]:
    """Make the attendee rows match ``invitees`` (kept by email). Returns the attendees
    now invited and the ones taken off the list."""
    existing = {a.email: a for a in meeting.attendees.all()}
    wanted = {i.email for i in invitees}
    removed = [a for email, a in existing.items() if email not in wanted]
    if removed:
        MeetingAttendee.objects.filter(pk__in=[a.pk for a in removed]).delete()
    current = []
    for position, invitee in enumerate(invitees):
        attendee = existing.get(invitee.email)
        if attendee is None:
            attendee = MeetingAttendee(
                local_authority_id=meeting.local_authority_id, meeting=meeting, email=invitee.email
            )
        attendee.user = invitee.user
        attendee.name = invitee.name
        attendee.role_label = invitee.role_label
        attendee.position = position
        attendee.full_clean(exclude=["meeting", "local_authority", "user"], validate_unique=False)
        attendee.save()
        current.append(attendee)
    return current, removed


def _set_pep_meeting_date(pep: Pep, meeting: Meeting) -> None:
    """The PEP's own meeting date follows the meeting, through the PEP's rules: only while
    the PEP can change."""
    Pep.objects.filter(pk=pep.pk, status__in=EDITABLE_STATUSES).update(
        meeting_date=timezone.localdate(meeting.starts_at)
    )


def _attachment(content: bytes, method: str, name: str) -> MIMEPart:
    part = MIMEPart()
    part.set_content(
        content.decode(),
        subtype="calendar",
        charset="utf-8",
        params={"method": method},
        disposition="attachment",
        filename=name,
    )
    return part


def _when_label(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    return f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M} to {end:%H:%M}"


def _queue_emails(
    meeting: Meeting,
    *,
    kind: str,
    method: str,
    recipients: Sequence[MeetingAttendee],
    base_url: str,
    by,
    per_recipient_ics: bool = False,
) -> list[EmailMessage]:
    """Build one email per recipient now; send them all after the commit."""
    if not recipients:
        return []
    subject_prefix = {"invitation": "", "update": "Changed: ", "cancellation": "Cancelled: "}
    summary = ics.summary(meeting)
    when = _when_label(meeting)
    pep_url = base_url.rstrip("/") + reverse(
        "portal:pep_detail", kwargs={"pep_id": meeting.pep.public_id}
    )
    shared = None if per_recipient_ics else ics.meeting_ics(meeting, method, base_url=base_url)
    messages = []
    for attendee in recipients:
        content = shared or ics.meeting_ics(
            meeting, method, base_url=base_url, attendees=[attendee]
        )
        body = render_to_string(
            f"meetings/email/{kind}.txt",
            {
                "attendee": attendee,
                # The young person's own name stays out of emails too (they get forwarded).
                "greeting_name": ""
                if attendee.role_label == ics.YOUNG_PERSON_LABEL
                else attendee.name,
                "meeting": meeting,
                "initials": ics.child_initials(meeting.pep.child),
                "when": when,
                # who made this change (not always who first arranged the meeting)
                "organiser": by.full_name,
                # Only people with an ePEP account can follow the link.
                "pep_url": pep_url if attendee.user_id else "",
                "uninvited": per_recipient_ics,
            },
        )
        message = EmailMessage(
            subject=f"{subject_prefix[kind]}{summary}, {when}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[attendee.email],
        )
        message.attach(_attachment(content, method, ics.filename(meeting)))
        messages.append(message)
    transaction.on_commit(partial(_send, messages), robust=True)
    return messages


def _refresh_deadlines(meeting: Meeting) -> None:
    """A meeting scheduled, moved, cancelled or held: the child's tasks follow at once."""
    child_id = Pep.objects.filter(pk=meeting.pep_id).values_list("child_id", flat=True).first()
    if child_id is not None:
        deadlines_refresh(
            child_ids=[child_id], local_authority_id=meeting.local_authority_id, robust=True
        )


def _send(messages: list[EmailMessage]) -> None:
    mailers.default.send_messages(messages)


# --- Services -----------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    actor,
    pep: Pep,
    starts_at: datetime | None,
    duration_minutes: int = 60,
    location: str = "",
    online_link: str = "",
    attendee_users: Iterable = (),
    extra_emails: Iterable[str] = (),
    base_url: str,
) -> Meeting:
    """Schedule the PEP's meeting and invite everyone chosen."""
    _require_scheduler(actor, pep)
    pep = _lock_open_pep(pep)
    if Meeting.objects.filter(pep=pep, status=MeetingStatus.SCHEDULED).exists():
        raise ValidationError(
            "This PEP already has a meeting scheduled. Change or cancel that meeting instead."
        )
    allowed = {p.user.pk: p for p in default_attendees(pep, actor=actor)}
    fields, invitees = _clean(
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        online_link=online_link,
        attendee_users=attendee_users,
        extra_emails=extra_emails,
        allowed=allowed,
    )
    meeting = Meeting(
        local_authority_id=pep.local_authority_id,
        pep=pep,
        ical_uid=f"{uuid.uuid4()}@epep",
        sequence=0,
        organiser=actor.user,
        **fields,
    )
    meeting.full_clean(exclude=["pep", "local_authority", "organiser"])
    meeting.save()
    attendees, _ = _set_attendees(meeting, invitees)
    _set_pep_meeting_date(pep, meeting)
    _audit(actor, "create", meeting, invited=[a.email for a in attendees])
    _refresh_deadlines(meeting)
    _queue_emails(
        meeting,
        kind="invitation",
        method=ics.REQUEST,
        recipients=attendees,
        base_url=base_url,
        by=actor.user,
    )
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor,
    meeting: Meeting,
    starts_at: datetime | None,
    duration_minutes: int,
    location: str,
    online_link: str,
    attendee_users: Iterable = (),
    extra_emails: Iterable[str] = (),
    base_url: str,
) -> Meeting:
    """Change a scheduled meeting: everyone invited gets an update (same UID, SEQUENCE
    + 1); anyone taken off the list gets a cancellation."""
    _require_scheduler(actor, meeting.pep)
    meeting = _lock_meeting(meeting, MeetingStatus.SCHEDULED)
    pep = _lock_open_pep(meeting.pep)
    allowed = {p.user.pk: p for p in default_attendees(pep, actor=actor)}
    for attendee in meeting.attendees.select_related("user"):
        if attendee.user is not None:
            allowed.setdefault(
                attendee.user.pk,
                ProposedAttendee(user=attendee.user, role_label=attendee.role_label),
            )
    fields, invitees = _clean(
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        online_link=online_link,
        attendee_users=attendee_users,
        extra_emails=extra_emails,
        allowed=allowed,
    )
    before = [a.email for a in meeting.attendees.all()]
    changed = sorted(k for k, v in fields.items() if getattr(meeting, k) != v)
    if not changed and before == [i.email for i in invitees]:
        return meeting
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.sequence += 1
    meeting.full_clean(exclude=["pep", "local_authority", "organiser"])
    meeting.save()
    attendees, removed = _set_attendees(meeting, invitees)
    _set_pep_meeting_date(pep, meeting)
    _refresh_deadlines(meeting)
    _audit(
        actor,
        "update",
        meeting,
        fields=changed,
        invited=[a.email for a in attendees],
        uninvited=[a.email for a in removed],
    )
    _queue_emails(
        meeting,
        kind="update",
        method=ics.REQUEST,
        recipients=attendees,
        base_url=base_url,
        by=actor.user,
    )
    _queue_emails(
        meeting,
        kind="cancellation",
        method=ics.CANCEL,
        recipients=removed,
        base_url=base_url,
        by=actor.user,
        per_recipient_ics=True,
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str, base_url: str = "") -> Meeting:
    """Cancel a scheduled meeting: everyone invited gets a cancellation (METHOD:CANCEL,
    same UID, SEQUENCE + 1). The reason stays in ePEP: it is not emailed."""
    _require_scheduler(actor, meeting.pep)
    meeting = _lock_meeting(meeting, MeetingStatus.SCHEDULED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the meeting is cancelled"})
    if len(reason) > 2000:
        raise ValidationError({"reason": "The reason must be 2,000 characters or fewer"})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    # The PEP's date goes too, unless the PEP has moved past its meeting.
    Pep.objects.filter(
        pk=meeting.pep_id,
        status__in=[Status.DRAFT, Status.RETURNED],
        meeting_date=timezone.localdate(meeting.starts_at),
    ).update(meeting_date=None)
    attendees = list(meeting.attendees.all())
    _audit(actor, "cancel", meeting, reason=reason, told=[a.email for a in attendees])
    _refresh_deadlines(meeting)
    _queue_emails(
        meeting,
        kind="cancellation",
        method=ics.CANCEL,
        recipients=attendees,
        base_url=base_url,
        by=actor.user,
    )
    return meeting


@transaction.atomic
def meeting_record(*, actor, meeting: Meeting, attended: dict, notes: str) -> Meeting:
    """Record who came and the notes, once the meeting has started. ``attended`` maps
    each attendee's ``public_id`` to True or False. The PEP's meeting date becomes the
    meeting's, and a draft PEP moves to "meeting held" (the PEP's own rule)."""
    from peps import rules
    from peps.services import pep_transition

    _require_scheduler(actor, meeting.pep)
    meeting = _lock_meeting(meeting, MeetingStatus.SCHEDULED, MeetingStatus.HELD)
    if meeting.starts_at > clock.now():
        raise ValidationError("Attendance can be recorded once the meeting has started.")
    pep = _lock_open_pep(meeting.pep)
    attendees = list(meeting.attendees.all())
    answers = {str(k): v for k, v in attended.items()}
    errors = {}
    for attendee in attendees:
        if answers.get(str(attendee.public_id)) not in (True, False):
            errors[f"attended_{attendee.public_id}"] = (
                f"Say whether {attendee.name or attendee.email} attended"
            )
    unknown = set(answers) - {str(a.public_id) for a in attendees}
    if unknown:
        errors["attended"] = "Record attendance only for the people invited"
    notes = (notes or "").strip()
    if len(notes) > 20000:
        errors["notes"] = "The notes must be 20,000 characters or fewer"
    if errors:
        raise ValidationError(errors)
    for attendee in attendees:
        attendee.attended = answers[str(attendee.public_id)]
    MeetingAttendee.objects.bulk_update(attendees, ["attended"])
    meeting.status = MeetingStatus.HELD
    meeting.notes = notes
    meeting.recorded_by = actor.user
    meeting.recorded_at = clock.now()
    meeting.save(update_fields=["status", "notes", "recorded_by", "recorded_at", "updated_at"])
    _set_pep_meeting_date(pep, meeting)
    _audit(
        actor,
        "record",
        meeting,
        attended=sum(1 for a in attendees if a.attended),
        absent=sum(1 for a in attendees if not a.attended),
    )
    move = rules.move_between(pep.status, Status.MEETING_HELD)
    if move is not None and actor.role in move.roles:
        pep.refresh_from_db()
        pep_transition(
            actor=actor,
            pep=pep,
            target_status=Status.MEETING_HELD,
            state_version=pep.state_version,
            meeting_date=timezone.localdate(meeting.starts_at),
        )  # refreshes the deadlines itself
    else:
        _refresh_deadlines(meeting)
    return meeting


# --- Deadlines and tasks (rules in meetings.deadlines) --------------------------------------
#
# A deadline is **met** by the first PEP of the child (of any kind: a full PEP at a change
# serves every obligation open at the time) whose **meeting was held** on or after the
# deadline's trigger date (the day care started, the school or placement started, 1
# September of the new key stage, the previous submission date, or the last PEP): the
# authority's policy counts days to the PEP being *held* (``first_pep_limit``), and
# quality assurance and finalisation can take weeks after that. ``met_on`` is the PEP's
# meeting date (its finalisation date for a PEP finalised without one).
#
# ``deadlines_refresh(child_ids=...)`` is the only way deadlines and tasks are worked out.
# The services that change what they depend on (a child's care dates, enrolments,
# placements, allocations, PEPs, meetings; an authority's policy or calendar) call it once
# per change inside their transaction; bulk work calls it once for all the children it
# touched; the nightly job calls ``deadlines_refresh_all``. It works set-based, one batch
# of an authority's children at a time, in a fixed number of queries per batch: the
# calendar and every input read in bulk, the rules applied in Python, deadlines upserted
# and tasks opened and closed in bulk. A digest of each child's inputs
# (``DeadlineInputs``) lets a child whose inputs have not changed be skipped.

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
RULES_VERSION = "2026-12-1"


def _pep_held_on(pep: Pep) -> date | None:
    if pep.status not in HELD_STATUSES:
        return None
    if pep.meeting_date:
        return pep.meeting_date
    return local_date(pep.finalised_at) if pep.finalised_at else None


@dataclass
class _ChildInputs:
    """Everything one child's deadlines and tasks are worked out from."""

    child: Child
    enrolments: list = field(default_factory=list)  # newest first (the model's order)
    placements: list = field(default_factory=list)  # newest first
    peps: list = field(default_factory=list)
    meeting_days: list = field(default_factory=list)  # scheduled or held, Europe/London
    workers: dict = field(default_factory=dict)  # allocation kind -> worker ids today
    enrolment: Enrolment | None = None  # the current one
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
        child.pk: _ChildInputs(child=child)
        for child in Child.objects.filter(pk__in=_any(child_ids), local_authority_id=la.pk)
    }
    ids = _any(children)
    for enrolment in Enrolment.objects.filter(child_id__in=ids).select_related("school"):
        children[enrolment.child_id].enrolments.append(enrolment)
    for placement in Placement.objects.filter(child_id__in=ids):
        children[placement.child_id].placements.append(placement)
    for pep in Pep.objects.filter(child_id__in=ids).only(
        "pk", "child_id", "status", "meeting_date", "finalised_at"
    ):
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
        batch.day,
        (la.first_pep_limit, la.first_pep_unit, la.review_cadence),
        tuple(batch.terms),
        tuple(sorted(set(batch.submission_dates))),
        (child.entered_care_on, child.left_care_on, child.date_of_birth, child.display_name),
        tuple(sorted(inputs.closures)),
        tuple(
            (e.pk, e.school_id, e.school.name, e.start_date, e.end_date) for e in inputs.enrolments
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
    """(kind, trigger, Due) for every obligation the child's records create."""
    la, day, terms, closures = batch.la, batch.day, batch.terms, inputs.closures
    child = inputs.child
    entered = child.entered_care_on
    end = child.left_care_on
    wanted = [
        (
            DeadlineKind.FIRST_PEP,
            entered,
            rules.first_pep_due(
                entered,
                limit=la.first_pep_limit,
                unit=la.first_pep_unit,
                terms=terms,
                closures=closures,
            ),
        ),
        (DeadlineKind.STATUTORY_REVIEW_READY, entered, rules.statutory_review_ready_due(entered)),
    ]
    # Changes after entering care (not care's start).
    for enrolment in (e for e in inputs.enrolments if e.start_date > entered):
        due = rules.new_school_due(enrolment.start_date, terms, closures)
        source = f"{enrolment.school.name}: {due.source}"
        wanted.append(
            (DeadlineKind.NEW_SCHOOL, enrolment.start_date, rules.Due(due.date, source[:300]))
        )
    for placement in (p for p in inputs.placements if p.start_date > entered):
        due = rules.new_placement_due(placement.start_date, terms, closures)
        wanted.append((DeadlineKind.NEW_PLACEMENT, placement.start_date, due))
    until = min(end, day + timedelta(days=366)) if end else day + timedelta(days=366)
    for year, starts in rules.key_stage_starts(child.date_of_birth, entered, until):
        wanted.append((DeadlineKind.KEY_STAGE, starts, rules.key_stage_due(year, starts, terms)))
    if la.review_cadence == LocalAuthority.ReviewCadence.SIX_MONTHLY:
        finalised = [on for on, pep in held if pep.status == Status.FINALISED]
        if finalised:
            last = max(finalised)
            wanted.append(
                (DeadlineKind.SIX_MONTHLY, last + timedelta(days=1), rules.six_monthly_due(last))
            )
    else:
        first_due = wanted[0][2].date
        dues = rules.termly_review_dues(batch.submission_dates, since=first_due, today=day)
        for trigger, due in dues:
            source = f"The authority's termly submission date ({rules.long_date(due)})"
            start = entered if trigger == first_due else trigger + timedelta(days=1)
            wanted.append((DeadlineKind.TERMLY_REVIEW, start, rules.Due(due, source)))
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


def _task_done(inputs: _ChildInputs, deadline: Deadline, kind: str) -> bool:
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


_TASK_TITLES = {
    TaskKind.COMPLETE_PEP: "Complete the PEP for {child} ({what})",
    TaskKind.ARRANGE_MEETING: "Arrange the PEP meeting for {child} ({what})",
}


def _refresh_batch(batch: _Batch, *, force: bool = False) -> int:
    """Work out the batch's changed children; returns how many were worked out."""
    day, la_id = batch.day, batch.la.pk
    stored = dict(
        DeadlineInputs.objects.filter(child_id__in=_any(batch.children)).values_list(
            "child_id", "fingerprint"
        )
    )
    todo = {}
    for child_id, inputs in batch.children.items():
        digest = _fingerprint(batch, inputs)
        if force or stored.get(child_id) != digest:
            todo[child_id] = (inputs, digest)
    if not todo:
        return 0
    existing: dict[int, dict] = {}
    for deadline in Deadline.objects.filter(child_id__in=_any(todo)):
        existing.setdefault(deadline.child_id, {})[(deadline.kind, deadline.due_date)] = deadline
    open_tasks: dict[int, list[Task]] = {}
    for task in Task.objects.filter(child_id__in=_any(todo), closed_at__isnull=True):
        open_tasks.setdefault(task.deadline_id, []).append(task)

    # Deadlines: kept as they are, or upserted (new or changed); unmet ones whose record
    # has gone (a corrected date) are dropped.
    kept: list[tuple[_ChildInputs, Deadline]] = []
    upserts: list[Deadline] = []
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
            met_on, met_by = met if met else (None, None)
            deadline = have.pop(key, None)
            if deadline is None or (
                deadline.trigger_date,
                deadline.source,
                deadline.met_on,
                deadline.met_by_id,
            ) != (trigger, source, met_on, met_by.pk if met_by else None):
                deadline = Deadline(
                    local_authority_id=la_id,
                    child_id=child_id,
                    kind=kind,
                    due_date=due.date,
                    trigger_date=trigger,
                    source=source,
                    met_on=met_on,
                    met_by=met_by,
                )
                upserts.append(deadline)
            kept.append((inputs, deadline))
        stale.extend(d.pk for d in have.values() if d.met_on is None)
    if upserts:
        Deadline.objects.bulk_create(
            upserts,
            update_conflicts=True,
            unique_fields=["child", "kind", "due_date"],
            update_fields=["trigger_date", "source", "met_on", "met_by"],
        )
    if stale:
        Deadline.objects.filter(pk__in=stale).delete()

    # Tasks: opened once the deadline is within 20 school days (or overdue), for the people
    # whose job it is; closed when the work is done or the person no longer works with the
    # child.
    to_close: list[int] = []
    to_open: list[Task] = []
    for inputs, deadline in kept:
        child = inputs.child
        calendar = (batch.terms, inputs.closures)
        in_window = day > deadline.due_date or _days_until(day, deadline.due_date, calendar) <= (
            TASK_LEAD_DAYS
        )
        in_care = child.left_care_on is None or child.left_care_on > day
        assignees: dict[str, frozenset | set] = {}
        if in_window and in_care:
            workers = inputs.workers.get(Role.SOCIAL_WORKER) or inputs.workers.get(
                Role.PERSONAL_ADVISER, set()
            )
            assignees = {TaskKind.COMPLETE_PEP: inputs.teachers, TaskKind.ARRANGE_MEETING: workers}
        done = {kind: _task_done(inputs, deadline, kind) for kind in TaskKind.values}
        have = set()
        for task in open_tasks.get(deadline.pk, ()):
            if done[task.kind] or task.assignee_id not in assignees.get(task.kind, ()):
                to_close.append(task.pk)
            else:
                have.add((task.kind, task.assignee_id))
        for kind, users in assignees.items():
            if done[kind]:
                continue
            title = _TASK_TITLES[kind].format(
                child=child.display_name, what=deadline.get_kind_display()
            )[:200]
            to_open.extend(
                Task(
                    local_authority_id=la_id,
                    child_id=child.pk,
                    deadline=deadline,
                    assignee_id=user_id,
                    kind=kind,
                    title=title,
                    due_date=deadline.due_date,
                )
                for user_id in sorted(users)
                if (kind, user_id) not in have
            )
    if to_close:
        Task.objects.filter(pk__in=to_close).update(closed_at=clock.now())
    if to_open:
        Task.objects.bulk_create(to_open)
    DeadlineInputs.objects.bulk_create(
        [
            DeadlineInputs(
                child_id=child_id, local_authority_id=la_id, fingerprint=digest, refreshed_on=day
            )
            for child_id, (_inputs, digest) in todo.items()
        ],
        update_conflicts=True,
        unique_fields=["child"],
        update_fields=["fingerprint", "refreshed_on"],
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


def deadlines_refresh_all(*, local_authority_id: int, today: date | None = None) -> int:
    """Refresh every child in care of one authority (for the nightly job, and after a
    change of the authority's policy or calendar). Returns how many children it covered
    (children whose inputs have not changed are covered without being redone)."""
    day = today or _today()
    with authority_context(local_authority_ids=[local_authority_id]):
        ids = list(
            Child.objects.filter(local_authority_id=local_authority_id)
            .filter(Q(left_care_on__isnull=True) | Q(left_care_on__gte=day))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        deadlines_refresh(child_ids=ids, local_authority_id=local_authority_id, today=day)
    return len(ids)


def _today() -> date:
    return today()
