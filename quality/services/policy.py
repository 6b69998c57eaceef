"""QA services: the authority's QA policy (turnaround and moderation share)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from epep.audit.services import audit_record_for
from epep.tenancy import clock

from .. import permissions
from ..models import QaPolicy

STALE_POLICY = (
    "The QA policy has changed since you opened it. Reload the page to see the change, "
    "then make yours again."
)


def _validate(turnaround_working_days, moderation_share_percent) -> None:
    errors = {}
    if not isinstance(turnaround_working_days, int) or not 1 <= turnaround_working_days <= 60:
        errors["turnaround_working_days"] = "Enter a turnaround between 1 and 60 working days."
    if not isinstance(moderation_share_percent, int) or not 0 <= moderation_share_percent <= 100:
        errors["moderation_share_percent"] = "Enter a moderation share between 0 and 100 %."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def qa_policy_update(
    *,
    actor,
    local_authority,
    turnaround_working_days: int,
    moderation_share_percent: int,
    version: int,
) -> QaPolicy:
    """Set the authority's QA turnaround and moderation share. ``version`` is the one the
    form showed (0 when the authority had no policy row yet): a form opened before someone
    else's change is refused and changes nothing."""
    authority_id = getattr(local_authority, "pk", local_authority)
    if not permissions.can_edit_qa_policy(actor) or authority_id not in actor.authority_ids:
        raise PermissionDenied("You cannot change this authority's QA policy.")
    _validate(turnaround_working_days, moderation_share_percent)
    values = {
        "turnaround_working_days": turnaround_working_days,
        "moderation_share_percent": moderation_share_percent,
    }
    existing = QaPolicy.objects.select_for_update().filter(local_authority_id=authority_id).first()
    if existing is None:
        if version != 0:
            raise ValidationError(STALE_POLICY)
        try:
            with transaction.atomic():
                policy = QaPolicy.objects.create(local_authority_id=authority_id, **values)
        except IntegrityError:
            # Someone else set the policy first (one row per authority).
            raise ValidationError(STALE_POLICY) from None
        audit_record_for(actor, policy, "create", **values)
        return policy
    updated = QaPolicy.objects.filter(pk=existing.pk, version=version).update(
        version=F("version") + 1, updated_at=clock.now(), **values
    )
    if not updated:
        raise ValidationError(STALE_POLICY)
    existing.refresh_from_db()
    audit_record_for(actor, existing, "update", **values)
    return existing
