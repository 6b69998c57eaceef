"""Changing the form of a PEP (early years, school age, post-16)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from .. import permissions
from ..models import Pep, PepSection, PepVariant
from ..sections import sections_for
from ._common import StaleState, _audit, _require_editable


def pep_sections_ensure(pep: Pep) -> None:
    """Every section of the PEP's form has its row (a form chosen later adds the rows it
    lacks; the rows of another form stay, with what was written in them)."""
    PepSection.objects.bulk_create(
        [
            PepSection(local_authority_id=pep.local_authority_id, pep=pep, key=section.key)
            for section in sections_for(pep.variant)
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def pep_variant_change(*, actor, pep: Pep, variant: str, version: int) -> Pep:
    """The designated teacher chooses the form of ``pep`` while it is open for changes.
    ``version`` is the PEP's ``state_version`` when the page was opened: if the PEP has
    moved on since, nothing changes (``StaleState``)."""
    if not permissions.can_change_variant(actor, pep):
        raise PermissionDenied("Only the designated teacher can change the form of a PEP.")
    if variant not in PepVariant.values:
        raise ValidationError({"variant": "Choose early years, school age or post-16."})
    _require_editable(pep)
    old = Pep.objects.values_list("variant", flat=True).get(pk=pep.pk)
    updated = Pep.objects.filter(pk=pep.pk, state_version=version).update(
        variant=variant, state_version=F("state_version") + 1
    )
    if not updated:
        raise StaleState(
            "This PEP has changed since you opened it. Its form has not been changed: "
            "look at it again and choose."
        )
    pep.refresh_from_db(fields=["variant", "state_version"])
    pep_sections_ensure(pep)
    _audit(actor, "update", pep, variant=variant, previous_variant=old)
    return pep
