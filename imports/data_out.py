"""Data out, for the council: the authority's children with their PEP status, last PEP
date and next deadline, as CSV, so the case-management system can be kept in step.

:func:`children_data_out` reads every row in one query (the children the actor may see,
each PEP fact and the next deadline a sub-select), records one audit event and returns
the rows; :func:`csv_lines` turns them into CSV text line by line for a streaming
response. The rows are read before the response streams: the request's database context
(row-level security) ends with the view, so a query run while streaming would see nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from children.selectors import children_for
from deadlines.models import DeadlineKind
from deadlines.selectors import next_deadline_annotations
from epep.audit.services import audit_record
from epep.exports import csv_row
from epep.tenancy import clock
from epep.tenancy.actor import Actor
from peps.models import Pep, Status

from .permissions import can_export_children_data

HEADER = (
    "CHILD",
    "UPN",
    "Legal first name",
    "Legal last name",
    "Preferred name",
    "Date of birth",
    "Current school URN",
    "PEP status",
    "Last PEP date",
    "Next deadline",
    "Next deadline for",
)

NO_PEP = "No PEP yet"


def children_data_out(*, actor: Actor) -> list[tuple]:
    """One tuple per child the actor may see (their whole authority for the Virtual School
    and the LA administrator), in :data:`HEADER`'s order, in one query."""
    if not can_export_children_data(actor):
        raise PermissionDenied("Only the Virtual School or the LA administrator can do this.")
    today = clock.today()
    peps = Pep.objects.filter(child=OuterRef("pk"))
    current = peps.exclude(status=Status.FINALISED).order_by("-created_at")
    finalised = peps.filter(status=Status.FINALISED).order_by("-finalised_at")
    held = peps.filter(meeting_date__lte=today).order_by("-meeting_date")
    rows = (
        children_for(actor=actor)
        .filter(local_authority_id__in=actor.authority_ids)
        .annotate(
            pep_status=Coalesce(
                Subquery(current.values("status")[:1]), Subquery(finalised.values("status")[:1])
            ),
            last_pep_date=Subquery(held.values("meeting_date")[:1]),
            **next_deadline_annotations(),
        )
        .values_list(
            "la_child_id",
            "upn",
            "legal_first_name",
            "legal_last_name",
            "preferred_name",
            "date_of_birth",
            "current_school_urn",
            "pep_status",
            "last_pep_date",
            "next_deadline_due",
            "next_deadline_kind",
        )
    )
    out = [_present(row) for row in rows]
    for authority in actor.authorities:
        audit_record(
            acting_user=actor.user,
            role=actor.role,
            action="export_children_data",
            object_type="children.child",
            local_authority_id=authority.pk,
            detail={"rows": len(out)},
        )
    return out


def _present(row: tuple) -> tuple:
    *person, status, last_date, due, kind = row
    return (
        *person,
        Status(status).label if status else NO_PEP,
        last_date,
        due,
        DeadlineKind(kind).label if kind else "",
    )


def csv_lines(rows: Iterable[tuple]) -> Iterator[str]:
    """The CSV text, a line at a time (the header first, a byte-order mark before it so
    spreadsheet programs read UTF-8; dates as yyyy-mm-dd; every cell through ``csv_row``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csv_row("" if value is None else value for value in values))
        return buffer.getvalue()

    yield "\ufeff" + line(HEADER)
    for row in rows:
        yield line(row)
