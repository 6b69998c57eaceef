"""The termly attainment table."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .. import permissions, scales
from ..models import (
    AttainmentEntry,
    Pep,
)
from ._common import _audit, _require_editable


@transaction.atomic
def attainment_save(*, actor, pep: Pep, rows: list[dict]) -> list[AttainmentEntry]:
    """Save the termly attainment table (subject, baseline, current, target)."""
    if not permissions.can_edit_attainment(actor, pep):
        raise PermissionDenied("Only the school or the Virtual School enters attainment.")
    _require_editable(pep)
    allowed = set(dict(scales.SCALES.get(pep.key_stage, ())))
    errors = {}
    subjects = set()
    for i, row in enumerate(rows):
        for column in ("baseline", "current", "target"):
            value = row.get(column, "")
            if value and allowed and value not in allowed:
                errors[f"{i}-{column}"] = f"“{value}” is not on the {pep.key_stage} scale."
            elif len(value) > 40 or "\x00" in value:
                errors[f"{i}-{column}"] = (
                    f"The {column} for {str(row.get('subject', '')).strip()[:80]} must be "
                    "40 characters or fewer, in words and numbers."
                )
        subject = str(row.get("subject", "")).strip()
        if not subject:
            errors[f"{i}-subject"] = "Enter the subject."
        elif len(subject) > 80 or "\x00" in subject:
            errors[f"{i}-subject"] = (
                "Subject names must be 80 characters or fewer, in words and numbers."
            )
        elif subject.casefold() in subjects:
            errors[f"{i}-subject"] = f"{subject} is listed twice. Enter each subject once."
        subjects.add(subject.casefold())
    if errors:
        raise ValidationError(errors)
    pep.attainment.all().delete()
    saved = AttainmentEntry.objects.bulk_create(
        AttainmentEntry(
            local_authority_id=pep.local_authority_id,
            pep=pep,
            subject=str(row["subject"]).strip(),
            baseline=row.get("baseline", ""),
            current=row.get("current", ""),
            target=row.get("target", ""),
            position=i,
        )
        for i, row in enumerate(rows)
    )
    _audit(actor, "update", pep, section="attainment", subjects=len(saved))
    return saved
