"""Reads: scoped querysets. Every child a view shows comes through here."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from epep.audit.services import audit_record
from epep.tenancy.access import fetch_or_404
from epep.tenancy.actor import Actor

from .models import Allocation, Child, ChildAccessGrant, Enrolment, Placement, current_on
from .permissions import can_open_professional_record, child_visibility, today


def children_for(
    *, actor: Actor | None, day: date | None = None, own_pages: bool = False
) -> QuerySet[Child]:
    """The children ``actor`` may see, with their current school annotated.

    Every professional read starts here (PEPs, documents, meetings, PP+, QA, the child's
    page), so a young person gets no child at all (``can_open_professional_record``) and
    every ``access_<entity>_by_id`` answers them with the usual audited 404. Only the young
    person's own pages (``/my/``, My Voice) pass ``own_pages=True`` to reach their record."""
    day = day or today()
    current_enrolment = Enrolment.objects.filter(current_on(day), child=OuterRef("pk"))
    visible = child_visibility(actor, day)
    if not own_pages and not can_open_professional_record(actor):
        visible = Q(pk__in=[])
    return (
        Child.objects.filter(visible)
        .select_related("local_authority")
        .annotate(
            current_school_name=Subquery(current_enrolment.values("school__name")[:1]),
            current_school_urn=Subquery(current_enrolment.values("school__urn")[:1]),
        )
        .order_by("legal_last_name", "legal_first_name", "pk")
    )


def access_child_by_id(
    *, actor: Actor | None, child_id: UUID, audit: bool = True, action: str | None = "view"
) -> Child:
    """The one way to fetch a child a user asked for. A child that does not exist and a
    child the actor may not see give the same 404; the refusal is logged (in the child's
    authority when the child exists, so its Virtual School sees it: see
    ``epep.audit.services.audit_record_refusal``). A successful look-up records
    ``action`` (None: the caller records its own event, with more detail)."""
    visible = children_for(actor=actor)
    if audit:
        child = fetch_or_404(
            visible,
            actor=actor,
            object_type="children.child",
            public_id=child_id,
            message="No child found",
        )
    else:
        child = visible.filter(public_id=child_id).first()
        if child is None:
            raise Http404("No child found")
    if audit and action:
        audit_record(
            acting_user=actor.user,
            role=actor.role,
            action=action,
            object_type="children.child",
            object_id=str(child.public_id),
            local_authority_id=child.local_authority_id,
            child_public_id=child.public_id,
        )
    return child


def possible_duplicates(
    *, actor: Actor | None, upn: str = "", first: str = "", last: str = "", dob=None
) -> list[Child]:
    """Children of ``actor``'s authority who may be the child being added: the same UPN,
    or the same legal first and last names (whatever their case) and date of birth.
    Former children in care count: a child entering care again is recorded on their
    existing record. At most 10, by name."""
    if actor is None or not actor.authority_ids:
        return []
    match = Q(pk__in=[])
    upn = (upn or "").strip().upper()
    if upn:
        match |= Q(upn=upn)
    if first and last and dob:
        match |= Q(
            legal_first_name__iexact=first.strip(),
            legal_last_name__iexact=last.strip(),
            date_of_birth=dob,
        )
    return list(
        Child.objects.filter(match, local_authority_id__in=sorted(actor.authority_ids)).order_by(
            "legal_last_name", "legal_first_name", "pk"
        )[:10]
    )


def former_children(*, actor: Actor | None) -> QuerySet[Child]:
    """The children who have left ``actor``'s authority's care, most recent first, with
    the reason their latest period of care ended (one query a page)."""
    from .models import CarePeriod
    from .permissions import can_see_former_children

    if not can_see_former_children(actor):
        return Child.objects.none()
    day = today()
    latest_reason = CarePeriod.objects.filter(
        child=OuterRef("pk"), ended_on__isnull=False
    ).order_by("-ended_on")
    return (
        Child.objects.filter(
            local_authority_id__in=sorted(actor.authority_ids), left_care_on__lte=day
        )
        .annotate(reason_ended=Subquery(latest_reason.values("reason_ended")[:1]))
        .order_by("-left_care_on", "legal_last_name", "legal_first_name", "pk")
    )


def enrolments_for_child(*, child: Child) -> QuerySet[Enrolment]:
    return child.enrolments.select_related("school").order_by("-start_date")


def placements_for_child(*, child: Child) -> QuerySet[Placement]:
    return child.placements.prefetch_related("carers").order_by("-start_date")


def allocations_for_child(*, child: Child) -> QuerySet[Allocation]:
    return child.allocations.select_related("worker").order_by("-start_date")


def grants_for_child(*, child: Child) -> QuerySet[ChildAccessGrant]:
    return child.access_grants.select_related("user", "granted_by", "school", "revoked_by")


def grants_for(*, actor: Actor | None) -> QuerySet[ChildAccessGrant]:
    """The access grants on the children ``actor`` may see."""
    return ChildAccessGrant.objects.filter(
        content_object__in=children_for(actor=actor).values("pk")
    )


def access_grant_by_id(*, actor: Actor | None, grant_id: UUID) -> ChildAccessGrant:
    """The one way to fetch an access grant a URL names: one on a child ``actor`` may
    see, or the same 404 as a missing id (the refusal recorded in the child's authority:
    ``epep.tenancy.access``)."""
    return fetch_or_404(
        grants_for(actor=actor).select_related("content_object", "user"),
        actor=actor,
        object_type="children.childaccessgrant",
        public_id=grant_id,
    )


def children_on_roll_by_school(
    *, local_authority_id: int, school_ids, day: date | None = None
) -> dict[int, int]:
    """How many of the authority's children are on roll at each school on ``day`` (one
    aggregate query; schools with none are absent)."""
    from django.db.models import Count

    day = day or today()
    rows = (
        Enrolment.objects.filter(
            current_on(day), local_authority_id=local_authority_id, school_id__in=list(school_ids)
        )
        .values("school_id")
        .annotate(children=Count("child_id", distinct=True))
    )
    return {row["school_id"]: row["children"] for row in rows}


#: How many schools a search shows at most.
SCHOOL_SEARCH_LIMIT = 20


def schools_search(*, query: str, limit: int = SCHOOL_SEARCH_LIMIT) -> list:
    """Schools on the shared list (and those added by hand) matching ``query``: a 6-digit
    URN exactly, a postcode by its start, or words of the name (each word anywhere in the
    name; trigram index ``school_name_trgm``). At most ``limit``, by name."""
    from django.db.models.functions import Upper

    from .models import School

    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return []
    if query.isdigit() and len(query) == 6:
        return list(School.objects.filter(urn=query))
    compact = query.replace(" ", "").upper()
    name_filter = Q()
    for word in query.split():
        name_filter &= Q(name_upper__contains=word.upper())
    postcode = Q()
    if any(ch.isdigit() for ch in compact) and len(compact) <= 8:
        postcode = Q(postcode_compact__startswith=compact)
    schools = School.objects.annotate(name_upper=Upper("name"))
    if postcode:
        from django.db.models import Value
        from django.db.models.functions import Replace

        schools = schools.annotate(
            postcode_compact=Replace(Upper("postcode"), Value(" "), Value(""))
        )
        return list(schools.filter(name_filter | postcode).order_by("name", "pk")[:limit])
    return list(schools.filter(name_filter).order_by("name", "pk")[:limit])


def school_move_requests_waiting(*, actor: Actor | None) -> QuerySet:
    """The school moves waiting for ``actor``'s Virtual School to authorise, oldest
    first, with what the list shows (one query)."""
    from .models import SchoolMoveRequest
    from .permissions import can_authorise_school_move

    if not can_authorise_school_move(actor):
        return SchoolMoveRequest.objects.none()
    return (
        SchoolMoveRequest.objects.filter(
            local_authority_id__in=sorted(actor.authority_ids),
            status=SchoolMoveRequest.Status.PENDING,
        )
        .select_related("child", "to_school", "from_enrolment__school", "requested_by")
        .order_by("requested_at", "pk")
    )


def school_move_request_pending_for(*, child: Child):
    """The school move of ``child`` waiting for authorisation, if any (one query)."""
    from .models import SchoolMoveRequest

    return (
        SchoolMoveRequest.objects.filter(child=child, status=SchoolMoveRequest.Status.PENDING)
        .select_related("to_school", "requested_by")
        .first()
    )


def access_school_move_request_by_id(*, actor: Actor | None, request_id: UUID):
    """The one way to fetch a school move request a URL names: one about a child
    ``actor`` may see, or the same 404 as a missing id."""
    from .models import SchoolMoveRequest

    return fetch_or_404(
        SchoolMoveRequest.objects.filter(
            child__in=children_for(actor=actor).values("pk")
        ).select_related("child", "to_school", "from_enrolment__school", "requested_by"),
        actor=actor,
        object_type="children.schoolmoverequest",
        public_id=request_id,
    )


def access_school_by_id(*, actor: Actor | None, school_id: UUID):
    """The one way to fetch a school a URL names (schools are shared: any signed-in
    actor may name one), or the same 404 as a missing id."""
    from .models import School

    return fetch_or_404(
        School.objects.all(),
        actor=actor,
        object_type="children.school",
        public_id=school_id,
        belongs_to_child=False,
    )
