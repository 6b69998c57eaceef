"""QA services: assigning submitted PEPs to Virtual School officers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from epep.audit.services import audit_record_for
from epep.tenancy import clock
from peps.models import Pep, Status
from peps.selectors import peps_for

from .. import permissions
from ..models import OPEN_REVIEW_STATUSES, QaReview, ReviewKind, ReviewStatus
from ..selectors.queue import is_qa_officer_of


@transaction.atomic
def review_assign(*, actor, pep_ids: list[int], officer) -> list[QaReview]:
    """Give each submitted PEP (by primary key) to ``officer``: the PEP's open primary
    review is created (the next round) or handed over. Only the actor's authority's
    submitted PEPs, only to its Virtual School staff; the PEPs are locked so two people
    assigning at once cannot create two reviews."""
    if not permissions.can_assign_qa(actor):
        raise PermissionDenied("You cannot assign PEPs for quality assurance.")
    ids = sorted({int(pk) for pk in pep_ids})
    if not ids:
        raise ValidationError({"pep_ids": "Choose at least one PEP to assign."})
    peps = list(
        Pep.objects.select_for_update(of=("self",))
        .filter(pk__in=peps_for(actor=actor).filter(pk__in=ids).values("pk"))
        .select_related("child")
        .order_by("pk")
    )
    if len(peps) != len(ids):
        raise ValidationError({"pep_ids": "One of the chosen PEPs was not found."})
    not_submitted = [pep for pep in peps if pep.status != Status.SUBMITTED]
    if not_submitted:
        raise ValidationError(
            {
                "pep_ids": "Only PEPs waiting for QA can be assigned: "
                + ", ".join(str(pep.child) for pep in not_submitted)
                + " is no longer submitted."
            }
        )
    for pep in peps:
        if not permissions.can_assign_qa(actor, pep):
            raise PermissionDenied("You cannot assign this PEP.")
        if not is_qa_officer_of(officer, pep.local_authority_id):
            raise ValidationError(
                {"officer": "Choose a member of your authority's Virtual School staff."}
            )
    now = clock.now()
    open_reviews = {
        review.pep_id: review
        for review in QaReview.objects.select_for_update()
        .filter(pep__in=peps, kind=ReviewKind.PRIMARY, status__in=OPEN_REVIEW_STATUSES)
        .order_by()
    }
    reviews = []
    for pep in peps:
        review = open_reviews.get(pep.pk)
        if review is None:
            earlier = (
                QaReview.objects.filter(pep=pep, kind=ReviewKind.PRIMARY)
                .exclude(status=ReviewStatus.WITHDRAWN)
                .count()
            )
            review = QaReview.objects.create(
                local_authority_id=pep.local_authority_id,
                pep=pep,
                kind=ReviewKind.PRIMARY,
                round=earlier + 1,
                submitted_at=pep.submitted_at or now,
                officer=officer,
                assigned_by=actor.user,
                assigned_at=now,
            )
            audit_record_for(
                actor, review, "assign", child=pep.child, officer=officer.pk, round=review.round
            )
        elif review.officer_id != officer.pk:
            previous = review.officer_id
            review.officer = officer
            review.assigned_by = actor.user
            review.assigned_at = now
            review.version += 1
            review.save(update_fields=["officer", "assigned_by", "assigned_at", "version"])
            audit_record_for(
                actor, review, "reassign", child=pep.child, officer=officer.pk, previous=previous
            )
        reviews.append(review)
    return reviews
