"""The authority's PP+ budget for a year and each child's allocation.

The budget's grant is the final grant once recorded, the provisional one before; what is
kept centrally follows the policy (an amount, or a share of the grant). Totals are kept
on the rows and changed only under a row lock (``select_for_update``), and check
constraints refuse any change that would leave less than nothing.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from children.models import CarePeriod, Child
from epep.audit.services import audit_record_for
from epep.tenancy import clock

from .. import permissions
from ..eligibility import is_eligible
from ..models import ChildAllocation, GrantStage, PpBudget, PpGrant, PpPolicy
from ..money import format_pounds, share_of

OVERSPENT = (
    "The budget would be less than what is already kept centrally, committed and paid "
    "({spent}): check the amount."
)


def locked_budget(*, local_authority_id: int, financial_year: int) -> PpBudget:
    """The year's budget row, locked until the transaction ends (created empty if the
    authority has none yet)."""
    PpBudget.objects.get_or_create(
        local_authority_id=local_authority_id, financial_year=financial_year
    )
    return PpBudget.objects.select_for_update().get(
        local_authority_id=local_authority_id, financial_year=financial_year
    )


def retained_for(policy: PpPolicy | None, grant_pence: int) -> int:
    """What the policy keeps centrally of ``grant_pence``."""
    if policy is None:
        return 0
    if policy.retention_pence is not None:
        return min(policy.retention_pence, grant_pence)
    if policy.retention_percent is not None:
        return share_of(grant_pence, policy.retention_percent)
    return 0


@transaction.atomic
def pp_grant_record(
    *,
    actor,
    local_authority,
    financial_year: int,
    stage: str,
    amount_pence: int,
    received_on: date,
    eligible_children: int | None = None,
    note: str = "",
) -> PpBudget:
    """Record the grant as the authority was told it (provisional in June, final in
    December); the budget follows at once."""
    if not permissions.can_edit_pp_policy(actor, local_authority):
        raise PermissionDenied("Only the Virtual School Head or an LA administrator can.")
    if stage not in GrantStage.values:
        raise ValidationError({"stage": "Choose provisional or final."})
    if amount_pence <= 0:
        raise ValidationError({"amount_pence": "Enter the grant, more than £0."})
    la_id = getattr(local_authority, "pk", local_authority)
    budget = locked_budget(local_authority_id=la_id, financial_year=financial_year)
    try:
        with transaction.atomic():
            grant = PpGrant.objects.create(
                local_authority_id=la_id,
                financial_year=financial_year,
                stage=stage,
                amount_pence=amount_pence,
                received_on=received_on,
                eligible_children=eligible_children,
                note=note.strip(),
                entered_by=actor.user,
                entered_at=clock.now(),
            )
    except IntegrityError:
        raise ValidationError(
            {"stage": f"The {GrantStage(stage).label.lower()} grant is already recorded."}
        ) from None
    final = PpGrant.objects.filter(
        local_authority_id=la_id, financial_year=financial_year, stage=GrantStage.FINAL
    ).first()
    grant_pence = (final or grant).amount_pence
    policy = PpPolicy.objects.filter(
        local_authority_id=la_id, financial_year=financial_year
    ).first()
    retained = retained_for(policy, grant_pence)
    spent = budget.committed_pence + budget.paid_pence
    if grant_pence < retained + spent:
        raise ValidationError(
            {"amount_pence": OVERSPENT.format(spent=format_pounds(retained + spent))}
        )
    budget.grant_pence, budget.retained_pence = grant_pence, retained
    budget.version += 1
    budget.save(update_fields=["grant_pence", "retained_pence", "version"])
    audit_record_for(
        actor,
        grant,
        "create",
        stage=stage,
        amount_pence=amount_pence,
        financial_year=financial_year,
    )
    return budget


@transaction.atomic
def child_allocations_set(*, actor, local_authority, financial_year: int) -> int:
    """Give every eligible child of the authority this year's allocation: the policy's
    rate per child, less the share or amount kept centrally spread over them. Children
    already allocated keep what was committed and paid; an allocation is never set below
    that. Returns how many children are allocated."""
    if not permissions.can_edit_pp_policy(actor, local_authority):
        raise PermissionDenied("Only the Virtual School Head or an LA administrator can.")
    la_id = getattr(local_authority, "pk", local_authority)
    policy = PpPolicy.objects.filter(
        local_authority_id=la_id, financial_year=financial_year
    ).first()
    if policy is None:
        raise ValidationError("Write this year's PP+ policy first: it sets the rate per child.")
    periods: dict[int, list] = {}
    for child_id, start, end in CarePeriod.objects.filter(local_authority_id=la_id).values_list(
        "child_id", "started_on", "ended_on"
    ):
        periods.setdefault(child_id, []).append((start, end))
    eligible = [
        child_id
        for child_id, date_of_birth, entered, left in Child.objects.filter(
            local_authority_id=la_id
        ).values_list("pk", "date_of_birth", "entered_care_on", "left_care_on")
        if is_eligible(
            date_of_birth=date_of_birth,
            periods=periods.get(child_id) or [(entered, left)],
            financial_year=financial_year,
        )
    ]
    rate = policy.grant_rate_pence
    if policy.retention_percent is not None:
        per_child = rate - share_of(rate, policy.retention_percent)
    elif policy.retention_pence is not None and eligible:
        per_child = max(rate - -(-policy.retention_pence // len(eligible)), 0)
    else:
        per_child = rate
    existing = {
        a.child_id: a
        for a in ChildAllocation.objects.select_for_update().filter(
            local_authority_id=la_id, financial_year=financial_year
        )
    }
    new, changed = [], []
    for child_id in eligible:
        allocation = existing.get(child_id)
        if allocation is None:
            new.append(
                ChildAllocation(
                    local_authority_id=la_id,
                    child_id=child_id,
                    financial_year=financial_year,
                    allocated_pence=per_child,
                )
            )
        else:
            allocation.allocated_pence = max(
                per_child, allocation.committed_pence + allocation.paid_pence
            )
            changed.append(allocation)
    ChildAllocation.objects.bulk_create(new)
    ChildAllocation.objects.bulk_update(changed, ["allocated_pence"])
    audit_record_for(
        actor,
        policy,
        "allocate",
        financial_year=financial_year,
        children=len(eligible),
        per_child_pence=per_child,
    )
    return len(eligible)
