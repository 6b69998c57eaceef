"""Reads about PEPs, always through the child's access rules."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from children.selectors import children_for
from epep.audit.services import audit_record

from .models import Pep, PepSection, Target


def peps_for(*, actor) -> QuerySet[Pep]:
    return Pep.objects.filter(child__in=children_for(actor=actor).values("pk"))


def access_pep_by_id(*, actor, pep_id: UUID) -> Pep:
    """The one way to fetch a PEP a user asked for: 404 when missing or out of reach."""
    pep = (
        peps_for(actor=actor)
        .select_related("child", "child__local_authority", "school", "local_authority", "previous")
        .prefetch_related(
            Prefetch("sections", queryset=PepSection.objects.select_related("updated_by")),
            "attainment",
            "targets",
            "actions",
        )
        .filter(public_id=pep_id)
        .first()
    )
    if pep is None:
        raise Http404("No PEP found")
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
