"""What children's records do when accounts change (registered in ``children.apps``,
called by ``epep.accounts.services`` through ``epep.accounts.hooks``, inside the account
change's transaction and database context)."""

from __future__ import annotations

from django.utils import timezone

from epep.audit.services import audit_record
from epep.tenancy.roles import Role

from .models import ChildAccessGrant, PlacementCarer


def carer_link_placement(*, invitation, user, membership) -> None:
    """A carer invited for a placement is linked to it when they accept."""
    if membership.role == Role.CARER and invitation.placement_id:
        PlacementCarer.objects.get_or_create(
            placement_id=invitation.placement_id,
            user=user,
            defaults={"local_authority_id": invitation.local_authority_id},
        )


def grants_withdraw_for_removed_person(*, actor, user, authority) -> int:
    """Withdraw the access ``authority`` gave ``user`` to named children; one ``revoke``
    audit event per grant. Returns how many were withdrawn."""
    now = timezone.now()
    grants = list(
        ChildAccessGrant.objects.filter(
            user_id=user.pk, local_authority_id=authority.pk, revoked_at__isnull=True
        ).select_related("content_object")
    )
    for grant in grants:
        grant.revoked_at, grant.revoked_by = now, actor.user
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            acting_user=actor.user,
            role=actor.role,
            action="revoke",
            object_type="children.childaccessgrant",
            object_id=str(grant.public_id),
            local_authority_id=authority.pk,
            child_public_id=grant.content_object.public_id,
            detail={"grantee": user.email, "reason": "removed from authority"},
        )
    return len(grants)
