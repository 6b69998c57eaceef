"""Starting a PEP and moving it through its cycle (meeting held, submitted, returned,
approved, finalised)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from children.models import Child, Enrolment, current_on
from children.permissions import today
from epep.tenancy import clock

from .. import permissions, scales
from ..models import (
    AttainmentEntry,
    Pep,
    PepKind,
    PepSection,
    Status,
    Target,
    Transition,
)
from ..sections import child_views_missing, missing_fields, sections_for
from ..terms import term_for
from ..variants import variant_for_year
from ._common import StaleState, _audit, _deadlines_follow


@transaction.atomic
def pep_start(
    *,
    actor,
    child: Child,
    kind: str = PepKind.TERMLY,
    academic_year: str | None = None,
    term: str | None = None,
    meeting_date: date | None = None,
) -> Pep:
    """Start a child's next PEP from their previous one: stable sections copied to edit,
    last term's targets listed for review, the same subjects for attainment."""
    from children import stages

    if not permissions.can_start_pep(actor, child):
        raise PermissionDenied(
            "Only the social worker, the school or the Virtual School can start a PEP."
        )
    day = today()
    if Pep.objects.filter(child=child).exclude(status=Status.FINALISED).exists():
        raise ValidationError("This child already has a PEP in progress. Finish it first.")
    previous = (
        Pep.objects.filter(child=child, status=Status.FINALISED).order_by("-finalised_at").first()
    )
    enrolment = (
        Enrolment.objects.filter(current_on(day), child=child).select_related("school").first()
    )
    year = stages.national_curriculum_year(child.date_of_birth, day)
    try:
        key_stage = stages.key_stage(year)
    except ValueError:
        key_stage = ""
    pep = Pep(
        local_authority_id=child.local_authority_id,
        child=child,
        academic_year=academic_year or stages.academic_year_label(day),
        term=term or term_for(day),
        kind=kind,
        school=enrolment.school if enrolment else None,
        year_group=year,
        key_stage=key_stage,
        variant=variant_for_year(year),
        meeting_date=meeting_date,
        previous=previous,
        created_by=actor.user,
    )
    pep.full_clean()
    pep.save()
    old = {s.key: s.data for s in previous.sections.all()} if previous else {}
    PepSection.objects.bulk_create(
        PepSection(
            local_authority_id=pep.local_authority_id,
            pep=pep,
            key=section.key,
            data=dict(old.get(section.key, {})) if section.carried_forward else {},
        )
        for section in sections_for(pep.variant)
    )
    if previous is not None:
        subjects = [
            AttainmentEntry(
                local_authority_id=pep.local_authority_id,
                pep=pep,
                subject=row.subject,
                baseline=row.baseline,
                target=row.target if row.target else "",
                position=row.position,
            )
            for row in previous.attainment.all()
        ]
    else:
        subjects = [
            AttainmentEntry(
                local_authority_id=pep.local_authority_id, pep=pep, subject=name, position=i
            )
            for i, name in enumerate(scales.default_subjects(key_stage))
        ]
    AttainmentEntry.objects.bulk_create(subjects)
    _audit(actor, "create", pep, kind=kind, previous=str(previous.public_id) if previous else None)
    _deadlines_follow(pep)
    return pep


def pep_completeness_items(pep: Pep) -> list[tuple[str, str]]:
    """What is missing before the PEP can be submitted: ``(where, message)`` pairs,
    ``where`` naming the part of the PEP (``section:<key>:<field>``, ``targets``,
    ``review``, ``meeting``) so a page can link each to its field. A section recorded as
    could not be obtained counts as complete."""
    problems = []
    sections = {s.key: s for s in pep.sections.all()}
    for definition in sections_for(pep.variant):
        row = sections.get(definition.key)
        if row is not None and row.not_obtained_reason:
            continue
        data = row.data if row is not None else {}
        if definition.key == "child_views":
            if child_views_missing(data):
                problems.append(
                    (
                        "section:child_views:views",
                        "My Voice: record the child's views, or say why they are not recorded.",
                    )
                )
            continue
        for field in missing_fields(definition, data):
            problems.append(
                (
                    f"section:{definition.key}:{field.name}",
                    f"{definition.title}: {field.label} is missing.",
                )
            )
    if not pep.targets.exists():
        problems.append(("targets", "Targets: add at least one SMART target."))
    if pep.previous_id and Target.objects.filter(pep_id=pep.previous_id, outcome="").exists():
        problems.append(("review", "Last term's targets: say how each one went."))
    if pep.meeting_date is None:
        problems.append(("meeting", "Meeting: enter the date of the PEP meeting."))
    return problems


def pep_completeness(pep: Pep) -> list[str]:
    """What is missing before the PEP can be submitted, in plain words."""
    return [message for _, message in pep_completeness_items(pep)]


def _queue_pdf_archive(pep: Pep) -> None:
    """After the finalisation commits, render and archive the PDF once (peps.tasks).
    Robust: if the broker is down the finalisation still stands; the sweep
    ``peps.tasks.queue_missing_pep_pdfs`` queues it again later."""
    from ..tasks import render_finalised_pep_pdf

    pep_id, la_id = pep.pk, pep.local_authority_id
    transaction.on_commit(lambda: render_finalised_pep_pdf.delay(pep_id, la_id), robust=True)


@transaction.atomic
def pep_transition(
    *,
    actor,
    pep: Pep,
    target_status: str,
    state_version: int,
    reason: str = "",
    meeting_date: date | None = None,
) -> Pep:
    """Move a PEP through its cycle. Each move has a rule for who may make it, is recorded,
    and cannot happen twice: the caller names the state version it saw."""
    if pep.state_version != state_version:
        raise StaleState("This PEP has changed since you opened it. Reload the page.")
    move = permissions.move_between(pep.status, target_status)
    if move is None:
        raise ValidationError(
            f"A PEP that is {pep.get_status_display().lower()} cannot become "
            f"{Status(target_status).label.lower()}."
        )
    if move.target == Status.FINALISED and permissions.needs_second_person(actor, pep):
        raise PermissionDenied(permissions.SECOND_PERSON_NEEDED)
    if not permissions.can_make_move(actor, pep, move):
        raise PermissionDenied(f"{actor.role_label}s cannot {move.label.lower()}.")
    if move.needs_reason and not reason.strip():
        raise ValidationError({"reason": "Say what needs to change, so the school can amend it."})
    if meeting_date is not None:
        pep.meeting_date = meeting_date
    if move.target == Status.MEETING_HELD and pep.meeting_date is None:
        raise ValidationError({"meeting_date": "Enter the date the meeting was held."})
    if move.target == Status.MEETING_HELD and pep.meeting_date > today():
        raise ValidationError(
            {
                "meeting_date": f"The meeting is on {pep.meeting_date:%-d %B %Y}: record it "
                "once it has happened."
            }
        )
    if move.needs_complete:
        problems = pep_completeness(pep)
        if problems:
            raise ValidationError(problems)
    now = clock.now()
    updated = Pep.objects.filter(pk=pep.pk, state_version=state_version, status=pep.status).update(
        status=move.target,
        state_version=F("state_version") + 1,
        meeting_date=pep.meeting_date,
        return_reason=reason.strip() if move.target == Status.RETURNED else "",
        finalised_at=now if move.target == Status.FINALISED else None,
        **({"submitted_at": now} if move.target == Status.SUBMITTED else {}),
        **({"approved_by": actor.user} if move.target == Status.APPROVED else {}),
    )
    if not updated:
        raise StaleState("This PEP has changed since you opened it. Reload the page.")
    Transition.objects.create(
        local_authority_id=pep.local_authority_id,
        pep=pep,
        from_status=pep.status,
        to_status=move.target,
        by=actor.user,
        role=actor.role,
        reason=reason.strip(),
    )
    _audit(actor, "transition", pep, from_status=pep.status, to_status=move.target)
    pep.refresh_from_db()
    _deadlines_follow(pep)
    if move.target == Status.FINALISED:
        _queue_pdf_archive(pep)
    return pep
