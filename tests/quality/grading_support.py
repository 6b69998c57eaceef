"""What the grading, feedback and pre-check tests share: a submitted PEP in Kent and a
small Red/Amber/Green rubric with score bands, made directly (the default rubric is
``quality.default_rubric``'s business and tested there)."""

from __future__ import annotations

from dataclasses import dataclass

from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps.models import Pep
from quality.models import (
    Criterion,
    Descriptor,
    QaReview,
    Rubric,
    RubricGrade,
    RubricSection,
    RubricStatus,
)
from tests.peps.test_cycle import fill, move, start


def submitted_pep(world) -> Pep:
    """Kent's child's PEP, complete, meeting held today and submitted by the school."""
    pep = start(world)
    fill(world, pep)
    move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=clock.today())
    return move(world, pep, Role.DESIGNATED_TEACHER, "submitted")


def reload(pep: Pep) -> Pep:
    with all_authorities_context():
        return Pep.objects.get(pk=pep.pk)


@dataclass
class SmallRubric:
    rubric: Rubric
    green: RubricGrade
    amber: RubricGrade
    red: RubricGrade
    voice_section: RubricSection
    plan_section: RubricSection
    #: weights 40, 30, 30
    voice: Criterion
    targets: Criterion
    ppplus: Criterion

    @property
    def criteria(self) -> list[Criterion]:
        return [self.voice, self.targets, self.ppplus]


def small_rubric(la, *, status=RubricStatus.IN_FORCE, version=1) -> SmallRubric:
    """Green at 75 or more, Amber at 50 or more, else Red; three criteria in two sections,
    a descriptor for every grade."""
    with all_authorities_context():
        rubric = Rubric.objects.create(
            local_authority=la,
            name="Kent PEP quality",
            version=version,
            roll_up="bands",
            status=status,
            in_force_from=clock.now() if status == RubricStatus.IN_FORCE else None,
        )
        grades = [
            RubricGrade.objects.create(
                local_authority=la,
                rubric=rubric,
                rank=rank,
                label=label,
                colour=colour,
                min_score=score,
                funding=funding,
            )
            for rank, label, colour, score, funding in (
                (1, "Green", "green", 75, "releases"),
                (2, "Amber", "amber", 50, "by_decision"),
                (3, "Red", "red", 0, "withholds"),
            )
        ]
        voice_section = RubricSection.objects.create(
            local_authority=la,
            rubric=rubric,
            order=1,
            title="The child's voice",
            pep_section="child_views",
        )
        plan_section = RubricSection.objects.create(
            local_authority=la, rubric=rubric, order=2, title="Targets and PP+"
        )
        made = []
        for section, order, title, weight, key in (
            (voice_section, 1, "The child's voice is present and recent", 40, "child_voice"),
            (plan_section, 1, "Targets are SMART with owners and dates", 30, "targets_owner_date"),
            (plan_section, 2, "PP+ costs are linked to targets", 30, "ppplus_linked"),
        ):
            criterion = Criterion.objects.create(
                local_authority=la,
                rubric=rubric,
                section=section,
                order=order,
                title=title,
                weight=weight,
                precheck=key,
            )
            for grade in grades:
                Descriptor.objects.create(
                    local_authority=la,
                    criterion=criterion,
                    grade=grade,
                    text=f"{grade.label}: {title.lower()} ({grade.rank})",
                )
            made.append(criterion)
    return SmallRubric(rubric, *grades, voice_section, plan_section, *made)


def open_review(pep: Pep, officer, *, rubric: Rubric | None = None, kind="primary", round=1):
    """An assigned QA round of ``pep`` (as ``review_assign`` makes it)."""
    with all_authorities_context():
        return QaReview.objects.create(
            local_authority_id=pep.local_authority_id,
            pep=pep,
            kind=kind,
            round=round,
            submitted_at=pep.submitted_at or clock.now(),
            officer=officer,
            assigned_by=officer,
            assigned_at=clock.now(),
            rubric=rubric,
        )
