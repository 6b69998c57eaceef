"""QA selectors: the rounds of QA of a PEP, scoped to the actor, and the feedback the
school sees."""

from __future__ import annotations

from django.db.models import Exists, JSONField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import JSONObject

from epep.tenancy.access import fetch_or_404

from .. import permissions
from ..models import (
    OPEN_REVIEW_STATUSES,
    CriterionGrade,
    QaReview,
    ReviewKind,
    ReviewStatus,
    SectionComment,
)


def reviews_for(*, actor) -> QuerySet[QaReview]:
    """The QA rounds ``actor`` may open in the QA workspace: their authority's, for
    Virtual School staff only."""
    if not permissions.can_use_qa(actor):
        return QaReview.objects.none()
    return QaReview.objects.filter(local_authority_id__in=actor.authority_ids)


def access_review_by_id(*, actor, review_id) -> QaReview:
    """The one way to fetch a QA round a URL names: missing and out of reach give the same
    404 (the refusal recorded)."""
    return fetch_or_404(
        reviews_for(actor=actor).select_related(
            "pep",
            "pep__child",
            "pep__school",
            "pep__local_authority",
            "rubric",
            "officer",
            "grade",
            "computed_grade",
        ),
        actor=actor,
        object_type="quality.qareview",
        public_id=review_id,
        lookup="pk",
        belongs_to_child=False,
        message="No QA review found",
    )


def _with_grades(reviews: QuerySet[QaReview]) -> QuerySet[QaReview]:
    return reviews.select_related("officer", "grade", "computed_grade", "rubric").prefetch_related(
        Prefetch(
            "criterion_grades",
            queryset=CriterionGrade.objects.select_related("criterion", "grade").order_by(
                "criterion__section__order", "criterion__order", "criterion_id"
            ),
        ),
        Prefetch(
            "section_comments",
            queryset=SectionComment.objects.select_related("section").order_by(
                "section__order", "section_id"
            ),
        ),
    )


def pep_qa_history(*, pep, kinds=(ReviewKind.PRIMARY,)) -> QuerySet[QaReview]:
    """Every QA round of ``pep`` (of ``kinds``; the school never sees moderation rounds),
    latest first, with each grade, comment and who gave it (a fixed number of queries)."""
    return _with_grades(
        QaReview.objects.filter(pep_id=pep.pk, kind__in=list(kinds))
        .exclude(status=ReviewStatus.WITHDRAWN)
        .order_by("-round", "-assigned_at")
    )


def moderating_blind(*, actor, pep_ids) -> QuerySet[QaReview]:
    """The open moderation rounds ``actor`` is to grade of ``pep_ids``: while one is open
    they must not see the PEP's first grading anywhere."""
    return QaReview.objects.filter(
        pep_id__in=pep_ids,
        kind=ReviewKind.MODERATION,
        status__in=OPEN_REVIEW_STATUSES,
        officer_id=actor.user_id,
    )


def blind_annotation(*, actor) -> Exists:
    """For a ``QaReview`` queryset: whether ``actor`` is moderating the row's PEP (its
    grades are then hidden from them), in the rows' own query."""
    return Exists(
        QaReview.objects.filter(
            pep_id=OuterRef("pep_id"),
            kind=ReviewKind.MODERATION,
            status__in=OPEN_REVIEW_STATUSES,
            officer_id=actor.user_id,
        )
    )


def completed_history(*, pep, actor=None) -> list[QaReview]:
    """What the school sees: the PEP's completed QA rounds, latest first (nothing for a
    person moderating the PEP blind)."""
    if actor is not None and getattr(actor, "user_id", None):
        if (
            permissions.can_use_qa(actor)
            and moderating_blind(actor=actor, pep_ids=[pep.pk]).exists()
        ):
            return []
    return [r for r in pep_qa_history(pep=pep) if r.status == ReviewStatus.COMPLETED]


def latest_feedback(*, pep_ids) -> dict[int, QaReview]:
    """For each of ``pep_ids`` (a list or a ``values("pk")`` subquery) that has finished
    QA, its latest completed primary round with its grade: one query whatever the number
    of PEPs."""
    reviews = (
        QaReview.objects.filter(
            pep_id__in=pep_ids, kind=ReviewKind.PRIMARY, status=ReviewStatus.COMPLETED
        )
        .select_related("grade", "pep", "pep__child")
        .order_by("pep_id", "-round", "-completed_at")
        .distinct("pep_id")
    )
    return {review.pep_id: review for review in reviews}


def latest_feedback_annotation() -> Subquery:
    """For a ``Child`` queryset: the child's latest completed primary QA round as JSON
    (``pep`` public id, ``round``, ``outcome``, ``grade``, ``colour``, ``fixes``,
    ``completed_at``), in the children's own query (a home page's count stays the same
    however many children it lists)."""
    return Subquery(
        QaReview.objects.filter(
            pep__child_id=OuterRef("pk"),
            kind=ReviewKind.PRIMARY,
            status=ReviewStatus.COMPLETED,
        )
        .order_by("-completed_at", "-round")
        .values(
            json=JSONObject(
                pep="pep__public_id",
                round="round",
                outcome="outcome",
                grade="grade__label",
                colour="grade__colour",
                fixes="fixes",
                completed_at="completed_at",
            )
        )[:1],
        output_field=JSONField(),
    )
