"""Writes about PEPs. One transaction each, validated, with an audit event.

No lost edits: every section and target carries a version. A save names the version it
started from; if someone else saved in between, the save is refused with an
``EditConflict`` that carries both texts, so nothing is overwritten silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from children.models import Child, Enrolment, current_on
from children.permissions import today
from epep.audit.services import audit_record
from epep.tenancy import clock

from . import permissions, scales
from .models import (
    EDITABLE_STATUSES,
    Action,
    AttainmentEntry,
    Kind,
    Pep,
    PepSection,
    Status,
    Target,
    Term,
    Transition,
)
from .sections import SECTION_BY_KEY, SECTIONS, child_views_missing, missing_fields

# Who may do what: peps.permissions (the services enforce it, the screens ask it).


@dataclass
class EditConflict(Exception):
    """Someone else saved this since you opened it."""

    key: str
    theirs: dict
    their_version: int
    their_author: str
    their_time: object
    yours: dict

    def __str__(self) -> str:
        return (
            f"{self.their_author} saved this section while you were editing it. "
            "Both versions are shown: copy what you need into the form and save again."
        )


class StaleState(Exception):
    """The PEP moved on since the page was loaded (for example, a double click)."""


def _audit(actor, action: str, pep: Pep, obj=None, **detail) -> None:
    target = obj or pep
    audit_record(
        acting_user=actor.user,
        role=actor.role,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(getattr(target, "public_id", target.pk)),
        local_authority_id=pep.local_authority_id,
        child_public_id=pep.child.public_id,
        detail={"pep": str(pep.public_id), **detail},
    )


def _deadlines_follow(pep: Pep) -> None:
    """The child's PEP deadlines and tasks follow the change at once, in its transaction."""
    from meetings.services import deadlines_refresh

    deadlines_refresh(
        child_ids=[pep.child_id], local_authority_id=pep.local_authority_id, robust=True
    )


def _require_editable(pep: Pep) -> None:
    if pep.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"This PEP is {pep.get_status_display().lower()} and cannot be changed. "
            "Changes after finalisation go into the next PEP."
        )


def term_for(day: date) -> str:
    if day.month >= 9:
        return Term.AUTUMN
    if day.month <= 3:
        return Term.SPRING
    return Term.SUMMER


@transaction.atomic
def pep_start(
    *,
    actor,
    child: Child,
    kind: str = Kind.TERMLY,
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
        for section in SECTIONS
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


def _clean_section_data(key: str, data: dict) -> dict:
    section = SECTION_BY_KEY[key]
    cleaned, errors = {}, {}
    for field in section.fields:
        value = str(data.get(field.name, "")).strip()
        if len(value) > 20000:
            errors[field.name] = "This is too long: keep it under 20,000 characters."
        elif field.kind == "number" and value:
            try:
                number = Decimal(value)
            except ArithmeticError:
                number = None
            if number is None or not number.is_finite():  # NaN and Infinity are not numbers
                errors[field.name] = f"{field.label} must be a number, like 94.5."
                continue
            if number < 0 or (field.name == "attendance_percent" and number > 100):
                errors[field.name] = (
                    "Attendance must be between 0 and 100."
                    if field.name == "attendance_percent"
                    else f"{field.label} cannot be negative."
                )
        elif field.kind == "choice" and value and value not in dict(field.choices):
            errors[field.name] = f"Choose one of the options for “{field.label}”."
        cleaned[field.name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def pep_section_save(*, actor, pep: Pep, key: str, data: dict, base_version: int) -> PepSection:
    section_def = SECTION_BY_KEY.get(key)
    if section_def is None:
        raise ValidationError("There is no such section.")
    if not permissions.can_edit_section(actor, pep, section_def):
        raise PermissionDenied(f"{actor.role_label}s cannot change “{section_def.title}”.")
    _require_editable(pep)
    section = (
        PepSection.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pep=pep, key=key)
    )
    cleaned = _clean_section_data(key, data)
    if section.version != base_version:
        raise EditConflict(
            key=key,
            theirs=section.data,
            their_version=section.version,
            their_author=section.updated_by.full_name if section.updated_by else "Someone",
            their_time=section.updated_at,
            yours=cleaned,
        )
    changed = sorted(k for k in cleaned if cleaned[k] != section.data.get(k, ""))
    section.data = cleaned
    section.version = F("version") + 1
    section.updated_at = clock.now()
    section.updated_by = actor.user
    section.save(update_fields=["data", "version", "updated_at", "updated_by"])
    section.refresh_from_db(fields=["version"])
    _audit(actor, "update", pep, section, section=key, fields=changed)
    return section


TARGET_FIELDS = (
    "description",
    "success_measure",
    "responsible",
    "due_date",
    "strategy",
    "expected_outcome",
    "ppplus_cost_pence",
)


@transaction.atomic
def target_save(
    *, actor, pep: Pep, fields: dict, target: Target | None = None, base_version: int | None = None
) -> Target:
    """Add a SMART target (within the authority's limit per term) or change one."""
    if not permissions.can_edit_targets(actor, pep):
        raise PermissionDenied("You cannot change targets.")
    _require_editable(pep)
    if target is None:
        Pep.objects.select_for_update().get(pk=pep.pk)  # serialise concurrent additions
        limit = pep.local_authority.max_targets_per_term
        if pep.targets.count() >= limit:
            raise ValidationError(
                f"A PEP can have at most {limit} targets a term. Review or remove one first."
            )
        target = Target(local_authority_id=pep.local_authority_id, pep=pep)
        action = "create"
    else:
        target = Target.objects.select_for_update().get(pk=target.pk, pep=pep)
        if base_version is not None and target.version != base_version:
            raise EditConflict(
                key=f"target:{target.public_id}",
                theirs={f: str(getattr(target, f) or "") for f in TARGET_FIELDS},
                their_version=target.version,
                their_author="Someone",
                their_time=None,
                yours={k: str(v) for k, v in fields.items()},
            )
        target.version += 1
        action = "update"
    for name in TARGET_FIELDS:
        if name in fields:
            setattr(target, name, fields[name])
    target.full_clean(exclude=["pep", "reviewed_in", "local_authority"])
    target.save()
    _audit(actor, action, pep, target)
    return target


@transaction.atomic
def target_delete(*, actor, pep: Pep, target: Target) -> None:
    if not permissions.can_edit_targets(actor, pep):
        raise PermissionDenied("You cannot change targets.")
    _require_editable(pep)
    _audit(actor, "delete", pep, target)
    target.delete()


@transaction.atomic
def target_review(*, actor, pep: Pep, target: Target, outcome: str, comment: str) -> Target:
    """At the next PEP, say how each of last term's targets went."""
    if not permissions.can_edit_targets(actor, pep):
        raise PermissionDenied("You cannot review targets.")
    _require_editable(pep)
    if pep.previous_id is None or target.pep_id != pep.previous_id:
        raise ValidationError("Only the previous PEP's targets are reviewed here.")
    if outcome not in Target.Outcome.values:
        raise ValidationError({"outcome": "Choose whether the target was achieved."})
    if not comment.strip():
        raise ValidationError({"outcome_comment": "Add a comment saying how the target went."})
    # Reviewing changes the previous (finalised) PEP's targets only in their outcome
    # columns, recorded against the PEP where the review happened.
    Target.objects.filter(pk=target.pk).update(
        outcome=outcome, outcome_comment=comment.strip(), reviewed_in=pep
    )
    target.refresh_from_db()
    _audit(actor, "review", pep, target, outcome=outcome)
    return target


@transaction.atomic
def action_add(*, actor, pep: Pep, description: str, owner: str, due_date: date) -> Action:
    if not permissions.can_edit_targets(actor, pep):
        raise PermissionDenied("You cannot add actions.")
    _require_editable(pep)
    action = Action(
        local_authority_id=pep.local_authority_id,
        pep=pep,
        description=description.strip(),
        owner=owner.strip(),
        due_date=due_date,
    )
    action.full_clean(exclude=["pep", "local_authority"])
    action.save()
    _audit(actor, "create", pep, action)
    return action


@transaction.atomic
def attainment_save(*, actor, pep: Pep, rows: list[dict]) -> list[AttainmentEntry]:
    """Save the termly attainment table (subject, baseline, current, target)."""
    if not permissions.can_edit_attainment(actor, pep):
        raise PermissionDenied("Only the school or the Virtual School enters attainment.")
    _require_editable(pep)
    allowed = set(dict(scales.SCALES.get(pep.key_stage, ())))
    errors = {}
    subjects = set()
    for i, row in enumerate(rows):
        for column in ("baseline", "current", "target"):
            value = row.get(column, "")
            if value and allowed and value not in allowed:
                errors[f"{i}-{column}"] = f"“{value}” is not on the {pep.key_stage} scale."
            elif len(value) > 40 or "\x00" in value:
                errors[f"{i}-{column}"] = (
                    f"The {column} for {str(row.get('subject', '')).strip()[:80]} must be "
                    "40 characters or fewer, in words and numbers."
                )
        subject = str(row.get("subject", "")).strip()
        if not subject:
            errors[f"{i}-subject"] = "Enter the subject."
        elif len(subject) > 80 or "\x00" in subject:
            errors[f"{i}-subject"] = (
                "Subject names must be 80 characters or fewer, in words and numbers."
            )
        elif subject.casefold() in subjects:
            errors[f"{i}-subject"] = f"{subject} is listed twice. Enter each subject once."
        subjects.add(subject.casefold())
    if errors:
        raise ValidationError(errors)
    pep.attainment.all().delete()
    saved = AttainmentEntry.objects.bulk_create(
        AttainmentEntry(
            local_authority_id=pep.local_authority_id,
            pep=pep,
            subject=str(row["subject"]).strip(),
            baseline=row.get("baseline", ""),
            current=row.get("current", ""),
            target=row.get("target", ""),
            position=i,
        )
        for i, row in enumerate(rows)
    )
    _audit(actor, "update", pep, section="attainment", subjects=len(saved))
    return saved


def pep_completeness(pep: Pep) -> list[str]:
    """What is missing before the PEP can be submitted, in plain words."""
    problems = []
    sections = {s.key: s for s in pep.sections.all()}
    for definition in SECTIONS:
        data = sections[definition.key].data if definition.key in sections else {}
        if definition.key == "child_views":
            if child_views_missing(data):
                problems.append(
                    "My Voice: record the child's views, or say why they are not recorded."
                )
            continue
        for field in missing_fields(definition, data):
            problems.append(f"{definition.title}: {field.label} is missing.")
    if not pep.targets.exists():
        problems.append("Targets: add at least one SMART target.")
    if pep.previous_id and Target.objects.filter(pep_id=pep.previous_id, outcome="").exists():
        problems.append("Last term's targets: say how each one went.")
    if pep.meeting_date is None:
        problems.append("Meeting: enter the date of the PEP meeting.")
    return problems


def _queue_pdf_archive(pep: Pep) -> None:
    """After the finalisation commits, render and archive the PDF once (peps.tasks).
    Robust: if the broker is down the finalisation still stands; the sweep
    ``peps.tasks.queue_missing_pep_pdfs`` queues it again later."""
    from .tasks import render_finalised_pep_pdf

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


# --- Attachments (documents on a child's record or a PEP; rules in peps.attachments) -------


def _audit_attachment(actor, action: str, attachment, **detail) -> None:
    audit_record(
        acting_user=actor.user,
        role=actor.role,
        action=action,
        object_type="peps.attachment",
        object_id=str(attachment.public_id),
        local_authority_id=attachment.local_authority_id,
        child_public_id=attachment.child.public_id,
        detail={"pep": str(attachment.pep.public_id) if attachment.pep_id else None, **detail},
    )


def attachment_can_delete(actor, attachment) -> bool:
    """Kept for callers: ``peps.permissions.can_delete_attachment``."""
    return permissions.can_delete_attachment(actor, attachment)


@transaction.atomic
def attachment_upload(
    *, actor, child: Child, pep: Pep | None = None, kind: str, title: str, uploaded_file
):
    """Add a document to a child's record, or to one of their PEPs that is not finalised.

    The file is checked from its content first (``peps.attachments.check_upload``), so a
    refusal changes nothing: no row, no file, no audit event. The file is written before
    the row; if anything after the write fails, it is removed again."""
    from children.selectors import children_for

    from . import attachments
    from .models import Attachment

    if not permissions.can_upload_attachment(actor):
        raise PermissionDenied("Only professionals working with the child can add documents.")
    if not children_for(actor=actor).filter(pk=child.pk).exists():
        raise PermissionDenied("You cannot add documents to this child's record.")
    errors = {}
    if kind not in Attachment.Kind.values:
        errors["kind"] = "Select what kind of document it is"
    if pep is not None and pep.child_id != child.pk:
        errors["pep"] = "Choose one of this child's PEPs"
    elif pep is not None and pep.status == Status.FINALISED:
        errors["pep"] = (
            "This PEP is finalised and cannot be changed. Add the document to the child's "
            "record instead"
        )
    title = (title or "").strip()
    if len(title) > 200:
        errors["title"] = "The title must be 200 characters or fewer"
    try:
        checked = attachments.check_upload(uploaded_file)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    stored = attachments.store(uploaded_file, authority_id=child.local_authority_id)
    try:
        attachment = Attachment(
            local_authority_id=child.local_authority_id,
            child=child,
            pep=pep,
            kind=kind,
            title=title or attachments.default_title(checked.original_name),
            original_name=checked.original_name,
            content_type=checked.type.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.storage_name,
            uploaded_by=actor.user,
        )
        attachment.full_clean(exclude=["child", "pep", "local_authority", "uploaded_by"])
        attachment.save()
        _audit_attachment(
            actor,
            "create",
            attachment,
            kind=kind,
            content_type=attachment.content_type,
            size=attachment.size,
            sha256=attachment.sha256,
        )
    except BaseException:
        attachments.discard(stored.storage_name)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, actor, attachment) -> None:
    """Delete a document: its row now, its file once the deletion is committed."""
    from functools import partial

    from . import attachments

    if not permissions.can_delete_attachment(actor, attachment):
        raise PermissionDenied("You cannot delete this document.")
    _audit_attachment(actor, "delete", attachment, kind=attachment.kind, sha256=attachment.sha256)
    storage_name = attachment.storage_name
    attachment.delete()
    transaction.on_commit(partial(attachments.discard, storage_name), robust=True)
