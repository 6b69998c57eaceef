"""Who sees which child: the one scoping mechanism used by every view, list and export.

An :class:`Actor` (defined in ``epep.tenancy.actor``, re-exported here) is a signed-in
person acting in one role (the role they chose, when they hold several).
:func:`child_visibility` turns the actor into a filter over children:

- Virtual School staff and LA administrators: every child of their authority;
- social worker, personal adviser, IRO: children currently allocated to them in that role;
- designated teacher: children currently on roll at their school(s) whose authority
  endorses them there (``SchoolRoleEndorsement``) — access ends on the enrolment's end
  date or the day the endorsement is withdrawn;
- carer: children currently placed with them; young person: their own record;
- professionals also see children explicitly granted to them (``ChildAccessGrant``) until
  the grant expires or is revoked; a delegation by a designated teacher only works while
  the child is on roll at that school and the child's authority endorses the colleague.

Underneath, PostgreSQL row-level security holds the authority boundary:
:func:`resolve_actor` computes the authorities the actor may touch at all and sets them
for the transaction (``epep.tenancy.context``).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q

from epep.tenancy import clock
from epep.tenancy.actor import Actor
from epep.tenancy.context import set_db_context
from epep.tenancy.models import Membership, SchoolRoleEndorsement
from epep.tenancy.roles import (
    ALLOCATED_ROLES,
    AUTHORITY_WIDE_ROLES,
    PROFESSIONAL_ROLES,
    ROLE_ORDER,
    SCHOOL_ROLES,
    VIRTUAL_SCHOOL_ROLES,
    Role,
)

from .models import ChildAccessGrant, Enrolment, PlacementCarer, current_on


def today() -> date:
    return clock.today()


def _endorsed_at_school(actor: Actor) -> Q:
    """A filter over rows with ``school_id`` and ``local_authority_id``: the pairs the
    actor's endorsements cover."""
    by_school: dict[int, set[int]] = {}
    for school_id, authority_id in actor.endorsed:
        by_school.setdefault(school_id, set()).add(authority_id)
    endorsed = Q(pk__in=[])
    for school_id, authority_ids in sorted(by_school.items()):
        endorsed |= Q(school_id=school_id, local_authority_id__in=sorted(authority_ids))
    return endorsed


def _active_grants(actor: Actor, day: date):
    on_roll_at_grant_school = Exists(
        Enrolment.objects.filter(
            current_on(day), child=OuterRef(OuterRef("pk")), school=OuterRef("school")
        )
    )
    delegation = on_roll_at_grant_school
    if actor.role in SCHOOL_ROLES:
        # A colleague sees a shared child only while the child's authority endorses them.
        delegation &= _endorsed_at_school(actor)
    return ChildAccessGrant.objects.filter(
        Q(school__isnull=True) | delegation,
        content_object=OuterRef("pk"),
        user_id=actor.user_id,
        revoked_at__isnull=True,
        expires_on__gt=day,
    )


def child_visibility(actor: Actor | None, day: date | None = None) -> Q:
    """A filter over ``Child`` matching exactly the children ``actor`` may see on ``day``."""
    if actor is None or actor.role is None:
        return Q(pk__in=[])
    day = day or today()
    role = actor.role
    if role in AUTHORITY_WIDE_ROLES:
        visible = Q(local_authority_id__in=actor.authority_ids)
    elif role in ALLOCATED_ROLES:
        from .models import Allocation

        visible = Q(
            Exists(
                Allocation.objects.filter(
                    current_on(day), child=OuterRef("pk"), worker_id=actor.user_id, kind=role
                )
            )
        )
    elif role == Role.DESIGNATED_TEACHER:
        # On roll at a school where the child's own authority endorses them.
        visible = Q(pk__in=[])
        for school_id in sorted(actor.school_ids):
            authority_ids = actor.endorsed_authority_ids(school_id)
            if authority_ids:
                visible |= Q(
                    Exists(
                        Enrolment.objects.filter(
                            current_on(day), child=OuterRef("pk"), school_id=school_id
                        )
                    ),
                    local_authority_id__in=sorted(authority_ids),
                )
    elif role == Role.CARER:
        visible = Q(
            Exists(
                PlacementCarer.objects.filter(
                    Q(placement__start_date__lte=day)
                    & (Q(placement__end_date__isnull=True) | Q(placement__end_date__gt=day)),
                    placement__child=OuterRef("pk"),
                    user_id=actor.user_id,
                )
            )
        )
    elif role == Role.YOUNG_PERSON:
        visible = Q(pk__in=actor.child_ids)
    elif role == Role.SCHOOL_STAFF:
        visible = Q(pk__in=[])  # only what a designated teacher shares (below)
    else:  # pragma: no cover - every role is handled above
        return Q(pk__in=[])
    if role in PROFESSIONAL_ROLES:
        visible |= Q(Exists(_active_grants(actor, day)))
    return visible


def _db_authority_ids(
    role: Role,
    memberships: list[Membership],
    user_id: int,
    day: date,
    endorsed: frozenset[tuple[int, int]],
):
    """The authorities whose rows this actor may touch at all (the RLS boundary).

    Relationship rows that reveal a boundary are readable before it is set: the actor's
    own endorsements, placement links and grants (see the RLS policies). A school role's
    boundary is the authorities that endorse it, never the authority that added it nor
    the authorities of the children on roll."""
    if role in SCHOOL_ROLES:
        ids = {authority_id for _, authority_id in endorsed}
    else:
        ids = {m.local_authority_id for m in memberships}
    if role == Role.CARER:
        ids |= set(
            PlacementCarer.objects.filter(user_id=user_id).values_list(
                "local_authority_id", flat=True
            )
        )
    if role in PROFESSIONAL_ROLES:
        grants = ChildAccessGrant.objects.filter(
            user_id=user_id, revoked_at__isnull=True, expires_on__gt=day
        )
        if role in SCHOOL_ROLES:
            # The Virtual School's own grants, and delegations its endorsement covers.
            grants = grants.filter(Q(school__isnull=True) | Q(local_authority_id__in=ids))
        ids |= set(grants.values_list("local_authority_id", flat=True))
    return frozenset(ids)


def resolve_actor(user, requested_role: str | None = None, day: date | None = None) -> Actor:
    """Work out the actor for ``user`` and set the database context for this transaction.

    Must run inside a transaction (the middleware opens one per request)."""
    day = day or today()
    # First, only the user's own memberships, placement links and grants are readable.
    school_ids: list[int] = []
    set_db_context(user_id=user.pk)
    memberships = list(
        Membership.objects.active().filter(user=user).select_related("local_authority", "school")
    )
    roles = tuple(r for r in ROLE_ORDER if any(m.role == r for m in memberships))
    role = Role(requested_role) if requested_role in roles else (roles[0] if roles else None)
    if role is None:
        set_db_context(user_id=user.pk)
        return Actor(user=user, role=None)
    mine = [m for m in memberships if m.role == role]
    endorsed: frozenset[tuple[int, int]] = frozenset()
    if role in SCHOOL_ROLES:
        school_ids = [m.school_id for m in mine]
        endorsed = frozenset(
            SchoolRoleEndorsement.objects.in_force()
            .filter(user_id=user.pk, membership__in=[m.pk for m in mine])
            .values_list("school_id", "local_authority_id")
        )
    db_ids = _db_authority_ids(role, mine, user.pk, day, endorsed)
    set_db_context(user_id=user.pk, la_ids=db_ids, school_ids=school_ids)
    if role in SCHOOL_ROLES:
        # A school role acts at a school, for the authorities that endorse it.
        authorities = {}
    else:
        authorities = {m.local_authority_id: m.local_authority for m in mine}
    schools = {m.school_id: m.school for m in mine if m.school}
    return Actor(
        user=user,
        role=role,
        memberships=tuple(mine),
        available_roles=roles,
        authorities=tuple(sorted(authorities.values(), key=lambda a: a.name)),
        schools=tuple(sorted(schools.values(), key=lambda s: s.name)),
        child_ids=frozenset(m.child_id for m in mine if m.child_id),
        endorsed=endorsed,
        db_authority_ids=db_ids,
    )


# --- May this actor …? Rules about a child's record and who else may see it ----------------


def can_see_grants(actor, child) -> bool:
    """May ``actor`` see who has been given access to ``child`` (the Virtual School and
    the designated teacher)?"""
    role = getattr(actor, "role", None)
    return role in VIRTUAL_SCHOOL_ROLES or role == Role.DESIGNATED_TEACHER


def can_grant_access(actor, child=None) -> bool:
    """May ``actor`` give a named professional access to ``child``? Only the child's own
    Virtual School (any child of its authority when ``child`` is None)."""
    if getattr(actor, "role", None) not in VIRTUAL_SCHOOL_ROLES:
        return False
    return child is None or child.local_authority_id in actor.authority_ids


def can_delegate_access(actor, child=None) -> bool:
    """May ``actor`` share ``child`` with a colleague at their school? Only a designated
    teacher (the service also checks the child is on roll at their school)."""
    return getattr(actor, "role", None) == Role.DESIGNATED_TEACHER


def can_revoke_grant(actor, grant) -> bool:
    """May ``actor`` withdraw ``grant``? The Virtual School of the grant's authority; the
    designated teacher of the school a delegation was made at."""
    role = getattr(actor, "role", None)
    if role in VIRTUAL_SCHOOL_ROLES:
        return grant.local_authority_id in actor.authority_ids
    if role == Role.DESIGNATED_TEACHER:
        return grant.school_id is not None and grant.school_id in actor.school_ids
    return False
