"""Writes of the reports app: the Virtual School Head's commentary on the annual report."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from epep.audit.services import audit_record_for
from epep.tenancy import clock

from .models import COMMENTARY_MAX_LENGTH, COMMENTARY_SECTIONS, ReportCommentary
from .permissions import can_edit_commentary


class StaleCommentary(ValidationError):
    """Someone saved the commentary after the editor opened it: nothing was changed.
    ``current`` is the commentary as it is now."""

    def __init__(self, message: str, *, current: ReportCommentary):
        super().__init__({"text": message}, code="stale")
        self.current = current


@transaction.atomic
def commentary_save(
    *, actor, academic_year: int, section: str, text: str, base_version: int
) -> ReportCommentary:
    """Save the commentary on ``section`` of the annual report for ``academic_year`` (its
    first calendar year) in the actor's authority. ``base_version`` is the version the
    editor started from (0 for none yet): a save from an older version is refused with
    :class:`StaleCommentary` and changes nothing."""
    if not can_edit_commentary(actor):
        raise PermissionDenied("Only the Virtual School Head can change the commentary.")
    if section not in COMMENTARY_SECTIONS:
        raise ValidationError({"section": "There is no such section of the annual report."})
    text = text.strip()
    if len(text) > COMMENTARY_MAX_LENGTH:
        raise ValidationError(
            {"text": f"Keep the commentary to {COMMENTARY_MAX_LENGTH:,} characters or fewer."}
        )
    (authority,) = actor.authorities
    commentary, _ = ReportCommentary.objects.select_for_update().get_or_create(
        local_authority=authority, academic_year=academic_year, section=section
    )
    if commentary.version != base_version:
        who = commentary.updated_by.full_name if commentary.updated_by else "Someone"
        when = date_format(localtime(commentary.updated_at), "j F Y \\a\\t H:i")
        raise StaleCommentary(
            f"{who} changed this commentary on {when}, after you opened it. Your text was "
            "not saved: read theirs, then save again.",
            current=commentary,
        )
    commentary.text = text
    commentary.version = base_version + 1
    commentary.updated_by = actor.user
    commentary.updated_at = clock.now()
    commentary.full_clean()
    commentary.save()
    audit_record_for(actor, commentary, "update", section=section, academic_year=academic_year)
    return commentary
