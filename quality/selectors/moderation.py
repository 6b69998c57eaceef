"""QA selectors: a term's completed QA (the moderation population and the export), the
moderation samples and their items, and the agreement rates.

Everything is scoped through the actor: reviews start from
``peps.selectors.peps_for(actor=...)``, samples and items from the actor's authorities
(row-level security underneath). Agreement rates are counted by the database (one
grouped query per table); the percentages are worked out from the counts by
:func:`agreement_percent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery

from epep.tenancy.access import fetch_or_404
from epep.tenancy.models import Membership
from peps.selectors import peps_for

from ..models import (
    CriterionGrade,
    ModerationItem,
    ModerationSample,
    QaReview,
    ReviewKind,
    ReviewStatus,
)
from ..permissions import QA_LEADS, QA_ROLES


def completed_reviews_of_term(*, actor, academic_year: str, term: str) -> QuerySet[QaReview]:
    """Every completed QA round (``PRIMARY``) of the actor's PEPs of that academic year and
    term, every round of each PEP, by id."""
    return QaReview.objects.filter(
        pep__in=peps_for(actor=actor).filter(academic_year=academic_year, term=term).values("pk"),
        kind=ReviewKind.PRIMARY,
        status=ReviewStatus.COMPLETED,
    ).order_by("pk")


def completed_qa_years(*, actor) -> list[str]:
    """The academic years of the actor's PEPs with completed QA, newest first."""
    return list(
        QaReview.objects.filter(
            pep__in=peps_for(actor=actor).values("pk"),
            kind=ReviewKind.PRIMARY,
            status=ReviewStatus.COMPLETED,
        )
        .order_by("-pep__academic_year")
        .values_list("pep__academic_year", flat=True)
        .distinct()
    )


def moderation_population(
    *, actor, local_authority_id: int, academic_year: str, term: str
) -> QuerySet[QaReview]:
    """What a term's moderation sample is drawn from: the authority's completed QA of the
    term's PEPs, the latest completed round of each PEP only, ordered by id (the draw is
    reproducible from its seed)."""
    later = QaReview.objects.filter(
        pep_id=OuterRef("pep_id"),
        kind=ReviewKind.PRIMARY,
        status=ReviewStatus.COMPLETED,
        round__gt=OuterRef("round"),
    )
    return (
        completed_reviews_of_term(actor=actor, academic_year=academic_year, term=term)
        .filter(local_authority_id=local_authority_id)
        .annotate(superseded=Exists(later))
        .filter(superseded=False)
    )


def samples_for(*, actor) -> QuerySet[ModerationSample]:
    """The moderation samples of the actor's authorities, newest term first, each with
    its number of items (``size``)."""
    return (
        ModerationSample.objects.filter(local_authority_id__in=actor.authority_ids)
        .select_related("drawn_by", "local_authority")
        .annotate(size=Count("items"))
        .order_by("-academic_year", "-drawn_at")
    )


def access_sample_by_id(*, actor, sample_id: int) -> ModerationSample:
    """One moderation sample (by primary key, as the admin names it): 404 for missing
    and refused alike."""
    return fetch_or_404(
        samples_for(actor=actor),
        actor=actor,
        object_type="quality.moderationsample",
        public_id=sample_id,
        belongs_to_child=False,
        lookup="pk",
        message="No moderation sample found",
    )


def items_for(*, actor) -> QuerySet[ModerationItem]:
    """The moderation items of the actor's authorities, with the PEP, the child, both
    reviews, their officers and grades in the same query."""
    return ModerationItem.objects.filter(
        local_authority_id__in=actor.authority_ids,
        pep__in=peps_for(actor=actor).values("pk"),
    ).select_related(
        "sample",
        "pep",
        "pep__child",
        "pep__school",
        "original",
        "original__officer",
        "original__grade",
        "moderation",
        "moderation__officer",
        "moderation__grade",
        "resolved_by",
    )


def sample_items(*, actor, sample: ModerationSample) -> QuerySet[ModerationItem]:
    """A sample's items, by child's name."""
    return (
        items_for(actor=actor)
        .filter(sample=sample)
        .order_by("pep__child__legal_last_name", "pep__child__legal_first_name", "pk")
    )


def access_item_by_id(*, actor, item_id: int) -> ModerationItem:
    """One moderation item (by primary key, as the admin names it): 404 for missing and
    refused alike."""
    return fetch_or_404(
        items_for(actor=actor),
        actor=actor,
        object_type="quality.moderationitem",
        public_id=item_id,
        belongs_to_child=False,
        lookup="pk",
        message="No moderation item found",
    )


def item_for_moderation_review(*, review: QaReview) -> ModerationItem | None:
    """The item whose blind second grading ``review`` is (read in the transaction that
    completes it)."""
    return (
        ModerationItem.objects.filter(
            moderation=review, local_authority_id=review.local_authority_id
        )
        .select_related("original")
        .first()
    )


def virtual_school_role_of(*, user, local_authority_id: int):
    """The role ``user`` holds on the authority's Virtual School staff (an active
    membership; the most senior first), or ``None``."""
    if user is None or not user.is_active:
        return None
    roles = set(
        Membership.objects.filter(
            user=user,
            is_active=True,
            local_authority_id=local_authority_id,
            role__in=[role.value for role in QA_ROLES],
        ).values_list("role", flat=True)
    )
    for role in sorted(QA_ROLES, key=lambda role: role not in QA_LEADS):
        if role.value in roles:
            return role
    return None


# --- agreement rates ---------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """How often the moderator agreed: ``agreed`` of ``compared``."""

    label: str
    compared: int
    agreed: int

    @property
    def percent(self) -> int | None:
        return agreement_percent(self.agreed, self.compared)


def agreement_percent(agreed: int, compared: int) -> int | None:
    """``agreed`` of ``compared`` as a whole percentage, rounded half up; ``None`` when
    nothing was compared."""
    if compared <= 0:
        return None
    share = Fraction(agreed * 100, compared)
    return int(share + Fraction(1, 2))


def _moderated_items(sample: ModerationSample) -> QuerySet[ModerationItem]:
    return ModerationItem.objects.filter(
        sample=sample,
        local_authority_id=sample.local_authority_id,
        moderation__status=ReviewStatus.COMPLETED,
    )


def agreement_by_officer(*, actor, sample: ModerationSample) -> list[Agreement]:
    """Per officer who graded a sampled PEP first: of their sampled reviews graded again,
    how many got the same overall grade from the moderator (one grouped query)."""
    return officer_agreement(
        _moderated_items(sample).filter(local_authority_id__in=actor.authority_ids)
    )


def agreement_by_criterion(*, actor, sample: ModerationSample) -> list[Agreement]:
    """Per criterion: of the sampled criterion grades given again by a moderator, how many
    equal the original grade of that criterion (one grouped query; criteria by title, so
    two rubric versions' "SMART targets" count together)."""
    return criterion_agreement(
        _moderated_items(sample).filter(local_authority_id__in=actor.authority_ids)
    )


def officer_agreement(items: QuerySet[ModerationItem]) -> list[Agreement]:
    """:func:`agreement_by_officer` over any scoped moderation items (several samples, the
    children of a report): those whose second grading is completed, in one grouped query."""
    rows = (
        items.filter(moderation__status=ReviewStatus.COMPLETED)
        .values("original__officer_id", "original__officer__full_name")
        .annotate(
            compared=Count("pk"),
            agreed=Count("pk", filter=Q(original__grade_id=F("moderation__grade_id"))),
        )
        .order_by("original__officer__full_name", "original__officer_id")
    )
    return [
        Agreement(
            label=row["original__officer__full_name"],
            compared=row["compared"],
            agreed=row["agreed"],
        )
        for row in rows
    ]


def criterion_agreement(items: QuerySet[ModerationItem]) -> list[Agreement]:
    """:func:`agreement_by_criterion` over any scoped moderation items (several samples,
    the children of a report): those whose second grading is completed, in one grouped
    query."""
    original_grade = CriterionGrade.objects.filter(
        review_id=Subquery(
            ModerationItem.objects.filter(moderation_id=OuterRef(OuterRef("review_id"))).values(
                "original_id"
            )[:1]
        ),
        criterion_id=OuterRef("criterion_id"),
    ).values("grade_id")[:1]
    rows = (
        CriterionGrade.objects.filter(
            review_id__in=items.filter(moderation__status=ReviewStatus.COMPLETED).values(
                "moderation_id"
            ),
        )
        .annotate(original_grade_id=Subquery(original_grade))
        .filter(original_grade_id__isnull=False)
        .values("criterion__title")
        .annotate(
            compared=Count("pk"),
            agreed=Count("pk", filter=Q(grade_id=F("original_grade_id"))),
            section_order=Min("criterion__section__order"),
            criterion_order=Min("criterion__order"),
        )
        .order_by("section_order", "criterion_order", "criterion__title")
    )
    return [
        Agreement(label=row["criterion__title"], compared=row["compared"], agreed=row["agreed"])
        for row in rows
    ]
