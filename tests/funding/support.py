"""A world with PP+ in it: the authority's policy and budget for 2026-27, a PEP of
``world.a.child`` at their school with SMART targets, and QA that releases PP+."""

from __future__ import annotations

from datetime import date, timedelta

from epep.tenancy import clock
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from funding.models import ChildAllocation, PpBudget, PpPolicy
from peps.models import Pep, Status, Target
from quality.models import QaReview, ReviewOutcome, ReviewStatus
from quality.services.rubrics import rubric_for_new_review

#: A day in the autumn term of 2026-27 (financial year 2026).
DAY = date(2026, 11, 10)
YEAR = 2026


def policy(la, **values) -> PpPolicy:
    defaults = {
        "grant_rate_pence": 257000,
        "release_model": "requests",
        "child_year_cap_pence": 200000,
        "line_cap_pence": 70000,
        "head_approval_above_pence": 50000,
        "allowed_categories": ["tuition", "mentoring", "therapeutic", "equipment"],
        "summary": "Schools ask for PP+ in the PEP, tied to the child's targets.",
    }
    with authority_context(local_authority_ids=[la.pk]):
        return PpPolicy.objects.create(
            local_authority=la, financial_year=YEAR, **{**defaults, **values}
        )


def budget(la, *, grant=1_000_000, committed=0) -> PpBudget:
    with authority_context(local_authority_ids=[la.pk]):
        return PpBudget.objects.create(
            local_authority=la, financial_year=YEAR, grant_pence=grant, committed_pence=committed
        )


def allocation(child, *, allocated=257000) -> ChildAllocation:
    with authority_context(local_authority_ids=[child.local_authority_id]):
        return ChildAllocation.objects.create(
            local_authority_id=child.local_authority_id,
            child=child,
            financial_year=YEAR,
            allocated_pence=allocated,
        )


def pep_with_targets(authority, child, school, *, status=Status.DRAFT, targets=2) -> Pep:
    la = authority.la
    with authority_context(local_authority_ids=[la.pk]):
        pep = Pep.objects.create(
            local_authority=la,
            child=child,
            academic_year="2026-27",
            term="autumn",
            school=school,
            status=status,
            created_by=authority.users[Role.SOCIAL_WORKER],
        )
        pep.target_ids = []  # for the tests, read without a database context
        for n in range(targets):
            target = Target.objects.create(
                local_authority=la,
                pep=pep,
                description=f"Reach the expected standard in maths ({n + 1})",
                success_measure="Termly assessment at the expected standard",
                responsible="Maths lead",
                due_date=DAY + timedelta(days=60),
                strategy="Weekly one-to-one tuition",
                expected_outcome="Catches up with her class",
            )
            pep.target_ids.append(target.pk)
    return pep


def release_ppplus(authority, pep, *, grade="Green") -> QaReview:
    """The PEP approved by QA with ``grade`` (the default rubric: Green releases PP+)."""
    la = authority.la
    with authority_context(local_authority_ids=[la.pk]):
        rubric = rubric_for_new_review(local_authority=la)
        grade_row = rubric.grades.get(label=grade)
        return QaReview.objects.create(
            local_authority=la,
            pep=pep,
            round=1,
            submitted_at=clock.now(),
            officer=authority.users[Role.VS_OFFICER],
            assigned_at=clock.now(),
            rubric=rubric,
            started_at=clock.now(),
            status=ReviewStatus.COMPLETED,
            outcome=ReviewOutcome.APPROVED,
            computed_grade=grade_row,
            grade=grade_row,
            completed_at=clock.now(),
        )
