"""PEP meetings: schedule, see, change, cancel, record attendance, add to a calendar.

Every page finds the PEP through ``peps.selectors.access_pep_by_id`` and the meeting
through ``meetings.selectors.access_meeting_by_id`` (only among that PEP's meetings), so a
meeting out of reach and one that does not exist get the same 404, and the refusal is
recorded. Who may do what is ``meetings.permissions``: only the roles that arrange
meetings reach the pages that change them (others get the same 404); everyone who can see
the PEP can see its meeting; the page's buttons come from ``meeting_flags``.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from epep.audit.services import audit_record
from epep.exports import attachment_header
from epep.tenancy import clock
from meetings import ics, services
from meetings.models import Meeting, MeetingStatus
from meetings.permissions import ARRANGERS, meeting_flags
from meetings.selectors import access_meeting_by_id
from peps.selectors import access_pep_by_id

from ..access import actor_required, roles_required
from .forms import SERVICE_FIELDS, CancelForm, MeetingForm, RecordForm

ARRANGER_ROLES = tuple(sorted(ARRANGERS))


def _meeting(request, pep, meeting_id: UUID) -> Meeting:
    return access_meeting_by_id(actor=request.actor, meeting_id=meeting_id, pep=pep)


def _meeting_url(meeting) -> str:
    return reverse(
        "portal:meeting_detail",
        kwargs={"pep_id": meeting.pep.public_id, "meeting_id": meeting.public_id},
    )


def _pep_url(pep) -> str:
    return reverse("portal:pep_detail", kwargs={"pep_id": pep.public_id})


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _add_service_errors(form, error: ValidationError, fields=SERVICE_FIELDS) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            target = fields.get(name, name)
            form.add_error(target if target in form.fields else None, problems)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _context(pep, **extra) -> dict:
    return {"pep": pep, "child": pep.child, **extra}


@actor_required
@roles_required(*ARRANGER_ROLES)
@require_http_methods(["GET", "POST"])
def meeting_schedule(request, pep_id: UUID):
    pep = access_pep_by_id(actor=request.actor, pep_id=pep_id)
    scheduled = pep.meetings.filter(status=MeetingStatus.SCHEDULED).first()
    if scheduled is not None:
        messages.info(request, "This PEP already has a meeting scheduled. You can change it here.")
        return redirect(_meeting_url(scheduled))
    if pep.is_locked:
        messages.info(
            request,
            f"This PEP is {pep.get_status_display().lower()}: its meeting cannot be arranged.",
        )
        return redirect(_pep_url(pep))
    proposals = services.default_attendees(pep, actor=request.actor)
    initial = {"attendees": [str(p.user.public_id) for p in proposals if p.checked]}
    form = MeetingForm(request.POST or None, proposals=proposals, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                actor=request.actor,
                pep=pep,
                starts_at=data["starts_at"],
                duration_minutes=data["duration"],
                location=data["location"],
                online_link=data["online_link"],
                attendee_users=form.attendee_users,
                extra_emails=data["extra_emails"],
                base_url=_base_url(request),
            )
        except PermissionDenied:
            raise Http404("Page not found") from None
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request, "The meeting is scheduled and the invitations are on their way."
            )
            return redirect(_meeting_url(meeting))
    return render(
        request,
        "portal/meetings/form.html",
        _context(
            pep,
            title=f"Schedule the PEP meeting: {pep.child.display_name}",
            heading="Schedule the PEP meeting",
            button="Schedule and send invitations",
            form=form,
        ),
        status=400 if form.is_bound else 200,
    )


@actor_required
@require_GET
def meeting_detail(request, pep_id: UUID, meeting_id: UUID):
    pep = access_pep_by_id(actor=request.actor, pep_id=pep_id)
    meeting = _meeting(request, pep, meeting_id)
    return render(
        request,
        "portal/meetings/detail.html",
        _context(
            pep,
            title=f"PEP meeting: {pep.child.display_name}",
            meeting=meeting,
            attendees=list(meeting.attendees.all()),
            **meeting_flags(request.actor, meeting),
        ),
    )


@actor_required
@roles_required(*ARRANGER_ROLES)
@require_http_methods(["GET", "POST"])
def meeting_change(request, pep_id: UUID, meeting_id: UUID):
    pep = access_pep_by_id(actor=request.actor, pep_id=pep_id)
    meeting = _meeting(request, pep, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED or pep.is_locked:
        messages.info(request, "This meeting can no longer be changed.")
        return redirect(_meeting_url(meeting))
    attendees = list(meeting.attendees.all())
    proposals = services.default_attendees(pep, actor=request.actor)
    known = {p.user.pk for p in proposals}
    by_user = [a for a in attendees if a.user_id]
    for attendee in by_user:
        if attendee.user_id not in known:
            proposals.append(
                services.ProposedAttendee(user=attendee.user, role_label=attendee.role_label)
            )
    start = timezone.localtime(meeting.starts_at)
    initial = {
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "duration": meeting.duration_minutes,
        "location": meeting.location,
        "online_link": meeting.online_link,
        "attendees": [str(a.user.public_id) for a in by_user],
        "extra_emails": "\n".join(a.email for a in attendees if not a.user_id),
    }
    form = MeetingForm(request.POST or None, proposals=proposals, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            updated = services.meeting_update(
                actor=request.actor,
                meeting=meeting,
                starts_at=data["starts_at"],
                duration_minutes=data["duration"],
                location=data["location"],
                online_link=data["online_link"],
                attendee_users=form.attendee_users,
                extra_emails=data["extra_emails"],
                base_url=_base_url(request),
            )
        except PermissionDenied:
            raise Http404("Page not found") from None
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            if updated.sequence == meeting.sequence:
                messages.info(request, "Nothing was changed, so no updates were sent.")
            else:
                messages.success(
                    request, "The meeting is changed and everyone invited has been told."
                )
            return redirect(_meeting_url(meeting))
    return render(
        request,
        "portal/meetings/form.html",
        _context(
            pep,
            title=f"Change the PEP meeting: {pep.child.display_name}",
            heading="Change the PEP meeting",
            button="Save and send updates",
            form=form,
            meeting=meeting,
        ),
        status=400 if form.is_bound else 200,
    )


@actor_required
@roles_required(*ARRANGER_ROLES)
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pep_id: UUID, meeting_id: UUID):
    pep = access_pep_by_id(actor=request.actor, pep_id=pep_id)
    meeting = _meeting(request, pep, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        messages.info(request, "This meeting is not scheduled any more.")
        return redirect(_meeting_url(meeting))
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                actor=request.actor,
                meeting=meeting,
                reason=form.cleaned_data["reason"],
                base_url=_base_url(request),
            )
        except PermissionDenied:
            raise Http404("Page not found") from None
        except ValidationError as error:
            _add_service_errors(form, error, {})
        else:
            messages.success(
                request, "The meeting is cancelled and everyone invited has been told."
            )
            return redirect(_pep_url(pep))
    return render(
        request,
        "portal/meetings/cancel.html",
        _context(pep, title="Cancel the PEP meeting", form=form, meeting=meeting),
        status=400 if form.is_bound else 200,
    )


@actor_required
@roles_required(*ARRANGER_ROLES)
@require_http_methods(["GET", "POST"])
def meeting_record(request, pep_id: UUID, meeting_id: UUID):
    pep = access_pep_by_id(actor=request.actor, pep_id=pep_id)
    meeting = _meeting(request, pep, meeting_id)
    if meeting.status == MeetingStatus.CANCELLED or meeting.starts_at > clock.now():
        messages.info(request, "Attendance can be recorded once the meeting has started.")
        return redirect(_meeting_url(meeting))
    attendees = list(meeting.attendees.all())
    form = RecordForm(
        request.POST or None,
        attendees=attendees,
        initial={"notes": meeting.notes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(
                actor=request.actor,
                meeting=meeting,
                attended=form.attended,
                notes=form.cleaned_data["notes"],
            )
        except PermissionDenied:
            raise Http404("Page not found") from None
        except ValidationError as error:
            _add_service_errors(form, error, {})
        else:
            messages.success(request, "Attendance and notes are recorded.")
            return redirect(_meeting_url(meeting))
    return render(
        request,
        "portal/meetings/record.html",
        _context(pep, title="Record attendance and notes", form=form, meeting=meeting),
        status=400 if form.is_bound else 200,
    )


@actor_required
@require_GET
def meeting_ics_download(request, pep_id: UUID, meeting_id: UUID):
    pep = access_pep_by_id(actor=request.actor, pep_id=pep_id)
    meeting = _meeting(request, pep, meeting_id)
    content = ics.meeting_ics(meeting, ics.PUBLISH, base_url=_base_url(request))
    audit_record(
        acting_user=request.actor.user,
        role=request.actor.role,
        action="download_ics",
        object_type="meetings.meeting",
        object_id=str(meeting.public_id),
        local_authority_id=meeting.local_authority_id,
        child_public_id=pep.child.public_id,
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = attachment_header(ics.filename(meeting))
    return response
