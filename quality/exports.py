"""The QA results of a term as a spreadsheet (CSV or XLSX): one row per completed QA round
of the actor's PEPs of that academic year and term, with a column per criterion of the
rubric versions used (by criterion title, so two versions' "SMART targets" share one).

Every text cell goes through ``epep.exports.csv_safe``: a cell a spreadsheet would run as
a formula gets a leading ``'`` and, in the XLSX, is written as a string (never a formula
cell). File names come from ``epep.exports.download_name`` (the term, never a child's
name). Each export is audited with how many rows it held.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch

from calendars.days import LONDON, local_date, working_days_between
from epep.audit.services import audit_record
from epep.exports import csv_row, download_name, xlsx_bytes
from peps.models import Term

from . import permissions
from .models import Criterion, CriterionGrade
from .selectors.moderation import completed_reviews_of_term

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

HEADER = [
    "Child",
    "UPN",
    "School",
    "Key stage",
    "Officer",
    "Round",
    "Submitted",
    "Completed",
    "Working days taken",
    "Overall grade",
    "Override reason",
    "Outcome",
    "Return reason",
]


@dataclass
class QaResults:
    academic_year: str
    term: str
    header: list[str]
    rows: list[list[object]]

    @property
    def count(self) -> int:
        return len(self.rows)


def _local(moment: datetime | None) -> datetime | None:
    """A naive Europe/London date and time to the minute (spreadsheets have no zones)."""
    if moment is None:
        return None
    return moment.astimezone(LONDON).replace(tzinfo=None, second=0, microsecond=0)


def qa_results(*, actor, academic_year: str, term: str) -> QaResults:
    """The completed QA of the actor's PEPs of the term: three queries however many."""
    reviews = list(
        completed_reviews_of_term(actor=actor, academic_year=academic_year, term=term)
        .select_related("pep__child", "pep__school", "officer", "grade")
        .prefetch_related(
            Prefetch(
                "criterion_grades",
                queryset=CriterionGrade.objects.select_related("criterion", "grade"),
            )
        )
        .order_by("pep__child__legal_last_name", "pep__child__legal_first_name", "pep_id", "round")
    )
    titles = list(
        dict.fromkeys(
            Criterion.objects.filter(rubric_id__in={r.rubric_id for r in reviews if r.rubric_id})
            .order_by("rubric__version", "section__order", "order", "pk")
            .values_list("title", flat=True)
        )
    )
    rows = []
    for review in reviews:
        pep, child = review.pep, review.pep.child
        grades = {g.criterion.title: g.grade.label for g in review.criterion_grades.all()}
        taken = (
            working_days_between(local_date(review.submitted_at), local_date(review.completed_at))
            if review.completed_at
            else None
        )
        rows.append(
            [
                child.display_name,
                child.upn,
                pep.school.name if pep.school else "",
                pep.key_stage,
                review.officer.full_name,
                review.round,
                _local(review.submitted_at),
                _local(review.completed_at),
                taken,
                review.grade.label if review.grade else "",
                review.override_reason,
                review.get_outcome_display(),
                review.return_reason,
                *(grades.get(title, "") for title in titles),
            ]
        )
    return QaResults(academic_year, term, [*HEADER, *titles], rows)


def _text(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return value


def as_csv(results: QaResults) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_row(results.header))
    for row in results.rows:
        writer.writerow(csv_row(_text(value) for value in row))
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(results: QaResults) -> bytes:
    """Numbers and dates as such; every other cell a neutralised string."""
    return xlsx_bytes([results.header, *results.rows], title="QA results")


@dataclass
class Download:
    filename: str
    content_type: str
    content: bytes
    count: int


@transaction.atomic
def qa_results_export(*, actor, academic_year: str, term: str, file_format: str) -> Download:
    """The term's QA results as ``file_format`` ("csv" or "xlsx"), audited."""
    if not permissions.can_export_qa(actor):
        raise PermissionDenied("Only the Virtual School exports QA results.")
    if file_format not in FORMATS or term not in Term.values:
        raise ValueError(f"Cannot export {term!r} as {file_format!r}.")
    results = qa_results(actor=actor, academic_year=academic_year, term=term)
    content = as_csv(results) if file_format == "csv" else as_xlsx(results)
    for la_id in sorted(actor.authority_ids):
        audit_record(
            acting_user=actor.user,
            role=actor.role,
            action="export_qa_results",
            object_type="quality.qareview",
            local_authority_id=la_id,
            detail={
                "academic_year": academic_year,
                "term": term,
                "format": file_format,
                "count": results.count,
            },
        )
    return Download(
        filename=download_name("qa-results", academic_year, term, extension=file_format),
        content_type=FORMATS[file_format],
        content=content,
        count=results.count,
    )
