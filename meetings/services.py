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

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import MIMEPart
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Q
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
    DeadlineKind,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    SubmissionDate,
    Task,
    TaskKind,
)
from .selectors import calendar_for

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
        )
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


def _pep_held_on(pep: Pep) -> date | None:
    if pep.status not in HELD_STATUSES:
        return None
    if pep.meeting_date:
        return pep.meeting_date
    return local_date(pep.finalised_at) if pep.finalised_at else None


def _wanted_deadlines(child: Child, day: date, terms, closures, held) -> list[tuple]:
    """(kind, trigger, Due) for every obligation the child's records create."""
    la: LocalAuthority = child.local_authority
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
    in_care = Q(start_date__gt=entered)  # changes after entering care (not care's start)
    for enrolment in Enrolment.objects.filter(in_care, child=child).select_related("school"):
        due = rules.new_school_due(enrolment.start_date, terms, closures)
        source = f"{enrolment.school.name}: {due.source}"
        wanted.append(
            (DeadlineKind.NEW_SCHOOL, enrolment.start_date, rules.Due(due.date, source[:300]))
        )
    for placement in Placement.objects.filter(in_care, child=child):
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
        dates = SubmissionDate.objects.filter(local_authority_id=la.pk).values_list(
            "date", flat=True
        )
        for trigger, due in rules.termly_review_dues(dates, since=first_due, today=day):
            source = f"The authority's termly submission date ({rules.long_date(due)})"
            start = entered if trigger == first_due else trigger + timedelta(days=1)
            wanted.append((DeadlineKind.TERMLY_REVIEW, start, rules.Due(due, source)))
    if end:  # nothing falls due after leaving care
        wanted = [w for w in wanted if w[2].date <= end]
    return wanted


@transaction.atomic
def deadlines_refresh(*, child: Child, today: date | None = None) -> list[Deadline]:
    """Create the child's deadlines from their records, mark them met, drop unmet ones
    whose record has gone (a corrected date), and open or close the tasks. Idempotent.

    Must run in a context that includes the child's authority."""
    day = today or _today()
    enrolment = Enrolment.objects.filter(current_on(day), child=child).first()
    terms, closures = calendar_for(
        local_authority=child.local_authority_id, school=enrolment.school_id if enrolment else None
    )
    peps = Pep.objects.filter(child=child, status__in=sorted(HELD_STATUSES))
    held = sorted(
        ((on, pep) for pep in peps if (on := _pep_held_on(pep)) is not None),
        key=lambda item: (item[0], item[1].pk),
    )
    wanted = _wanted_deadlines(child, day, terms, closures, held)
    existing = {(d.kind, d.due_date): d for d in Deadline.objects.filter(child=child)}
    kept = []
    for kind, trigger, due in wanted:
        key = (str(kind), due.date)
        if key in {(d.kind, d.due_date) for d in kept}:
            continue
        deadline = existing.pop(key, None)
        if deadline is None:
            deadline = Deadline(
                local_authority_id=child.local_authority_id,
                child=child,
                kind=kind,
                due_date=due.date,
                trigger_date=trigger,
                source=due.source[:300],
            )
        met = next(((on, pep) for on, pep in held if on >= trigger), None)
        met_on, met_by = met if met else (None, None)
        changed = (
            deadline.pk is None
            or deadline.trigger_date != trigger
            or deadline.source != due.source[:300]
            or deadline.met_on != met_on
            or deadline.met_by_id != (met_by.pk if met_by else None)
        )
        if changed:
            deadline.trigger_date, deadline.source = trigger, due.source[:300]
            deadline.met_on, deadline.met_by = met_on, met_by
            deadline.save()
        kept.append(deadline)
    stale = [d.pk for d in existing.values() if d.met_on is None]
    if stale:
        Deadline.objects.filter(pk__in=stale).delete()
    for deadline in kept:
        tasks_refresh_for_deadline(
            deadline=deadline, today=day, calendar=(terms, closures), enrolment=enrolment
        )
    return kept


def deadlines_refresh_all(*, local_authority_id: int, today: date | None = None) -> int:
    """Refresh every child in care of one authority (for the nightly job). Returns how
    many children were refreshed."""
    day = today or _today()
    with authority_context(local_authority_ids=[local_authority_id]):
        children = Child.objects.filter(local_authority_id=local_authority_id).filter(
            Q(left_care_on__isnull=True) | Q(left_care_on__gte=day)
        )
        count = 0
        for child in children.select_related("local_authority"):
            deadlines_refresh(child=child, today=day)
            count += 1
    return count


def _refresh_one(child_id: int, local_authority_id: int) -> None:
    with authority_context(local_authority_ids=[local_authority_id]):
        child = Child.objects.select_related("local_authority").filter(pk=child_id).first()
        if child is not None:
            deadlines_refresh(child=child)


def deadlines_refresh_later(*, child_id: int, local_authority_id: int) -> None:
    """After the current transaction commits, refresh one child's deadlines in its own
    transaction and context (``robust``: a failure is logged, the change stands)."""
    transaction.on_commit(partial(_refresh_one, child_id, local_authority_id), robust=True)


def deadlines_refresh_now(*, child_id: int, local_authority_id: int) -> None:
    """Refresh one child's deadlines now, inside the caller's transaction (a savepoint:
    a failure is logged and rolled back on its own, the caller's change stands)."""
    try:
        _refresh_one(child_id, local_authority_id)
    except Exception:
        logger.exception("Refreshing the deadlines of child %s failed", child_id)


def _today() -> date:
    return today()


def _days_until(day: date, due: date, calendar) -> int:
    terms, closures = calendar
    if terms:
        try:
            return school_days_between(day, due, terms, closures)
        except CalendarExhausted:
            pass
    return working_days_between(day, due)


def _task_assignees(deadline: Deadline, day: date, enrolment) -> dict[str, set[int]]:
    """complete_pep: the designated teachers of the child's current school;
    arrange_meeting: the allocated social worker (the personal adviser when there is none)."""
    teachers: set[int] = set()
    if enrolment is not None:
        teachers = set(
            school_role_holders(
                school_ids=[enrolment.school_id],
                authority_id=deadline.local_authority_id,
                roles=[Role.DESIGNATED_TEACHER],
            ).values_list("pk", flat=True)
        )
    workers = {
        kind: set(
            Allocation.objects.filter(
                current_on(day), child_id=deadline.child_id, kind=kind
            ).values_list("worker_id", flat=True)
        )
        for kind in (Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER)
    }
    return {
        TaskKind.COMPLETE_PEP: teachers,
        TaskKind.ARRANGE_MEETING: workers[Role.SOCIAL_WORKER] or workers[Role.PERSONAL_ADVISER],
    }


def _task_done(deadline: Deadline, kind: str) -> bool:
    """arrange_meeting: a meeting is scheduled (or held) on or after the trigger date, or
    the deadline is met; complete_pep: a PEP held on or after it has been submitted to
    the Virtual School (or approved, finalised)."""
    peps = Pep.objects.filter(child_id=deadline.child_id)
    if kind == TaskKind.ARRANGE_MEETING:
        if deadline.met_on is not None:
            return True
        return Meeting.objects.filter(
            pep__in=peps,
            status__in=[MeetingStatus.SCHEDULED, MeetingStatus.HELD],
            starts_at__date__gte=deadline.trigger_date,
        ).exists()
    return (
        peps.filter(status__in=sorted(COMPLETED_STATUSES))
        .filter(
            Q(meeting_date__gte=deadline.trigger_date)
            | Q(meeting_date__isnull=True, finalised_at__date__gte=deadline.trigger_date)
        )
        .exists()
    )


_TASK_TITLES = {
    TaskKind.COMPLETE_PEP: "Complete the PEP for {child} ({what})",
    TaskKind.ARRANGE_MEETING: "Arrange the PEP meeting for {child} ({what})",
}


def tasks_refresh_for_deadline(
    *, deadline: Deadline, today: date | None = None, calendar=None, enrolment=None
) -> list[Task]:
    """Open the deadline's tasks once it is within 20 school days (or overdue), for the
    people whose job it is; close them when the work is done or the person no longer
    works with the child. Returns the open tasks."""
    day = today or _today()
    child = deadline.child
    if calendar is None:
        calendar = calendar_for(local_authority=deadline.local_authority_id)
    if enrolment is None:
        enrolment = Enrolment.objects.filter(current_on(day), child_id=deadline.child_id).first()
    open_tasks = list(Task.objects.filter(deadline=deadline, closed_at__isnull=True))
    now = clock.now()
    in_window = day > deadline.due_date or _days_until(day, deadline.due_date, calendar) <= (
        TASK_LEAD_DAYS
    )
    in_care = child.left_care_on is None or child.left_care_on > day
    assignees = _task_assignees(deadline, day, enrolment) if in_window and in_care else {}
    done = {kind: _task_done(deadline, kind) for kind in TaskKind.values}
    result, to_close = [], []
    for task in open_tasks:
        if done[task.kind] or task.assignee_id not in assignees.get(task.kind, set()):
            to_close.append(task.pk)
        else:
            result.append(task)
    if to_close:
        Task.objects.filter(pk__in=to_close).update(closed_at=now)
    have = {(t.kind, t.assignee_id) for t in result}
    for kind, users in assignees.items():
        if done[kind]:
            continue
        for user_id in sorted(users):
            if (kind, user_id) in have:
                continue
            task = Task.objects.create(
                local_authority_id=deadline.local_authority_id,
                child_id=deadline.child_id,
                deadline=deadline,
                assignee_id=user_id,
                kind=kind,
                title=_TASK_TITLES[kind].format(
                    child=child.display_name, what=deadline.get_kind_display()
                )[:200],
                due_date=deadline.due_date,
            )
            result.append(task)
    return sorted(result, key=lambda t: (t.due_date, t.pk))
