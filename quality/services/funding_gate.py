"""The PP+ decision on a PEP approved with a grade that releases PP+ only by decision
(for example Amber): the Virtual School Head records whether PP+ is released, and why.
``quality.selectors.funding_gate.ppplus_release`` reads it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from epep.audit.services import audit_record_for

from .. import permissions
from ..models import FundingRelease, QaReview, ReviewKind, ReviewOutcome, ReviewStatus

STALE = (
    "This QA review has changed since you opened it (someone else may have recorded a "
    "decision). Reload the page to see it. Nothing you entered was saved."
)
MAX_REASON = 2000


@transaction.atomic
def review_decide_funding(
    *, actor, review: QaReview, release: bool, reason: str, version: int
) -> QaReview:
    """Record whether PP+ is released for ``review`` (a completed, approved primary review
    whose grade releases PP+ only by decision), with the reason. ``version`` is the
    review's version the form was opened at: a stale decision changes nothing."""
    if not permissions.can_decide_funding(actor, review):
        raise PermissionDenied("Only the Virtual School Head can decide on PP+.")
    grade = review.grade
    if not (
        review.kind == ReviewKind.PRIMARY
        and review.status == ReviewStatus.COMPLETED
        and review.outcome == ReviewOutcome.APPROVED
    ):
        raise ValidationError(
            "PP+ can be decided only on a PEP whose quality assurance is finished and approved."
        )
    if grade is None or grade.funding != FundingRelease.BY_DECISION:
        label = grade.label if grade else "no grade"
        raise ValidationError(
            f"This PEP was approved as {label}: its PP+ follows the grade and needs no decision."
        )
    reason = (reason or "").strip()
    errors = {}
    if release not in (True, False):
        errors["release"] = "Choose whether PP+ is released."
    if not reason:
        errors["reason"] = "Give the reason for the decision: the school and auditors read it."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Keep the reason to {MAX_REASON} characters."
    if errors:
        raise ValidationError(errors)
    updated = QaReview.objects.filter(pk=review.pk, version=version).update(
        funding_decision=release,
        funding_decision_reason=reason,
        version=F("version") + 1,
    )
    if not updated:
        raise ValidationError(STALE, code="stale")
    review.refresh_from_db()
    audit_record_for(actor, review, "decide_funding", child=review.pep.child, released=release)
    return review
