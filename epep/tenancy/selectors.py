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


def school_authorities_on_roll(school_id: int) -> frozenset[int]:
    """The ids of the authorities with a child on roll at the school today (and nothing
    else about them): a SECURITY DEFINER database function, see
    ``epep/tenancy/migrations/0005_school_role_rls.py``."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT school_authorities_on_roll(%s::bigint)", [school_id])
        return frozenset(row[0] for row in cursor.fetchall())


def endorsements_of_authority(authority_id: int):
    """Everyone holding a school role whom ``authority_id`` has been asked to endorse,
    endorses, declined or withdrew (its own rows, by row-level security too)."""
    from .models import SchoolRoleEndorsement

    return SchoolRoleEndorsement.objects.filter(local_authority_id=authority_id).select_related(
        "user", "school", "requested_by_authority"
    )


def school_role_holders(*, school_ids, authority_id: int, roles=None):
    """The people holding a school role at ``school_ids`` whom ``authority_id`` endorses
    today: the only school staff who may be proposed, assigned or shared anything about
    that authority's children. Read in the authority's context (its own rows)."""
    from django.contrib.auth import get_user_model

    from .models import SchoolRoleEndorsement

    endorsements = SchoolRoleEndorsement.objects.filter(
        state=SchoolRoleEndorsement.State.ENDORSED,
        local_authority_id=authority_id,
        school_id__in=list(school_ids),
    )
    if roles is not None:
        endorsements = endorsements.filter(role__in=[Role(r).value for r in roles])
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=endorsements.values("user_id"))
        .order_by("full_name", "pk")
    )


def endorsements_of_person(*, user_id: int, school_ids):
    """A school role holder's own endorsements (readable as their own rows): which
    authorities let them see their children, which are still to decide."""
    from .models import SchoolRoleEndorsement

    return (
        SchoolRoleEndorsement.objects.filter(user_id=user_id, school_id__in=list(school_ids))
        .select_related("local_authority", "school")
        .order_by("school__name", "local_authority__name")
    )


def access_endorsement_by_id(*, actor, endorsement_id):
    """The one way to fetch an endorsement a URL names: one of the actor's authority's,
    or 404 (missing and refused alike, the refusal recorded in the actor's authority:
    ``epep.tenancy.access``)."""
    from .access import fetch_or_404, refuse
    from .permissions import can_endorse_school_roles

    if not can_endorse_school_roles(actor):
        raise refuse(
            actor=actor,
            object_type="tenancy.schoolroleendorsement",
            public_id=endorsement_id,
            belongs_to_child=False,
        )
    return fetch_or_404(
        endorsements_of_authority(actor.authorities[0].pk),
        actor=actor,
        object_type="tenancy.schoolroleendorsement",
        public_id=endorsement_id,
        belongs_to_child=False,
    )


def people_in_role(*, authority_id: int, role):
    """The people with an active membership of ``authority_id`` in ``role`` (one role or
    several: its carers, social workers, IROs, personal advisers), by name: whom a child
    can be placed with or allocated to."""
    from django.contrib.auth import get_user_model

    from .models import Membership

    roles = [role] if isinstance(role, str) else list(role)
    members = Membership.objects.active().filter(
        local_authority_id=authority_id, role__in=sorted(Role(r).value for r in roles)
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=members.values("user_id"))
        .order_by("full_name", "pk")
    )
