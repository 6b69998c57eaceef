"""A worker's team (``Membership.team``): the Virtual School's figures break down by the
team of each child's social worker."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from epep.audit.services import audit_record
from epep.tenancy.models import Membership

from ..permissions import can_set_team


def membership_team_set(*, actor, membership: Membership, team: str) -> Membership:
    """Set (or clear, with "") the team of ``membership``. Spaces are tidied; more than
    80 characters is refused beside the field."""
    if not can_set_team(actor, membership):
        raise PermissionDenied("You cannot change this person's team.")
    team = " ".join((team or "").split())
    if len(team) > 80:
        raise ValidationError({"team": "Enter a team name of 80 characters or fewer."})
    with transaction.atomic():
        before = membership.team
        membership.team = team
        membership.full_clean()
        membership.save(update_fields=["team"])
        audit_record(
            acting_user=actor.user,
            role=actor.role,
            action="set_team",
            object_type="tenancy.membership",
            object_id=str(membership.pk),
            local_authority_id=membership.local_authority_id,
            detail={"role": membership.role, "before": before, "after": team},
        )
    return membership
