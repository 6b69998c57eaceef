"""Reads about memberships."""

from __future__ import annotations

from .context import authority_context
from .models import Membership
from .roles import Role


def roles_held_by(user) -> frozenset[Role]:
    """The active roles another person holds, in any authority or school.

    Their memberships in other authorities are outside the current actor's RLS boundary,
    so this reads them in a nested context that can see that one person's own membership
    rows and nothing else (no authority's tenant rows); the actor's context is restored."""
    with authority_context(local_authority_ids=(), user_id=user.pk):
        return frozenset(
            Role(r)
            for r in Membership.objects.active().filter(user=user).values_list("role", flat=True)
        )
