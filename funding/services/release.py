"""PP+ released without a request: the policy's fixed termly amount when a PEP is
approved with a grade that releases PP+, and what happens to committed, unpaid PP+ when a
child moves school mid-term.

The termly release is set-based and idempotent (one termly line per PEP, a constraint):
the nightly job (``funding.tasks``) runs it for every authority, and the Virtual School
can run it at once from its PP+ page. A PEP whose child or budget has too little left is
skipped and listed, never part-funded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from calendars.days import CalendarExhausted, school_days_between
from calendars.models import SchoolTerm
from epep.audit.services import audit_record_for, audit_record_system_event
from epep.tenancy import clock
from peps.models import Pep, Status
from quality.selectors.funding_gate import ppplus_release

from ..models import (
    FUNDED_STATUSES,
    Category,
    ChildAllocation,
    LineKind,
    LineStatus,
    Payment,
    PpLine,
    PpLineTarget,
    PpPolicy,
    ReleaseModel,
    TransferRule,
)
from ..money import split_pence
from ..years import financial_year_of
from .budget import locked_budget


@dataclass
class TermlyRelease:
    released: list[int] = field(default_factory=list)  # PEP ids
    #: PEP id -> why it was not released (too little left)
    skipped: dict[int, str] = field(default_factory=dict)


def _record(actor, obj, action: str, **detail) -> None:
    if actor is not None:
        audit_record_for(actor, obj, action, **detail)
    else:
        audit_record_system_event(
            action=action,
            local_authority_id=obj.local_authority_id,
            object_type=obj._meta.label_lower,
            object_id=str(getattr(obj, "public_id", obj.pk)),
            child_public_id=getattr(getattr(obj, "child", None), "public_id", None),
            detail=detail or None,
        )


@transaction.atomic
def pp_termly_release(
    *, actor=None, local_authority_id: int, academic_year: str, term: str
) -> TermlyRelease:
    """Release the policy's termly amount for every PEP of the term whose QA releases PP+
    and that has no termly line yet. ``actor`` None: the nightly job (audited as the
    system)."""
    result = TermlyRelease()
    day = clock.today()
    year = financial_year_of(day)
    policy = PpPolicy.objects.filter(
        local_authority_id=local_authority_id, financial_year=year
    ).first()
    if policy is None or policy.release_model == ReleaseModel.REQUESTS:
        return result
    amount = policy.termly_amount_pence
    candidates = list(
        Pep.objects.filter(
            local_authority_id=local_authority_id,
            academic_year=academic_year,
            term=term,
            status__in=[Status.APPROVED, Status.FINALISED],
            school__isnull=False,
            approved_by__isnull=False,
        )
        .exclude(pp_lines__kind=LineKind.TERMLY)
        .select_related("child")
        .order_by("child_id", "pk")
    )
    if not candidates:
        return result
    gate = ppplus_release(pep_ids=[pep.pk for pep in candidates])
    released = [pep for pep in candidates if gate[pep.pk].released]
    if not released:
        return result
    budget = locked_budget(local_authority_id=local_authority_id, financial_year=year)
    allocations = {
        a.child_id: a
        for a in ChildAllocation.objects.select_for_update()
        .filter(child_id__in=[pep.child_id for pep in released], financial_year=year)
        .order_by("child_id")
    }
    now = clock.now()
    for pep in released:
        allocation = allocations.get(pep.child_id)
        if allocation is None or allocation.remaining_pence < amount:
            result.skipped[pep.pk] = "Too little left of the child's PP+ this year."
            continue
        if budget.remaining_pence < amount:
            result.skipped[pep.pk] = "Too little left in this year's PP+ budget."
            continue
        line = PpLine.objects.create(
            local_authority_id=local_authority_id,
            pep=pep,
            child=pep.child,
            school_id=pep.school_id,
            kind=LineKind.TERMLY,
            financial_year=year,
            academic_year=academic_year,
            term=term,
            what=f"Termly PP+ for the {pep.get_term_display().lower()} term {academic_year}",
            category=Category.OTHER,
            amount_pence=amount,
            approved_pence=amount,
            status=LineStatus.APPROVED,
            decision_reason=gate[pep.pk].why,
            decided_by_id=pep.approved_by_id,
            decided_at=now,
            requested_by_id=pep.approved_by_id,
            requested_at=now,
        )
        budget.committed_pence += amount
        allocation.committed_pence += amount
        allocation.save(update_fields=["committed_pence"])
        result.released.append(pep.pk)
        _record(actor, line, "release", amount_pence=amount)
    budget.version += 1
    budget.save(update_fields=["committed_pence", "version"])
    return result


# --- A move of school mid-term --------------------------------------------------------


def _term_around(local_authority_id: int, day: date):
    return (
        SchoolTerm.objects.filter(
            local_authority_id=local_authority_id, start_date__lte=day, end_date__gte=day
        )
        .order_by("start_date")
        .first()
    )


def _days_at_each(term, on: date) -> tuple[int, int] | None:
    """School days of ``term`` before ``on`` (old school) and from ``on`` (new)."""
    terms = [(term.start_date, term.end_date)]
    try:
        before = school_days_between(
            term.start_date - timedelta(days=1), on - timedelta(days=1), terms
        )
        after = school_days_between(on - timedelta(days=1), term.end_date, terms)
    except CalendarExhausted:
        return None
    return before, after


def pp_lines_follow_school_move(
    *,
    actor,
    child_id: int,
    local_authority_id: int,
    from_school_id: int,
    to_school_id: int,
    on: date,
) -> int:
    """Committed, unpaid PP+ of the child at the old school follows the authority's rule:
    all of it to the new school, or split by the school days of the term at each (the old
    school's line keeps its share, settled; the new school gets a line for the rest).
    Called inside the move's transaction (``children.hooks.school_moved``). Returns how
    many lines changed."""
    policy = PpPolicy.objects.filter(
        local_authority_id=local_authority_id, financial_year=financial_year_of(on)
    ).first()
    lines = list(
        PpLine.objects.select_for_update()
        .filter(child_id=child_id, school_id=from_school_id, status__in=FUNDED_STATUSES)
        .exclude(pk__in=Payment.objects.values("line_id"))
        .order_by("pk")
    )
    if not lines:
        return 0
    term = _term_around(local_authority_id, on)
    days = _days_at_each(term, on) if term is not None else None
    pro_rata = (
        policy is not None
        and policy.transfer_rule == TransferRule.PRO_RATA
        and days is not None
        and days[0] > 0
    )
    for line in lines:
        old_share, new_share = (
            split_pence(line.approved_pence, list(days)) if pro_rata else (0, line.approved_pence)
        )
        if new_share == 0:
            continue  # moved after the term's last school day: the old school keeps it
        if old_share == 0:
            line.school_id = to_school_id
            line.version += 1
            line.save(update_fields=["school", "version"])
            _record(actor, line, "transfer", to_school_id=to_school_id, rule="new_school")
            continue
        line.approved_pence, line.amount_pence = old_share, old_share
        line.version += 1
        line.save(update_fields=["approved_pence", "amount_pence", "version"])
        moved = PpLine.objects.create(
            local_authority_id=local_authority_id,
            pep_id=line.pep_id,
            child_id=child_id,
            school_id=to_school_id,
            kind=line.kind,
            financial_year=line.financial_year,
            academic_year=line.academic_year,
            term=line.term,
            what=f"{line.what} (after the move)"[:300],
            provider=line.provider,
            category=line.category,
            amount_pence=new_share,
            approved_pence=new_share,
            status=line.status,
            decision_reason=line.decision_reason
            or f"Split by school days: {days[0]} at the old school, {days[1]} at the new.",
            decided_by_id=line.decided_by_id,
            decided_at=line.decided_at,
            requested_by_id=line.requested_by_id,
            requested_at=line.requested_at,
        )
        PpLineTarget.objects.bulk_create(
            PpLineTarget(local_authority_id=local_authority_id, line=moved, target_id=target_id)
            for target_id in PpLineTarget.objects.filter(line=line).values_list(
                "target_id", flat=True
            )
        )
        _record(
            actor, line, "transfer", rule="pro_rata", kept_pence=old_share, moved_pence=new_share
        )
    return len(lines)
