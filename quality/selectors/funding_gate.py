"""The PP+ gate: whether a PEP's quality assurance releases Pupil Premium Plus.

The funding issue (12) calls :func:`ppplus_release` with the PEPs it is about to pay for
and pays only those whose :class:`Release` says ``released``. The rule is the authority's,
set on its rubric's grades (``RubricGrade.funding``):

- the PEP's latest completed primary QA review approved with a grade that *releases* PP+:
  released;
- approved with a grade that releases PP+ only *by decision* (for example Amber): released
  only when the Virtual School Head recorded a decision to release it, with a reason
  (``quality.services.funding_gate.review_decide_funding``);
- approved with a grade that *withholds* PP+, approved without a grade, or no approved QA
  at all (not yet graded, returned, moderation only): not released.

One query whatever the number of PEPs. Rows are what the caller's database context may
see (call it inside the authority's context); a PEP it cannot see is not released.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..models import FundingRelease, QaReview, ReviewKind, ReviewOutcome, ReviewStatus


@dataclass(frozen=True)
class Release:
    released: bool
    #: the overall grade of the approved QA ("" when there is none)
    grade: str
    #: why, in plain words
    why: str


NO_APPROVED_QA = "The PEP has no approved quality assurance yet."


def _release(review: QaReview | None) -> Release:
    if review is None:
        return Release(False, "", NO_APPROVED_QA)
    grade = review.grade
    if grade is None:
        return Release(False, "", "The PEP was approved without an overall grade.")
    label = grade.label
    if grade.funding == FundingRelease.RELEASES:
        return Release(True, label, f"Approved as {label}, which releases PP+.")
    if grade.funding == FundingRelease.BY_DECISION:
        reason = review.funding_decision_reason.strip()
        if review.funding_decision is True:
            return Release(True, label, f"Approved as {label}; PP+ released by decision: {reason}")
        if review.funding_decision is False:
            return Release(False, label, f"Approved as {label}; PP+ withheld by decision: {reason}")
        return Release(
            False,
            label,
            f"Approved as {label}, which releases PP+ only by a decision; none is recorded yet.",
        )
    return Release(False, label, f"Approved as {label}, which does not release PP+.")


def ppplus_release(*, pep_ids: Iterable[int]) -> dict[int, Release]:
    """For each PEP id: whether its QA releases PP+, the grade, and why (see the module's
    rule). Every id asked about is in the answer."""
    pep_ids = list(pep_ids)
    latest = {
        review.pep_id: review
        for review in QaReview.objects.filter(
            pep_id__in=pep_ids,
            kind=ReviewKind.PRIMARY,
            status=ReviewStatus.COMPLETED,
            outcome=ReviewOutcome.APPROVED,
        )
        .select_related("grade")
        .order_by("pep_id", "-round", "-completed_at")
        .distinct("pep_id")
    }
    return {pep_id: _release(latest.get(pep_id)) for pep_id in pep_ids}
