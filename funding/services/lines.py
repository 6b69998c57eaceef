"""PP+ lines in a PEP: the school asks (tied to the PEP's targets, within the policy), the
Virtual School decides once the PEP's quality assurance releases PP+
(``quality.selectors.funding_gate``).

A decision commits money: the year's budget row and then the child's allocation row are
locked (always in that order, so two decisions never wait on each other crosswise), the
amounts checked against what is left, and the totals changed; the check constraints
refuse anything that would still leave less than nothing. Two officers approving at
once are served one after the other: the second sees what the first committed.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from children.models import Enrolment, current_on
from epep.audit.services import audit_record_for
from epep.tenancy import clock
from peps.models import Pep, Target
from quality.selectors.funding_gate import ppplus_release

from .. import permissions
from ..models import (
    Category,
    ChildAllocation,
    ImpactRating,
    LineKind,
    LineStatus,
    PpLine,
    PpLineTarget,
    PpPolicy,
)
from ..money import format_pounds
from ..years import financial_year_label, financial_year_of
from ._common import STALE
from .budget import locked_budget

#: Lines that count against a child's yearly cap: asked for or funded.
COUNTING_STATUSES = [LineStatus.REQUESTED, LineStatus.APPROVED, LineStatus.PART_APPROVED]


class Decision:
    APPROVE = "approve"
    PART_APPROVE = "part_approve"
    DECLINE = "decline"
    ALL = (APPROVE, PART_APPROVE, DECLINE)


def policy_for(*, local_authority_id: int, day: date) -> PpPolicy | None:
    return PpPolicy.objects.filter(
        local_authority_id=local_authority_id, financial_year=financial_year_of(day)
    ).first()


@transaction.atomic
def pp_line_request(
    *,
    actor,
    pep: Pep,
    what: str,
    provider: str,
    category: str,
    amount_pence: int,
    target_ids: list[int],
    exceptional: bool = False,
    end_date: date | None = None,
    exit_plan: str = "",
) -> PpLine:
    """Ask for PP+ in ``pep``: what, from whom, how much, in the PEP's term, tied to at
    least one of its targets. Checked against the authority's policy for this financial
    year; each problem reported beside its field, nothing saved."""
    if not permissions.can_request_ppplus(actor, pep):
        raise PermissionDenied("Only the designated teacher or the Virtual School can.")
    day = clock.today()
    if pep.is_locked:
        raise ValidationError(
            "This PEP is with the Virtual School or finished: PP+ can be asked for in a PEP "
            "being written or returned for amendments."
        )
    if (
        pep.school_id is None
        or not Enrolment.objects.filter(
            current_on(day), child_id=pep.child_id, school_id=pep.school_id
        ).exists()
    ):
        raise ValidationError(
            "The child is no longer on roll at the PEP's school: PP+ is asked for by their "
            "current school."
        )
    policy = policy_for(local_authority_id=pep.local_authority_id, day=day)
    year = financial_year_of(day)
    if policy is None:
        raise ValidationError(
            f"The authority has no PP+ policy for {financial_year_label(year)} yet: ask the "
            "Virtual School."
        )
    what, provider, exit_plan = what.strip(), provider.strip(), exit_plan.strip()
    problems: dict[str, str] = {}
    if not what:
        problems["what"] = "Say what the money will pay for."
    if category not in Category.values:
        problems["category"] = "Choose what kind of spending it is."
    elif policy.allowed_categories and category not in policy.allowed_categories:
        problems["category"] = (
            f"The authority does not fund {Category(category).label.lower()} from PP+."
        )
    if amount_pence <= 0:
        problems["amount_pence"] = "Enter an amount above £0."
    targets = list(Target.objects.filter(pep=pep, pk__in=target_ids))
    if not target_ids:
        problems["targets"] = "Choose at least one of this PEP's targets the money is for."
    elif len(targets) != len(set(target_ids)):
        problems["targets"] = "Choose targets of this PEP."
    if exceptional and not policy.exceptional_allowed:
        problems["exceptional"] = "The authority does not take exceptional requests."
    if exceptional:
        if end_date is None:
            problems["end_date"] = "Enter the date the exceptional support ends."
        elif end_date <= day:
            problems["end_date"] = "The end date must be in the future."
        if not exit_plan:
            problems["exit_plan"] = "Say how the support will end without PP+ (the exit plan)."
    elif amount_pence > 0:
        cap = policy.line_cap_pence
        if cap is not None and amount_pence > cap:
            problems["amount_pence"] = f"The most one request can be is {format_pounds(cap)}" + (
                ": above it, make it an exceptional request." if policy.exceptional_allowed else "."
            )
        year_cap = policy.child_year_cap_pence
        if year_cap is not None and "amount_pence" not in problems:
            asked = (
                PpLine.objects.filter(
                    child_id=pep.child_id, financial_year=year, status__in=COUNTING_STATUSES
                ).aggregate(total=Sum("amount_pence"))["total"]
                or 0
            )
            if asked + amount_pence > year_cap:
                problems["amount_pence"] = (
                    f"This child's requests this year would come to "
                    f"{format_pounds(asked + amount_pence)}, above the "
                    f"{format_pounds(year_cap)} a child can have: "
                    f"{format_pounds(max(year_cap - asked, 0))} is left."
                )
    if problems:
        raise ValidationError(problems)
    line = PpLine.objects.create(
        local_authority_id=pep.local_authority_id,
        pep=pep,
        child_id=pep.child_id,
        school_id=pep.school_id,
        kind=LineKind.REQUEST,
        financial_year=year,
        academic_year=pep.academic_year,
        term=pep.term,
        what=what,
        provider=provider,
        category=category,
        amount_pence=amount_pence,
        exceptional=exceptional,
        end_date=end_date if exceptional else None,
        exit_plan=exit_plan if exceptional else "",
        requested_by=actor.user,
        requested_at=clock.now(),
    )
    PpLineTarget.objects.bulk_create(
        PpLineTarget(local_authority_id=pep.local_authority_id, line=line, target=target)
        for target in targets
    )
    audit_record_for(actor, line, "create", amount_pence=amount_pence, targets=len(targets))
    return line


@transaction.atomic
def pp_line_decide(
    *,
    actor,
    line: PpLine,
    decision: str,
    version: int,
    approved_pence: int | None = None,
    reason: str = "",
) -> PpLine:
    """Approve, part-approve (with the amount and a reason) or decline (with a reason) a
    request. Approving needs the PEP's QA to release PP+ and money left in both the
    year's budget and the child's allocation."""
    line = PpLine.objects.select_for_update().select_related("pep").get(pk=line.pk)
    if line.version != version:
        raise ValidationError(STALE.format(what="This request"))
    if line.status != LineStatus.REQUESTED:
        raise ValidationError(
            f"This request has already been decided: {line.get_status_display().lower()}."
        )
    if decision not in Decision.ALL:
        raise ValidationError({"decision": "Choose approve, part-approve or decline."})
    policy = policy_for(local_authority_id=line.local_authority_id, day=clock.today())
    if not permissions.can_decide_ppplus(actor, line, policy=policy):
        if policy is not None and permissions.needs_head_approval(line, policy):
            raise PermissionDenied(
                f"Requests above {format_pounds(policy.head_approval_above_pence)} are "
                "decided by the Virtual School Head."
            )
        raise PermissionDenied("Only the Virtual School decides on PP+.")
    reason = reason.strip()
    if decision == Decision.DECLINE:
        if not reason:
            raise ValidationError({"reason": "Say why the request is declined."})
        amount = None
        status = LineStatus.DECLINED
    else:
        release = ppplus_release(pep_ids=[line.pep_id])[line.pep_id]
        if not release.released:
            raise ValidationError(f"PP+ cannot be approved yet: {release.why}")
        if decision == Decision.APPROVE:
            amount, status = line.amount_pence, LineStatus.APPROVED
        else:
            if not reason:
                raise ValidationError({"reason": "Say why only part is approved."})
            if approved_pence is None or not 0 < approved_pence < line.amount_pence:
                raise ValidationError(
                    {
                        "approved_pence": "Enter an amount above £0 and below the "
                        f"{format_pounds(line.amount_pence)} asked for."
                    }
                )
            amount, status = approved_pence, LineStatus.PART_APPROVED
        _commit(line, amount)
    now = clock.now()
    line.status, line.approved_pence, line.decision_reason = status, amount, reason
    line.decided_by, line.decided_at, line.version = actor.user, now, line.version + 1
    line.save(
        update_fields=[
            "status",
            "approved_pence",
            "decision_reason",
            "decided_by",
            "decided_at",
            "version",
        ]
    )
    audit_record_for(actor, line, decision, approved_pence=amount, reason=reason)
    return line


def _commit(line: PpLine, amount: int) -> None:
    """Commit ``amount`` of the year's budget and the child's allocation, under row locks
    (budget first, then allocation)."""
    budget = locked_budget(
        local_authority_id=line.local_authority_id, financial_year=line.financial_year
    )
    if budget.remaining_pence < amount:
        raise ValidationError(
            {
                "approved_pence": f"Only {format_pounds(max(budget.remaining_pence, 0))} is "
                f"left in the {financial_year_label(line.financial_year)} PP+ budget."
            }
        )
    allocation = (
        ChildAllocation.objects.select_for_update()
        .filter(child_id=line.child_id, financial_year=line.financial_year)
        .first()
    )
    if allocation is None:
        raise ValidationError(
            f"The child has no PP+ allocation for {financial_year_label(line.financial_year)}: "
            "allocate the year's PP+ first."
        )
    if allocation.remaining_pence < amount:
        raise ValidationError(
            {
                "approved_pence": f"Only {format_pounds(max(allocation.remaining_pence, 0))} "
                "is left of this child's PP+ this year."
            }
        )
    budget.committed_pence += amount
    budget.version += 1
    budget.save(update_fields=["committed_pence", "version"])
    allocation.committed_pence += amount
    allocation.save(update_fields=["committed_pence"])


@transaction.atomic
def pp_line_record_impact(*, actor, line: PpLine, version: int, rating: str, impact: str) -> PpLine:
    """The school records what difference a funded line made (at the next PEP, or
    whenever it is known)."""
    if not permissions.can_request_ppplus(actor, line):
        raise PermissionDenied("Only the designated teacher or the Virtual School can.")
    line = PpLine.objects.select_for_update().get(pk=line.pk)
    if line.version != version:
        raise ValidationError(STALE.format(what="This PP+ line"))
    if line.status not in (LineStatus.APPROVED, LineStatus.PART_APPROVED):
        raise ValidationError("Impact is recorded for funded lines only.")
    problems = {}
    if rating not in ImpactRating.values:
        problems["impact_rating"] = "Choose how much difference it made."
    if not impact.strip():
        problems["impact"] = "Say what difference it made, with the evidence."
    if problems:
        raise ValidationError(problems)
    line.impact_rating, line.impact = rating, impact.strip()
    line.impact_recorded_by, line.impact_recorded_at = actor.user, clock.now()
    line.version += 1
    line.save(
        update_fields=[
            "impact_rating",
            "impact",
            "impact_recorded_by",
            "impact_recorded_at",
            "version",
        ]
    )
    audit_record_for(actor, line, "impact", rating=rating)
    return line
