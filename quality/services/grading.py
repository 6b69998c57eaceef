"""QA services: grading a submitted PEP against its rubric, then approving or returning it.

A round (``QaReview``) is started against the rubric in force at that moment and keeps it.
Every save names the review's ``version`` it started from: a save made after someone
else's is refused whole (nothing half-saved, nothing silently overwritten). Completing a
primary round moves the PEP (approved or returned) in the same transaction; a moderation
round (graded blind by a second person) completes without an outcome and without
touching the PEP.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from epep.audit.services import audit_record_for
from epep.tenancy import clock
from peps.models import Pep, Status
from peps.selectors import peps_for
from peps.services import StaleState, pep_transition

from .. import permissions
from ..models import (
    OPEN_REVIEW_STATUSES,
    Criterion,
    CriterionGrade,
    QaReview,
    ReviewKind,
    ReviewOutcome,
    ReviewStatus,
    RubricGrade,
    RubricSection,
    SectionComment,
)
from ..rollup import overall_rank
from ..selectors.rubrics import grade_rules

NOT_SUBMITTED = "Only a submitted PEP can be quality-assured."
STALE = (
    "Another officer saved grades for this PEP since you opened it. Reload to see them. "
    "Nothing you entered was saved."
)
FINISHED = "This QA round is finished: its grades can no longer change."
MAX_TEXT = 5000


def _scale_message(scale: list[RubricGrade]) -> str:
    return "Choose one of: " + ", ".join(g.label for g in scale)


def computed_grade(
    *, review: QaReview, scale: list[RubricGrade], criteria, given: Mapping[int, RubricGrade]
) -> RubricGrade | None:
    """The overall grade the rubric's roll-up rule gives once every criterion is graded
    (``given``: criterion id -> grade), else ``None``."""
    if not criteria or any(c.pk not in given for c in criteria):
        return None
    rank = overall_rank(
        roll_up=review.rubric.roll_up,
        scale=grade_rules(scale),
        given=[(c.weight, given[c.pk].rank) for c in criteria],
    )
    return next(g for g in scale if g.rank == rank)


def _require_grader(actor, review: QaReview) -> None:
    if not permissions.can_grade(actor, review):
        raise PermissionDenied("This PEP's QA is assigned to another officer.")


def _lock(review: QaReview, version: int) -> QaReview:
    """The review, locked, as long as nobody saved it since ``version``."""
    locked = (
        QaReview.objects.select_for_update(of=("self",)).select_related("rubric").get(pk=review.pk)
    )
    if locked.status not in OPEN_REVIEW_STATUSES:
        raise ValidationError(FINISHED, code="finished")
    if locked.version != version:
        raise ValidationError(STALE, code="stale")
    if locked.rubric_id is None:
        raise ValidationError("Start grading this PEP first.", code="not_started")
    return locked


def _rubric_parts(review: QaReview):
    scale = list(RubricGrade.objects.filter(rubric_id=review.rubric_id).order_by("rank"))
    criteria = list(Criterion.objects.filter(rubric_id=review.rubric_id).select_related("section"))
    return scale, criteria


@transaction.atomic
def review_start(*, actor, pep: Pep) -> QaReview:
    """Start (or carry on) grading ``pep``: its open primary round, self-assigned when
    nobody has it, graded against the rubric in force now (kept for the round)."""
    from .assignment import review_assign
    from .rubrics import rubric_for_new_review

    if not permissions.can_grade(actor):
        raise PermissionDenied("Only the Virtual School can quality-assure PEPs.")
    pep = (
        Pep.objects.select_for_update(of=("self",))
        .select_related("local_authority", "child")
        .filter(pk__in=peps_for(actor=actor).filter(pk=pep.pk).values("pk"))
        .first()
    )
    if pep is None:
        raise PermissionDenied("You cannot quality-assure this PEP.")
    if pep.status != Status.SUBMITTED:
        raise ValidationError(NOT_SUBMITTED, code="not_submitted")
    review = (
        QaReview.objects.select_for_update()
        .filter(pep=pep, kind=ReviewKind.PRIMARY, status__in=OPEN_REVIEW_STATUSES)
        .first()
    )
    if review is None:
        (review,) = review_assign(actor=actor, pep_ids=[pep.pk], officer=actor.user)
    _require_grader(actor, review)
    if review.status == ReviewStatus.ASSIGNED:
        review.rubric = review.rubric or rubric_for_new_review(
            local_authority=pep.local_authority, actor=actor
        )
        review.status = ReviewStatus.IN_PROGRESS
        review.started_at = clock.now()
        review.version += 1
        review.save(update_fields=["rubric", "status", "started_at", "version"])
        audit_record_for(
            actor, review, "start", child=pep.child, round=review.round, rubric=review.rubric_id
        )
    return review


def _clean_grades(
    grades: Mapping, scale: list[RubricGrade], criteria: list[Criterion]
) -> tuple[dict[int, tuple[RubricGrade, str]], dict[str, str]]:
    by_id = {g.pk: g for g in scale}
    known = {c.pk for c in criteria}
    cleaned, errors = {}, {}
    for criterion_id, (grade_id, comment) in grades.items():
        criterion_id = int(criterion_id)
        field = f"grade_{criterion_id}"
        comment = (comment or "").strip()
        if criterion_id not in known:
            errors[field] = "This criterion is not part of the rubric this PEP is graded against."
            continue
        if grade_id in (None, ""):
            if comment:
                errors[field] = "Choose a grade to go with your comment."
            continue
        try:
            grade = by_id.get(int(grade_id))
        except (TypeError, ValueError):
            grade = None
        if grade is None:
            errors[field] = _scale_message(scale)
            continue
        if len(comment) > MAX_TEXT:
            errors[f"comment_{criterion_id}"] = f"Write {MAX_TEXT:,} characters or fewer."
            continue
        cleaned[criterion_id] = (grade, comment)
    return cleaned, errors


@transaction.atomic
def review_save(
    *,
    actor,
    review: QaReview,
    version: int,
    grades: Mapping[int, tuple[int | None, str]],
    section_comments: Mapping[int, str],
    summary: str,
) -> QaReview:
    """Save the grades (criterion id -> (grade id, comment)), the comment on each rubric
    section and the summary feedback of an open round: what is sent replaces what was
    saved. The overall grade is worked out once every criterion is graded."""
    _require_grader(actor, review)
    locked = _lock(review, version)
    scale, criteria = _rubric_parts(locked)
    cleaned, errors = _clean_grades(grades, scale, criteria)
    sections = set(
        RubricSection.objects.filter(rubric_id=locked.rubric_id).values_list("pk", flat=True)
    )
    comments = {}
    for section_id, text in section_comments.items():
        text = (text or "").strip()
        if int(section_id) not in sections:
            errors[f"section_{section_id}"] = "This section is not part of the rubric."
        elif len(text) > MAX_TEXT:
            errors[f"section_{section_id}"] = f"Write {MAX_TEXT:,} characters or fewer."
        elif text:
            comments[int(section_id)] = text
    summary = (summary or "").strip()
    if len(summary) > MAX_TEXT:
        errors["summary"] = f"Write {MAX_TEXT:,} characters or fewer."
    if errors:
        raise ValidationError(errors)
    computed = computed_grade(
        review=locked,
        scale=scale,
        criteria=criteria,
        given={pk: grade for pk, (grade, _) in cleaned.items()},
    )
    updated = QaReview.objects.filter(pk=locked.pk, version=version).update(
        version=F("version") + 1,
        status=ReviewStatus.IN_PROGRESS,
        started_at=locked.started_at or clock.now(),
        computed_grade=computed,
        summary=summary,
    )
    if not updated:
        raise ValidationError(STALE, code="stale")
    la = locked.local_authority_id
    CriterionGrade.objects.filter(review=locked).delete()
    CriterionGrade.objects.bulk_create(
        CriterionGrade(
            local_authority_id=la, review=locked, criterion_id=pk, grade=grade, comment=comment
        )
        for pk, (grade, comment) in cleaned.items()
    )
    SectionComment.objects.filter(review=locked).delete()
    SectionComment.objects.bulk_create(
        SectionComment(local_authority_id=la, review=locked, section_id=pk, comment=text)
        for pk, text in comments.items()
    )
    locked.refresh_from_db()
    audit_record_for(
        actor,
        locked,
        "grade",
        child=locked.pep.child,
        graded=len(cleaned),
        of=len(criteria),
        computed=computed.label if computed else None,
    )
    return locked


def default_fixes(*, review: QaReview) -> list[str]:
    """What to fix, as first offered when returning: the criteria graded at the worst
    grade given (when that is not the best grade), each with the officer's comment."""
    given = list(
        CriterionGrade.objects.filter(review=review)
        .select_related("criterion", "grade")
        .order_by("criterion__section__order", "criterion__order", "criterion_id")
    )
    if not given:
        return []
    worst = max(g.grade.rank for g in given)
    if worst == 1:
        return []
    return [
        f"{g.criterion.title}: {g.comment}" if g.comment else g.criterion.title
        for g in given
        if g.grade.rank == worst
    ]


@transaction.atomic
def review_complete(
    *,
    actor,
    review: QaReview,
    version: int,
    outcome: str | None,
    grade_id: int | None = None,
    override_reason: str = "",
    return_reason: str = "",
    fixes: Iterable[str] = (),
) -> QaReview:
    """Finish a round with its overall grade (the computed one, or another with a
    reason). A primary round approves or returns the PEP (a return says why and what to
    fix); a moderation round has no outcome and leaves the PEP alone."""
    _require_grader(actor, review)
    locked = _lock(review, version)
    scale, criteria = _rubric_parts(locked)
    given = {
        g.criterion_id: g
        for g in CriterionGrade.objects.filter(review=locked).select_related("grade")
    }
    missing = [c.title for c in criteria if c.pk not in given]
    if missing:
        raise ValidationError(
            {"__all__": "Grade every criterion first. Not graded yet: " + "; ".join(missing) + "."}
        )
    computed = computed_grade(
        review=locked,
        scale=scale,
        criteria=criteria,
        given={pk: g.grade for pk, g in given.items()},
    )
    errors = {}
    grade = computed
    if grade_id not in (None, ""):
        try:
            grade = next(g for g in scale if g.pk == int(grade_id))
        except (StopIteration, TypeError, ValueError):
            errors["grade"] = _scale_message(scale)
    override_reason = (override_reason or "").strip()
    if grade is not None and grade != computed and not override_reason:
        errors["override_reason"] = (
            f"Say why the overall grade is {grade.label} and not {computed.label}, "
            "the grade the rubric gives."
        )
    if grade == computed:
        override_reason = ""
    return_reason = (return_reason or "").strip()
    fixes = [line.strip() for line in fixes if line and line.strip()]
    primary = locked.kind == ReviewKind.PRIMARY
    if primary and outcome not in ReviewOutcome.values:
        errors["outcome"] = "Choose whether to approve the PEP or return it to the school."
    if not primary and outcome:
        errors["outcome"] = "A moderation grading has no outcome for the school."
    if primary and outcome == ReviewOutcome.RETURNED:
        if not return_reason:
            errors["return_reason"] = "Say why the PEP is returned, so the school can amend it."
        if not fixes:
            fixes = default_fixes(review=locked)
        if not fixes:
            errors["fixes"] = "List at least one thing the school must fix."
    if outcome != ReviewOutcome.RETURNED:
        return_reason, fixes = "", []
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    updated = QaReview.objects.filter(pk=locked.pk, version=version).update(
        version=F("version") + 1,
        status=ReviewStatus.COMPLETED,
        computed_grade=computed,
        grade=grade,
        override_reason=override_reason,
        outcome=outcome or "",
        return_reason=return_reason,
        fixes=fixes,
        completed_at=now,
    )
    if not updated:
        raise ValidationError(STALE, code="stale")
    if primary:
        pep = (
            Pep.objects.select_for_update(of=("self",))
            .select_related("child")
            .get(pk=locked.pep_id)
        )
        try:
            pep_transition(
                actor=actor,
                pep=pep,
                target_status=Status.APPROVED
                if outcome == ReviewOutcome.APPROVED
                else Status.RETURNED,
                state_version=pep.state_version,
                reason=return_reason,
            )
        except StaleState as error:
            raise ValidationError(str(error), code="stale") from None
    locked.refresh_from_db()
    if not primary:
        from .moderation import moderation_after_review_completed

        moderation_after_review_completed(review=locked)
    audit_record_for(
        actor,
        locked,
        "complete",
        child=locked.pep.child,
        outcome=outcome or None,
        grade=grade.label,
        computed=computed.label,
        override_reason=override_reason or None,
    )
    return locked
