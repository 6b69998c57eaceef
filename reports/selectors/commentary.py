"""The Virtual School Head's commentary on the annual report, read for the actor's own
authority."""

from __future__ import annotations

from ..models import COMMENTARY_SECTIONS, ReportCommentary


def commentaries_for(*, actor, academic_year: int) -> dict[str, ReportCommentary]:
    """section key -> the commentary saved for ``academic_year`` in the actor's authority
    (row-level security holds the boundary too); a section with none is left out."""
    rows = ReportCommentary.objects.filter(
        local_authority__in=actor.authorities,
        academic_year=academic_year,
        section__in=list(COMMENTARY_SECTIONS),
    ).select_related("updated_by")
    return {row.section: row for row in rows}
