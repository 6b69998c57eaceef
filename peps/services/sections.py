"""Saving a PEP section, with no lost edits (see ``EditConflict``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from children.identifiers import is_valid_uln, validate_uln
from epep.tenancy import clock

from .. import permissions
from ..models import (
    Pep,
    PepSection,
)
from ..sections import SECTION_BY_KEY, sections_for
from ._common import EditConflict, _audit, _require_editable

_DAY_FORMATS = ("%d %m %Y", "%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")


def _parse_day(value: str) -> date | None:
    """A day typed as ``27 3 2026``, ``27/3/2026``, ``27 March 2026`` or ``2026-03-27``."""
    for pattern in _DAY_FORMATS:
        try:
            return datetime.strptime(" ".join(value.split()), pattern).date()
        except ValueError:
            continue
    return None


def _uln_message(value: str) -> str:
    try:
        validate_uln(value)
    except ValidationError as error:
        return error.messages[0]
    return ""


def _clean_section_data(key: str, data: dict) -> dict:
    section = SECTION_BY_KEY[key]
    cleaned, errors = {}, {}
    for field in section.fields:
        value = str(data.get(field.name, "")).strip()
        if len(value) > 20000:
            errors[field.name] = "This is too long: keep it under 20,000 characters."
        elif field.kind == "number" and value:
            try:
                number = Decimal(value)
            except ArithmeticError:
                number = None
            if number is None or not number.is_finite():  # NaN and Infinity are not numbers
                errors[field.name] = f"{field.label} must be a number, like 94.5."
                continue
            if number < 0 or (field.name == "attendance_percent" and number > 100):
                errors[field.name] = (
                    "Attendance must be between 0 and 100."
                    if field.name == "attendance_percent"
                    else f"{field.label} cannot be negative."
                )
        elif field.kind == "date" and value and _parse_day(value) is None:
            errors[field.name] = f"{field.label} must be a real date, like 27 3 2026."
        elif field.name == "uln" and value and not is_valid_uln(value):
            errors[field.name] = _uln_message(value)
        elif field.kind == "choice" and value and value not in dict(field.choices):
            errors[field.name] = f"Choose one of the options for “{field.label}”."
        cleaned[field.name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def pep_section_save(*, actor, pep: Pep, key: str, data: dict, base_version: int) -> PepSection:
    section_def = SECTION_BY_KEY.get(key)
    if section_def is None or section_def not in sections_for(pep.variant):
        raise ValidationError("There is no such section.")
    if not permissions.can_edit_section(actor, pep, section_def):
        raise PermissionDenied(f"{actor.role_label}s cannot change “{section_def.title}”.")
    _require_editable(pep)
    section = (
        PepSection.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pep=pep, key=key)
    )
    cleaned = _clean_section_data(key, data)
    if section.version != base_version:
        raise EditConflict(
            key=key,
            theirs=section.data,
            their_version=section.version,
            their_author=section.updated_by.full_name if section.updated_by else "Someone",
            their_time=section.updated_at,
            yours=cleaned,
        )
    changed = sorted(k for k in cleaned if cleaned[k] != section.data.get(k, ""))
    section.data = cleaned
    section.version = F("version") + 1
    section.updated_at = clock.now()
    section.updated_by = actor.user
    section.save(update_fields=["data", "version", "updated_at", "updated_by"])
    section.refresh_from_db(fields=["version"])
    _audit(actor, "update", pep, section, section=key, fields=changed)
    # The person who was asked for this section has written it: their request is done.
    from .requests import section_requests_answer

    section_requests_answer(actor=actor, pep=pep, key=key)
    return section
