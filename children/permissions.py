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
from epep.tenancy.permissions import is_platform_operator
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


def _granted_child_ids(actor: Actor, day: date):
    """The ids of the children granted to the actor by name, in force on ``day``. A
    delegation by a designated teacher works only while the child is on roll at that
    school (and, for a school role, while the child's authority endorses the colleague
    there). Starts from the actor's own grants (index ``child_grant_one_live_per_user``)."""
    on_roll_at_grant_school = Exists(
        Enrolment.objects.filter(
            current_on(day), child=OuterRef("content_object"), school=OuterRef("school")
        )
    )
    delegation = on_roll_at_grant_school
    if actor.role in SCHOOL_ROLES:
        # A colleague sees a shared child only while the child's authority endorses them.
        delegation &= _endorsed_at_school(actor)
    return (
        ChildAccessGrant.objects.filter(
            Q(school__isnull=True) | delegation,
            user_id=actor.user_id,
            revoked_at__isnull=True,
            expires_on__gt=day,
        )
        .order_by()
        .values("content_object_id")
    )


def _visible_child_ids(actor: Actor, day: date) -> list:
    """Subqueries of child ids, one per way ``actor`` reaches a child, each starting
    from an index on the actor's own rows (never a scan of every child)."""
    from .models import Allocation, Child

    role = actor.role
    ids = []
    if role in AUTHORITY_WIDE_ROLES:
        ids.append(
            Child.objects.filter(local_authority_id__in=sorted(actor.authority_ids))
            .order_by()
            .values("pk")
        )
    elif role in ALLOCATED_ROLES:
        # Index allocation_worker_idx (worker, kind).
        ids.append(
            Allocation.objects.filter(current_on(day), worker_id=actor.user_id, kind=role)
            .order_by()
            .values("child_id")
        )
    elif role == Role.DESIGNATED_TEACHER:
        # On roll at a school where the child's own authority endorses them (the
        # enrolment row carries the child's authority). Index enrolment_school_idx.
        for school_id in sorted(actor.school_ids):
            authority_ids = actor.endorsed_authority_ids(school_id)
            if authority_ids:
                ids.append(
                    Enrolment.objects.filter(
                        current_on(day),
                        school_id=school_id,
                        child__local_authority_id__in=sorted(authority_ids),
                    )
                    .order_by()
                    .values("child_id")
                )
    elif role == Role.CARER:
        ids.append(
            PlacementCarer.objects.filter(
                Q(placement__start_date__lte=day)
                & (Q(placement__end_date__isnull=True) | Q(placement__end_date__gt=day)),
                user_id=actor.user_id,
            )
            .order_by()
            .values("placement__child_id")
        )
    if role in PROFESSIONAL_ROLES:
        ids.append(_granted_child_ids(actor, day))
    return ids


def child_visibility(actor: Actor | None, day: date | None = None) -> Q:
    """A filter over ``Child`` matching exactly the children ``actor`` may see on ``day``.

    Shaped so that PostgreSQL can answer it from indexes on its own, whether row-level
    security is on or not: the ids of the children reached each way (a ``UNION`` of
    subqueries that each start from the actor's own rows), then the children by key."""
    if actor is None or actor.role is None:
        return Q(pk__in=[])
    day = day or today()
    if actor.role == Role.YOUNG_PERSON:
        return Q(pk__in=sorted(actor.child_ids))
    ids = _visible_child_ids(actor, day)
    if not ids:
        return Q(pk__in=[])
    first, *rest = ids
    visible = Q(pk__in=first.union(*rest) if rest else first)
    if actor.role not in AUTHORITY_WIDE_ROLES:
        # A child who has left care is a former child in care: only the Virtual School
        # (and the authority's administrators) still read their record.
        visible &= in_care_on(day)
    return visible


def in_care_on(day: date) -> Q:
    """Children in care on ``day``: not recorded as having left care on or before it."""
    return Q(left_care_on__isnull=True) | Q(left_care_on__gt=day)


def _db_authority_ids(
    role: Role,
    memberships: list[Membership],
    day: date,
    endorsed: frozenset[tuple[int, int]],
):
    """The authorities whose rows this actor may touch at all (the RLS boundary).

    Relationship rows that reveal a boundary are readable before it is set: the actor's
    own endorsements, placement links and grants (see the RLS policies); they come with
    the memberships, in one query (:func:`_memberships_with_boundaries`). A school role's
    boundary is the authorities that endorse it, never the authority that added it nor
    the authorities of the children on roll."""
    if role in SCHOOL_ROLES:
        ids = {authority_id for _, authority_id in endorsed}
    else:
        ids = {m.local_authority_id for m in memberships}
    if not memberships:
        return frozenset(ids)
    first = memberships[0]
    if role == Role.CARER:
        ids |= set(first.carer_authority_ids or ())
    if role in PROFESSIONAL_ROLES:
        for grant in first.grants or ():
            if grant["expires_on"] <= day.isoformat():
                continue
            if role in SCHOOL_ROLES and grant["school"] is not None:
                # The Virtual School's own grants, and delegations its endorsement covers.
                if grant["la"] not in ids:
                    continue
            ids.add(grant["la"])
    return frozenset(ids)


def _memberships_with_boundaries(user) -> list[Membership]:
    """The user's active memberships, each with what the RLS boundary needs, in one
    query: the endorsements in force of that membership (``endorsed``: school and
    authority pairs), the authorities of the user's placement links
    (``carer_authority_ids``) and the user's unrevoked grants (``grants``)."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models.functions import JSONObject

    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("local_authority", "school")
        .annotate(
            endorsed=ArraySubquery(
                SchoolRoleEndorsement.objects.in_force()
                .filter(user_id=user.pk, membership=OuterRef("pk"))
                .order_by()
                .values(pair=JSONObject(school="school_id", la="local_authority_id"))
            ),
            carer_authority_ids=ArraySubquery(
                PlacementCarer.objects.filter(user_id=user.pk)
                .order_by()
                .values("local_authority_id")
                .distinct()
            ),
            grants=ArraySubquery(
                ChildAccessGrant.objects.filter(user_id=user.pk, revoked_at__isnull=True)
                .order_by()
                .values(
                    grant=JSONObject(
                        la="local_authority_id", school="school_id", expires_on="expires_on"
                    )
                )
            ),
        )
    )


_NO_BOUNDARY: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())
#: The boundary each (user, requested role) got last in this process: the first guess of
#: :func:`resolve_actor`, which is corrected whenever it differs from the one computed.
_last_boundary: dict[tuple[int, str | None], tuple[frozenset[int], frozenset[int]]] = {}
_LAST_BOUNDARY_SIZE = 10_000


def _remember_boundary(user_id: int, requested_role, boundary) -> None:
    if len(_last_boundary) >= _LAST_BOUNDARY_SIZE:
        _last_boundary.clear()
    _last_boundary[(user_id, requested_role)] = boundary


def resolve_actor(user, requested_role: str | None = None, day: date | None = None) -> Actor:
    """Work out the actor for ``user`` and set the database context for this transaction.

    Must run inside a transaction (the middleware opens one per request)."""
    day = day or today()
    # First, the user's own memberships, placement links and grants must be readable: the
    # query filters them by user, so the boundary this user had last time (a guess that
    # saves a round trip; nothing but the user's own rows is read under it) or none.
    school_ids: list[int] = []
    guess = _last_boundary.get((user.pk, requested_role), _NO_BOUNDARY)
    set_db_context(user_id=user.pk, la_ids=guess[0], school_ids=guess[1])
    memberships = _memberships_with_boundaries(user)
    roles = tuple(r for r in ROLE_ORDER if any(m.role == r for m in memberships))
    role = Role(requested_role) if requested_role in roles else (roles[0] if roles else None)
    if role is None:
        if guess != _NO_BOUNDARY:
            set_db_context(user_id=user.pk)
        _remember_boundary(user.pk, requested_role, _NO_BOUNDARY)
        return Actor(user=user, role=None)
    mine = [m for m in memberships if m.role == role]
    endorsed: frozenset[tuple[int, int]] = frozenset()
    if role in SCHOOL_ROLES:
        school_ids = [m.school_id for m in mine]
        endorsed = frozenset(
            (pair["school"], pair["la"]) for m in mine for pair in (m.endorsed or ())
        )
    db_ids = _db_authority_ids(role, mine, day, endorsed)
    boundary = (db_ids, frozenset(school_ids))
    if boundary != guess:
        set_db_context(user_id=user.pk, la_ids=db_ids, school_ids=school_ids)
    _remember_boundary(user.pk, requested_role, boundary)
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


# --- May this actor …? Adding children, and their periods of care -------------------------


def can_open_professional_record(actor) -> bool:
    """May ``actor`` open the professionals' pages about the children they see (the child's
    page, the PEP and its sections, its PDF, history, documents, meetings, access log, PP+,
    QA)? Everyone who sees a child except the young person: those pages hold professional-
    only sections, compliance states and words a child should not meet, so the young person
    reaches their own record only through their own pages (``/my/``, My Voice), which ask
    :func:`children.selectors.children_for` with ``own_pages=True``. Every other look-up
    gives them the same 404 as another child's page, refusal recorded."""
    role = getattr(actor, "role", None)
    return role is not None and role != Role.YOUNG_PERSON


def can_ask_for_help(actor, child) -> bool:
    """May ``actor`` send "I need help" about ``child``? The young person themself."""
    return getattr(actor, "role", None) == Role.YOUNG_PERSON and child.pk in actor.child_ids


def can_add_child(actor) -> bool:
    """May ``actor`` add a child their authority has taken into care? The Virtual School,
    the authority's administrators and its social workers."""
    role = getattr(actor, "role", None)
    return role in AUTHORITY_WIDE_ROLES or role == Role.SOCIAL_WORKER


def can_record_care(actor, child) -> bool:
    """May ``actor`` record ``child`` leaving care or entering it again? The Virtual
    School and administrators of the child's authority, and a social worker of that
    authority (the service also checks they are the child's allocated social worker)."""
    role = getattr(actor, "role", None)
    if role not in AUTHORITY_WIDE_ROLES and role != Role.SOCIAL_WORKER:
        return False
    return child.local_authority_id in actor.authority_ids


def can_record_care_of_any_child(actor) -> bool:
    """May ``actor`` record care for any child of their authority, allocated to them or
    not? The Virtual School and the authority's administrators (a social worker: only
    their own allocated child)."""
    return getattr(actor, "role", None) in AUTHORITY_WIDE_ROLES


def can_choose_social_worker(actor) -> bool:
    """Does ``actor`` choose the social worker of a child they add? The Virtual School and
    the authority's administrators; a social worker adding a child is its social worker."""
    return getattr(actor, "role", None) in AUTHORITY_WIDE_ROLES


def can_see_former_children(actor) -> bool:
    """May ``actor`` list the children who have left their authority's care? The
    Virtual School and the authority's administrators."""
    return getattr(actor, "role", None) in AUTHORITY_WIDE_ROLES


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


# --- May this actor …? School moves, placement moves and allocations ------------------------

#: Who may move a child's school or placement: the Virtual School, the authority's
#: administrators, and the child's own worker (the view reached the child through their
#: allocation).
_MOVERS = AUTHORITY_WIDE_ROLES | {Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER}


def _of_my_authority(actor, local_authority_id) -> bool:
    return local_authority_id in actor.authority_ids


def can_move_school(actor, child) -> bool:
    """May ``actor`` move ``child`` to another school (or ask for the move, when the
    authority's policy needs the Virtual School to authorise it)?"""
    role = getattr(actor, "role", None)
    return role in _MOVERS and _of_my_authority(actor, child.local_authority_id)


def can_move_school_without_authorisation(actor, child) -> bool:
    """Does a move ``actor`` makes take effect at once, whatever the authority's policy
    on in-year transfers? Only the child's own Virtual School's."""
    role = getattr(actor, "role", None)
    return role in VIRTUAL_SCHOOL_ROLES and _of_my_authority(actor, child.local_authority_id)


def can_authorise_school_move(actor, request=None) -> bool:
    """May ``actor`` authorise or decline ``request`` (see the requests waiting, when
    None)? The Virtual School of the child's authority."""
    if getattr(actor, "role", None) not in VIRTUAL_SCHOOL_ROLES:
        return False
    return request is None or _of_my_authority(actor, request.local_authority_id)


def can_withdraw_school_move(actor, request) -> bool:
    """May ``actor`` withdraw a school move still waiting for authorisation? The person
    who asked for it, or the child's Virtual School."""
    if getattr(actor, "user_id", None) is not None and actor.user_id == request.requested_by_id:
        return _of_my_authority(actor, request.local_authority_id)
    return can_authorise_school_move(actor, request)


def can_move_placement(actor, child) -> bool:
    """May ``actor`` record ``child``'s move to a new placement?"""
    role = getattr(actor, "role", None)
    return role in _MOVERS and _of_my_authority(actor, child.local_authority_id)


def can_change_allocation(actor, child) -> bool:
    """May ``actor`` allocate ``child`` a new social worker, IRO or personal adviser? The
    Virtual School and the authority's administrators."""
    role = getattr(actor, "role", None)
    return role in AUTHORITY_WIDE_ROLES and _of_my_authority(actor, child.local_authority_id)


def can_add_school(actor) -> bool:
    """May ``actor`` add a school that is not on the shared list? Virtual School staff."""
    return getattr(actor, "role", None) in VIRTUAL_SCHOOL_ROLES


# -- the admin site ------------------------------------------------------------------------


def can_manage_children_in_admin(actor, obj=None) -> bool:
    """May ``actor`` see and change children (and their access grants) in the admin:
    their authority's Virtual School staff. LA administrators keep settings, not
    children; ePEP support sees no child without a membership."""
    if getattr(actor, "role", None) not in VIRTUAL_SCHOOL_ROLES:
        return False
    la_id = getattr(obj, "local_authority_id", None)
    return la_id is None or la_id in actor.authority_ids


def can_view_schools_in_admin(actor, obj=None) -> bool:
    """May ``actor`` see the register of schools in the admin (no child's data): the
    authority-wide roles and ePEP support."""
    return getattr(actor, "role", None) in AUTHORITY_WIDE_ROLES or is_platform_operator(actor)


def can_edit_schools_in_admin(actor, obj=None) -> bool:
    """Only ePEP support changes the register of schools in the admin (staff add a
    school missing from it on the child's school search: ``can_add_school``)."""
    return is_platform_operator(actor)
