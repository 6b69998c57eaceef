"""Finishing a PEP: asking the people who write the other sections (a request in their
in-tray and an email through the outbox), and recording that a section could not be
obtained (it then counts as complete, with the reason shown to everyone who reads it)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from epep.notifications.models import NotificationKind
from epep.notifications.services import notification_enqueue
from epep.tenancy import clock

from .. import permissions, selectors
from ..models import Pep, PepSection, SectionRequest, SectionRequestStatus
from ..sections import SECTION_BY_KEY, Section, sections_for
from ._common import _audit, _require_editable

MESSAGE_MAX = 2000
REASON_MAX = 2000


def _section(pep: Pep, key: str) -> Section:
    """The section ``key`` of ``pep``'s form (early years, school age, post-16)."""
    definition = SECTION_BY_KEY.get(key)
    if definition is None or definition not in sections_for(pep.variant):
        raise ValidationError({"section": "There is no such section."})
    return definition


def _initials(child) -> str:
    first = (child.preferred_name or child.legal_first_name or "").strip()
    last = (child.legal_last_name or "").strip()
    return "".join(f"{part[0].upper()}." for part in (first, last) if part)


@transaction.atomic
def section_request_send(
    *, actor, pep: Pep, section: str, person, message: str = "", base_url: str = ""
) -> SectionRequest:
    """Ask ``person`` (a user who may write ``section`` for this child: the carer, the
    social worker) to write it: an open request in their in-tray and an email in the
    outbox, in this transaction."""
    definition = _section(pep, section)
    if not permissions.can_request_section(actor, pep, definition):
        raise PermissionDenied(f"{actor.role_label}s cannot ask for “{definition.title}”.")
    _require_editable(pep)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ValidationError(
            {"message": f"The message is too long: keep it under {MESSAGE_MAX:,} characters."}
        )
    writer = next(
        (
            w
            for w in selectors.section_writers(pep=pep, key=definition.key)
            if person is not None and w.user.pk == person.pk
        ),
        None,
    )
    if writer is None:
        raise ValidationError(
            {"person": f"Choose someone who writes “{definition.title}” for this child."}
        )
    already = SectionRequest.objects.filter(
        pep=pep,
        section=definition.key,
        requested_from=writer.user,
        status=SectionRequestStatus.OPEN,
    ).exists()
    if already:
        raise ValidationError(
            {"person": f"{writer.user.full_name} has already been asked for this section."}
        )
    now = clock.now()
    request = SectionRequest.objects.create(
        local_authority_id=pep.local_authority_id,
        pep=pep,
        section=definition.key,
        requested_from=writer.user,
        requested_from_role=writer.role,
        requested_by=actor.user,
        message=message,
        created_at=now,
    )
    link = reverse("portal:pep_detail", kwargs={"pep_id": pep.public_id})
    initials = _initials(pep.child)
    notification_enqueue(
        local_authority_id=pep.local_authority_id,
        recipient=writer.user,
        kind=NotificationKind.SECTION_REQUEST,
        dedupe_key=f"section_request:{request.public_id}",
        subject=f"Please write “{definition.title}” in the PEP for {initials}",
        body=render_to_string(
            "peps/email/section_request.txt",
            {
                "writer": writer,
                "definition": definition,
                "initials": initials,
                "requested_by": actor.user.full_name,
                "message": message,
                "pep_url": f"{base_url.rstrip('/')}{link}#section-{definition.key}",
            },
        ),
    )
    _audit(
        actor,
        "create",
        pep,
        request,
        section=definition.key,
        requested_from=str(writer.user.public_id),
    )
    return request


@transaction.atomic
def section_request_withdraw(*, actor, pep: Pep, request: SectionRequest) -> SectionRequest:
    """Withdraw an open request (it leaves the person's in-tray)."""
    if request.pep_id != pep.pk or not permissions.can_request_section(actor, pep, request.section):
        raise PermissionDenied("You cannot withdraw this request.")
    locked = SectionRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != SectionRequestStatus.OPEN:
        raise ValidationError("This request is no longer open.")
    locked.status = SectionRequestStatus.WITHDRAWN
    locked.withdrawn_at = clock.now()
    locked.save(update_fields=["status", "withdrawn_at"])
    _audit(actor, "withdraw", pep, locked, section=locked.section)
    return locked


def section_requests_answer(*, actor, pep: Pep, key: str) -> int:
    """Close ``actor``'s open requests for section ``key`` of ``pep`` (they have just
    saved it); called by ``pep_section_save`` in its transaction."""
    return SectionRequest.objects.filter(
        pep=pep, section=key, requested_from_id=actor.user_id, status=SectionRequestStatus.OPEN
    ).update(status=SectionRequestStatus.DONE, answered_at=clock.now())


@transaction.atomic
def section_mark_not_obtained(*, actor, pep: Pep, section: str, reason: str) -> PepSection:
    """Record that ``section`` could not be obtained, and why: it counts as complete for
    submission, and the reason is shown to everyone who reads the PEP."""
    definition = _section(pep, section)
    if not permissions.can_mark_section_not_obtained(actor, pep, definition):
        raise PermissionDenied(f"{actor.role_label}s cannot mark “{definition.title}”.")
    _require_editable(pep)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why “{definition.title}” could not be obtained."})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": f"The reason is too long: keep it under {REASON_MAX:,} characters."}
        )
    row, _ = PepSection.objects.select_for_update().get_or_create(
        pep=pep,
        key=definition.key,
        defaults={"local_authority_id": pep.local_authority_id},
    )
    row.not_obtained_reason = reason
    row.not_obtained_by = actor.user
    row.not_obtained_at = clock.now()
    row.save(update_fields=["not_obtained_reason", "not_obtained_by", "not_obtained_at"])
    _audit(actor, "mark_not_obtained", pep, row, section=definition.key)
    # Nobody is still asked for a section recorded as could not be obtained.
    for request in SectionRequest.objects.select_for_update().filter(
        pep=pep, section=definition.key, status=SectionRequestStatus.OPEN
    ):
        request.status = SectionRequestStatus.WITHDRAWN
        request.withdrawn_at = clock.now()
        request.save(update_fields=["status", "withdrawn_at"])
        _audit(actor, "withdraw", pep, request, section=request.section, why="not obtained")
    return row


@transaction.atomic
def section_unmark_not_obtained(*, actor, pep: Pep, section: str) -> PepSection:
    """Undo :func:`section_mark_not_obtained`: the section must be written again."""
    definition = _section(pep, section)
    if not permissions.can_mark_section_not_obtained(actor, pep, definition):
        raise PermissionDenied(f"{actor.role_label}s cannot mark “{definition.title}”.")
    _require_editable(pep)
    row = PepSection.objects.select_for_update().filter(pep=pep, key=definition.key).first()
    if row is None or not row.not_obtained_reason:
        raise ValidationError("This section is not marked as could not be obtained.")
    row.not_obtained_reason = ""
    row.not_obtained_by = None
    row.not_obtained_at = None
    row.save(update_fields=["not_obtained_reason", "not_obtained_by", "not_obtained_at"])
    _audit(actor, "unmark_not_obtained", pep, row, section=definition.key)
    return row
