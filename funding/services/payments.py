"""Payment runs: the approved, unpaid PP+ of one term batched per school, confirmed, then
marked paid with the date and the finance system's reference.

A line is paid once: ``Payment.line`` is unique, so a line cannot sit in two runs, and
building a run twice adds nothing the first did not. A paid run is locked. Paying moves
each line's amount from committed to paid in the year's budget and the child's
allocation (under the same row locks, budget first, as every commitment).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from epep.audit.services import audit_record_for
from epep.tenancy import clock

from .. import permissions
from ..models import (
    FUNDED_STATUSES,
    ChildAllocation,
    Payment,
    PaymentRun,
    PaymentRunStatus,
    PpLine,
)
from ._common import STALE
from .budget import locked_budget


def _unpaid_lines(*, local_authority_id: int, academic_year: str, term: str):
    return PpLine.objects.filter(
        local_authority_id=local_authority_id,
        academic_year=academic_year,
        term=term,
        status__in=FUNDED_STATUSES,
    ).exclude(pk__in=Payment.objects.values("line_id"))


@transaction.atomic
def payment_run_build(*, actor, local_authority, academic_year: str, term: str) -> PaymentRun:
    """The term's draft run with every approved line not yet in a run (one draft per term:
    building again adds the lines approved since)."""
    la_id = getattr(local_authority, "pk", local_authority)
    if not permissions.can_pay_ppplus(actor, la_id):
        raise PermissionDenied("Only the Virtual School Head or an LA administrator can.")
    run = (
        PaymentRun.objects.select_for_update()
        .filter(
            local_authority_id=la_id,
            academic_year=academic_year,
            term=term,
            status=PaymentRunStatus.DRAFT,
        )
        .first()
    )
    if run is None:
        run = PaymentRun.objects.create(
            local_authority_id=la_id,
            academic_year=academic_year,
            term=term,
            created_by=actor.user,
            created_at=clock.now(),
        )
    lines = list(
        _unpaid_lines(local_authority_id=la_id, academic_year=academic_year, term=term)
        .select_for_update()
        .order_by("school_id", "pk")
    )
    Payment.objects.bulk_create(
        Payment(
            local_authority_id=la_id,
            run=run,
            line=line,
            school_id=line.school_id,
            amount_pence=line.approved_pence,
        )
        for line in lines
    )
    if lines:
        PaymentRun.objects.filter(pk=run.pk).update(version=F("version") + 1)
        run.refresh_from_db()
    audit_record_for(actor, run, "build", lines=len(lines))
    return run


def _locked_run(run: PaymentRun, version: int) -> PaymentRun:
    run = PaymentRun.objects.select_for_update().get(pk=run.pk)
    if run.version != version:
        raise ValidationError(STALE.format(what="This payment run"))
    if run.status == PaymentRunStatus.PAID:
        raise ValidationError("This run has been paid: it can no longer change.")
    return run


@transaction.atomic
def payment_run_confirm(*, actor, run: PaymentRun, version: int) -> PaymentRun:
    if not permissions.can_pay_ppplus(actor, run.local_authority_id):
        raise PermissionDenied("Only the Virtual School Head or an LA administrator can.")
    run = _locked_run(run, version)
    if run.status != PaymentRunStatus.DRAFT:
        raise ValidationError("This run is already confirmed.")
    if not run.payments.exists():
        raise ValidationError("There is nothing to pay in this run.")
    run.status, run.confirmed_by, run.confirmed_at = (
        PaymentRunStatus.CONFIRMED,
        actor.user,
        clock.now(),
    )
    run.version += 1
    run.save(update_fields=["status", "confirmed_by", "confirmed_at", "version"])
    audit_record_for(actor, run, "confirm")
    return run


@transaction.atomic
def payment_run_mark_paid(
    *, actor, run: PaymentRun, version: int, paid_on: date | None, reference: str
) -> PaymentRun:
    """Record that finance paid the run; the money moves from committed to paid."""
    if not permissions.can_pay_ppplus(actor, run.local_authority_id):
        raise PermissionDenied("Only the Virtual School Head or an LA administrator can.")
    run = _locked_run(run, version)
    if run.status != PaymentRunStatus.CONFIRMED:
        raise ValidationError("Confirm the run before marking it paid.")
    problems = {}
    if paid_on is None:
        problems["paid_on"] = "Enter the date the schools were paid."
    elif paid_on > clock.today():
        problems["paid_on"] = "The date paid cannot be in the future."
    if not reference.strip():
        problems["reference"] = "Enter the finance system's reference for the payment."
    if problems:
        raise ValidationError(problems)
    payments = list(run.payments.select_related("line").order_by("line__financial_year", "pk"))
    by_year: dict[int, int] = {}
    by_allocation: dict[tuple[int, int], int] = {}
    for payment in payments:
        year = payment.line.financial_year
        by_year[year] = by_year.get(year, 0) + payment.amount_pence
        key = (payment.line.child_id, year)
        by_allocation[key] = by_allocation.get(key, 0) + payment.amount_pence
    for year, amount in sorted(by_year.items()):
        budget = locked_budget(local_authority_id=run.local_authority_id, financial_year=year)
        budget.committed_pence -= amount
        budget.paid_pence += amount
        budget.version += 1
        budget.save(update_fields=["committed_pence", "paid_pence", "version"])
    for (child_id, year), amount in sorted(by_allocation.items()):
        ChildAllocation.objects.filter(child_id=child_id, financial_year=year).update(
            committed_pence=F("committed_pence") - amount, paid_pence=F("paid_pence") + amount
        )
    run.status, run.paid_on, run.reference = PaymentRunStatus.PAID, paid_on, reference.strip()
    run.version += 1
    run.save(update_fields=["status", "paid_on", "reference", "version"])
    audit_record_for(actor, run, "paid", reference=run.reference, payments=len(payments))
    return run
