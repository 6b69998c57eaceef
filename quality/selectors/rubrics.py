"""Reads of the authority's QA rubrics (every version), scoped to the actor's authorities;
row-level security underneath."""

from __future__ import annotations

from django.db.models import QuerySet

from epep.tenancy.access import fetch_or_404

from .. import permissions
from ..models import Criterion, Rubric, RubricGrade, RubricSection, RubricStatus
from ..rollup import GradeRule


def rubrics_for(*, actor) -> QuerySet[Rubric]:
    """Every version of the rubrics of the actor's authorities (none for anyone who does
    not use the QA workspace)."""
    if not permissions.can_use_qa(actor):
        return Rubric.objects.none()
    return Rubric.objects.filter(local_authority_id__in=actor.authority_ids)


def criteria_for(*, actor) -> QuerySet[Criterion]:
    return Criterion.objects.filter(rubric__in=rubrics_for(actor=actor).values("pk"))


def grades_for(*, actor) -> QuerySet[RubricGrade]:
    return RubricGrade.objects.filter(rubric__in=rubrics_for(actor=actor).values("pk"))


def sections_for(*, actor) -> QuerySet[RubricSection]:
    return RubricSection.objects.filter(rubric__in=rubrics_for(actor=actor).values("pk"))


def access_rubric_by_id(*, actor, rubric_id) -> Rubric:
    """The rubric version (by public id) the actor asked for; 404 when missing or another
    authority's, identical either way."""
    return fetch_or_404(
        rubrics_for(actor=actor),
        actor=actor,
        object_type="quality.rubric",
        public_id=rubric_id,
        belongs_to_child=False,
    )


def rubric_in_force(*, local_authority_id: int) -> Rubric | None:
    """The authority's rubric in force (the caller is already in that authority's
    context)."""
    return Rubric.objects.filter(
        local_authority_id=local_authority_id, status=RubricStatus.IN_FORCE
    ).first()


def grade_rules(grades) -> list[GradeRule]:
    """The roll-up rules (``quality.rollup``) of a rubric's grades (``RubricGrade`` rows,
    their floors already known by id)."""
    rank_of = {g.pk: g.rank for g in grades}
    return [
        GradeRule(
            rank=g.rank,
            label=g.label,
            min_score=g.min_score,
            allowance=g.allowance,
            allowance_floor_rank=rank_of.get(g.allowance_floor_id),
        )
        for g in grades
    ]
