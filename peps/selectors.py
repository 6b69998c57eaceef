"""Reads about PEPs, always through the child's access rules."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import JSONObject

from children.selectors import children_for
from epep.audit.services import audit_record
from epep.tenancy.access import fetch_or_404
from epep.tenancy.roles import Role

from . import permissions
from .models import (
    EDITABLE_STATUSES,
    Attachment,
    Pep,
    PepSection,
    SectionRequest,
    SectionRequestStatus,
    Target,
)


def peps_for(*, actor) -> QuerySet[Pep]:
    return Pep.objects.filter(child__in=children_for(actor=actor).values("pk"))


def open_requests_annotation() -> ArraySubquery:
    """For a ``PepSection`` queryset: the section's open requests (``[{"id", "name",
    "role"}]``, oldest first), in the sections' own query."""
    return ArraySubquery(
        SectionRequest.objects.filter(
            pep_id=OuterRef("pep_id"), section=OuterRef("key"), status=SectionRequestStatus.OPEN
        )
        .order_by("created_at", "id")
        .values(
            json=JSONObject(
                id="public_id", name="requested_from__full_name", role="requested_from_role"
            )
        )
    )


def access_pep_by_id(*, actor, pep_id: UUID) -> Pep:
    """The one way to fetch a PEP a user asked for: 404 when missing or out of reach,
    identical either way (the refusal recorded in the child's authority:
    ``epep.tenancy.access``); a successful look-up records a view."""
    pep = fetch_or_404(
        peps_for(actor=actor)
        .select_related("child", "child__local_authority", "school", "local_authority", "previous")
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=PepSection.objects.select_related(
                    "updated_by", "not_obtained_by"
                ).annotate(open_requests=open_requests_annotation()),
            ),
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


# --- Section requests ----------------------------------------------------------------


@dataclass(frozen=True)
class Writer:
    """Someone who may be asked to write a section of a child's PEP, in a role."""

    user: object
    role: Role

    @property
    def label(self) -> str:
        return f"{self.user.full_name} ({self.role.label.lower()})"


def section_writers(*, pep: Pep, key: str, day=None) -> list[Writer]:
    """The people who may be asked to write section ``key`` of ``pep`` today: the child's
    current carers and allocated social worker or personal adviser, in the roles that
    write that section (``peps.permissions.can_be_asked_for_section``)."""
    from django.contrib.auth import get_user_model

    from children.models import Allocation, PlacementCarer, current_on
    from children.permissions import today

    day = day or today()
    child_id = pep.child_id
    writers: dict[tuple[int, str], Writer] = {}
    roles = permissions.roles_asked_for_section(key)
    if Role.CARER in roles:
        carers = PlacementCarer.objects.filter(
            Q(placement__start_date__lte=day)
            & (Q(placement__end_date__isnull=True) | Q(placement__end_date__gt=day)),
            placement__child_id=child_id,
        ).values("user_id")
        for user in get_user_model().objects.filter(pk__in=carers, is_active=True):
            writer = Writer(user=user, role=Role.CARER)
            writers[user.pk, writer.role] = writer
    kinds = sorted(role for role in roles if role != Role.CARER)
    if kinds:
        for allocation in Allocation.objects.filter(
            current_on(day), child_id=child_id, kind__in=kinds, worker__is_active=True
        ).select_related("worker"):
            role = Role(allocation.kind)
            writers[(allocation.worker_id, role)] = Writer(user=allocation.worker, role=role)
    return sorted(writers.values(), key=lambda w: (w.role.label, w.user.full_name))


def section_requests_for(*, actor) -> QuerySet[SectionRequest]:
    """Requests to ``actor`` (any state), for children they can see today."""
    if not permissions.can_be_asked_for_sections(actor):
        return SectionRequest.objects.none()
    return SectionRequest.objects.filter(
        requested_from_id=actor.user_id,
        requested_from_role=actor.role,
        pep__child__in=children_for(actor=actor).order_by().values("pk"),
    )


def open_section_requests_for(*, actor, limit: int = 26) -> list[SectionRequest]:
    """``actor``'s open requests, oldest first (at most ``limit``: one query), on PEPs
    still open for changes (a submitted PEP's requests wait until it comes back)."""
    return list(
        section_requests_for(actor=actor)
        .filter(status=SectionRequestStatus.OPEN, pep__status__in=EDITABLE_STATUSES)
        .select_related("pep", "pep__child", "requested_by")
        .order_by("created_at", "id")[:limit]
    )


def pep_section_requests(*, pep: Pep) -> QuerySet[SectionRequest]:
    return SectionRequest.objects.filter(pep=pep).select_related("requested_from", "requested_by")


def access_section_request_by_id(*, actor, pep: Pep, request_id: UUID) -> SectionRequest:
    """The one way to fetch a section request a URL names: one of ``pep``'s (which the
    actor has already reached through ``access_pep_by_id``); 404 otherwise."""
    return fetch_or_404(
        SectionRequest.objects.filter(pep_id=pep.pk).select_related("requested_from"),
        actor=actor,
        object_type="peps.sectionrequest",
        public_id=request_id,
        message="No such request",
    )
