"""Reads about PEPs, always through the child's access rules."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch, QuerySet

from children.selectors import children_for
from epep.audit.services import audit_record
from epep.tenancy.access import fetch_or_404

from . import permissions
from .models import Attachment, Pep, PepSection, Target


def peps_for(*, actor) -> QuerySet[Pep]:
    return Pep.objects.filter(child__in=children_for(actor=actor).values("pk"))


def access_pep_by_id(*, actor, pep_id: UUID) -> Pep:
    """The one way to fetch a PEP a user asked for: 404 when missing or out of reach,
    identical either way (the refusal recorded in the child's authority:
    ``epep.tenancy.access``); a successful look-up records a view."""
    pep = fetch_or_404(
        peps_for(actor=actor)
        .select_related("child", "child__local_authority", "school", "local_authority", "previous")
        .prefetch_related(
            Prefetch("sections", queryset=PepSection.objects.select_related("updated_by")),
            "attainment",
            "targets",
            "actions",
        ),
        actor=actor,
        object_type="peps.pep",
        public_id=pep_id,
        message="No PEP found",
    )
    audit_record(
        acting_user=actor.user,
        role=actor.role,
        action="view",
        object_type="peps.pep",
        object_id=str(pep.public_id),
        local_authority_id=pep.local_authority_id,
        child_public_id=pep.child.public_id,
    )
    return pep


def targets_for(*, actor) -> QuerySet[Target]:
    """The targets of every PEP ``actor`` may see."""
    return Target.objects.filter(pep__in=peps_for(actor=actor).values("pk"))


def access_target_by_id(*, actor, target_id: UUID) -> Target:
    """The one way to fetch a target a URL names: 404 when missing or out of reach (the
    refusal recorded in the child's authority)."""
    return fetch_or_404(
        targets_for(actor=actor).select_related("pep"),
        actor=actor,
        object_type="peps.target",
        public_id=target_id,
        message="No such target",
    )


def attachments_for(*, actor) -> QuerySet[Attachment]:
    """The documents ``actor`` may see: professionals only (``peps.permissions``),
    children through ``children_for`` (the one scoping mechanism)."""
    if not permissions.can_read_attachments(actor):
        return Attachment.objects.none()
    return Attachment.objects.filter(child__in=children_for(actor=actor).values("pk"))


def access_attachment_by_id(*, actor, attachment_id: UUID, action: str | None = "view"):
    """The one way to fetch a document a user asked for: 404 when it does not exist or
    is out of reach, identical either way; the refusal is recorded in the child's
    authority (``epep.tenancy.access``); a successful look-up records ``action``."""
    attachment = fetch_or_404(
        attachments_for(actor=actor).select_related("child", "pep", "uploaded_by"),
        actor=actor,
        object_type="peps.attachment",
        public_id=attachment_id,
        message="No document found",
    )
    if action:
        audit_record(
            acting_user=actor.user,
            role=actor.role,
            action=action,
            object_type="peps.attachment",
            object_id=str(attachment.public_id),
            local_authority_id=attachment.local_authority_id,
            child_public_id=attachment.child.public_id,
            detail={"pep": str(attachment.pep.public_id)} if attachment.pep_id else {},
        )
    return attachment


def previous_targets(*, pep: Pep) -> QuerySet[Target]:
    if pep.previous_id is None:
        return Target.objects.none()
    return Target.objects.filter(pep_id=pep.previous_id).order_by("due_date", "created_at")


def pep_history(*, child) -> QuerySet[Pep]:
    return (
        Pep.objects.filter(child=child)
        .select_related("school")
        .prefetch_related("targets")
        .order_by("-created_at")
    )


def section_over_time(*, child, key: str) -> QuerySet[Pep]:
    """Every PEP of the child, oldest first, with one section (or attainment) loaded."""
    peps = Pep.objects.filter(child=child).order_by("created_at")
    if key == "attainment":
        return peps.prefetch_related("attainment")
    return peps.prefetch_related(
        Prefetch(
            "sections",
            queryset=PepSection.objects.filter(key=key).select_related("updated_by"),
            to_attr="selected_sections",
        )
    )


def current_pep(*, child) -> Pep | None:
    return Pep.objects.filter(child=child).exclude(status="finalised").first()


def latest_finalised_pep(*, child) -> Pep | None:
    return Pep.objects.filter(child=child, status="finalised").order_by("-finalised_at").first()


def current_and_latest_finalised_pep(*, child) -> tuple[Pep | None, Pep | None]:
    """:func:`current_pep` and :func:`latest_finalised_pep` in one query."""
    current = Pep.objects.filter(child=child).exclude(status="finalised").order_by("-created_at")
    finalised = Pep.objects.filter(child=child, status="finalised").order_by("-finalised_at")
    peps = list(current[:1].union(finalised[:1], all=True))
    return (
        next((p for p in peps if p.status != "finalised"), None),
        next((p for p in peps if p.status == "finalised"), None),
    )
