"""Files a payment run produces: the remittance advice each school gets (which child and
what for, by initials and a reference, never a name or a UPN) and the export the
council's finance system loads (one row per school: amount and reference).

Every cell goes through ``epep.exports.csv_row`` (a cell a spreadsheet would run is
written as text)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from epep.exports import csv_row, short_reference

from .models import Payment, PaymentRun
from .money import format_pounds

REMITTANCE_COLUMNS = [
    "School",
    "School URN",
    "Child",
    "Reference",
    "Term",
    "What it pays for",
    "Amount (£)",
]
FINANCE_COLUMNS = ["Payee school", "School URN", "Amount (pence)", "Amount (£)", "Reference"]


def initials(first: str, last: str) -> str:
    """ "Amira", "Khan" → "A.K." (what a remittance names a child by)."""
    return "".join(f"{part.strip()[0].upper()}." for part in (first, last) if part.strip())


def run_reference(run: PaymentRun) -> str:
    return f"PPP-{run.academic_year}-{run.term}-{short_reference(run.public_id)}"


def _payments(run: PaymentRun, school_id: int | None = None):
    payments = Payment.objects.filter(run=run).select_related("school", "line", "line__child")
    if school_id is not None:
        payments = payments.filter(school_id=school_id)
    return payments.order_by("school__name", "line__requested_at", "pk")


def remittance_csv(run: PaymentRun, *, school_id: int | None = None) -> str:
    """One line per payment (of one school, or of all), children by initials."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REMITTANCE_COLUMNS)
    term = f"{run.get_term_display()} {run.academic_year}"
    for payment in _payments(run, school_id):
        child = payment.line.child
        writer.writerow(
            csv_row(
                [
                    payment.school.name,
                    payment.school.urn or "",
                    initials(child.preferred_name or child.legal_first_name, child.legal_last_name),
                    short_reference(payment.line.public_id),
                    term,
                    payment.line.what,
                    _pounds(payment.amount_pence),
                ]
            )
        )
    return out.getvalue()


def _pounds(pence: int) -> str:
    """12345 → "123.45" (exact: integer arithmetic)."""
    return f"{pence // 100}.{pence % 100:02d}"


def finance_csv(run: PaymentRun) -> str:
    """One row per school: what finance pays it, with the run's reference."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for payment in _payments(run):
        totals[(payment.school.name, payment.school.urn or "")] += payment.amount_pence
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FINANCE_COLUMNS)
    reference = run_reference(run)
    for (name, urn), pence in sorted(totals.items()):
        writer.writerow(csv_row([name, urn, pence, _pounds(pence), reference]))
    return out.getvalue()


def remittance_total(run: PaymentRun, *, school_id: int) -> str:
    return format_pounds(sum(p.amount_pence for p in _payments(run, school_id)))
