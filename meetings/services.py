"""Writes about PEP meetings. One transaction each, validated, with an audit event.

The social worker (or personal adviser) or the Virtual School schedules the PEP meeting.
Everyone invited gets an email with an iCalendar (.ics) invitation once the change is
committed; a change sends an update and a cancellation a cancel, both with the same UID
and a higher SEQUENCE, so calendars replace the event instead of adding another. Who was
there and the notes are recorded against the PEP afterwards.

Emails are built inside the transaction (where the row-level security context can read
the meeting) and put in the outbox in the same transaction, .ics attached
(``meetings.emails``): the outbox's dispatcher and workers deliver them (retrying a mail
failure) within a minute.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from children.hooks import children_changed
from children.models import Allocation, Enrolment, PlacementCarer, current_on
from children.permissions import today
from epep.audit.services import audit_record
from epep.tenancy import clock
from epep.tenancy.models import Membership
from epep.tenancy.roles import Role
from epep.tenancy.selectors import school_role_holders
from peps.models import EDITABLE_STATUSES, Pep, Status

from . import ics, permissions
from .emails import meeting_emails_queue
from .models import Meeting, MeetingAttendee, MeetingStatus

logger = logging.getLogger(__name__)

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
            roles=permissions.INVITED_FROM_THE_SCHOOL,
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
            current_on(day), child=child, kind__in=permissions.INVITED_ALLOCATIONS
        )
        .select_related("worker")
        .order_by("-kind")
    ):
        propose(allocation.worker, Role(allocation.kind).label)
    if permissions.invites_themself(actor):
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


def _require_arranger(actor, allowed: bool) -> None:
    """Who may do what is ``meetings.permissions``; a refusal is ``PermissionDenied``
    (the pages answer it with their 404)."""
    if not permissions.can_arrange_meetings(actor):
        raise PermissionDenied(
            "Only the social worker or the Virtual School arranges PEP meetings."
        )
    if not allowed:
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


def _refresh_deadlines(meeting: Meeting) -> None:
    """A meeting scheduled, moved, cancelled or held: what is worked out from the child's
    records (deadlines and tasks) follows at once (``children.hooks``)."""
    child_id = Pep.objects.filter(pk=meeting.pep_id).values_list("child_id", flat=True).first()
    if child_id is not None:
        children_changed(
            child_ids=[child_id], local_authority_id=meeting.local_authority_id, robust=True
        )


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
    _require_arranger(actor, permissions.can_schedule_meeting(actor, pep))
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
    meeting_emails_queue(
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
    _require_arranger(actor, permissions.can_update_meeting(actor, meeting))
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
    meeting_emails_queue(
        meeting,
        kind="update",
        method=ics.REQUEST,
        recipients=attendees,
        base_url=base_url,
        by=actor.user,
    )
    meeting_emails_queue(
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
    _require_arranger(actor, permissions.can_cancel_meeting(actor, meeting))
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
    meeting_emails_queue(
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
    from peps.permissions import can_record_meeting_held
    from peps.services import pep_transition

    _require_arranger(actor, permissions.can_record_meeting(actor, meeting))
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
    if pep.status == Status.DRAFT and can_record_meeting_held(actor, pep):
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
