"""School staff for our children: who holds a school role where this authority's children
are on roll, and whether the authority lets them see its children.

A designated teacher or school staff member sees an authority's children at their school
only while that authority endorses them (``epep.tenancy.services``). Requests made when
another authority adds someone wait here; an endorsement can be withdrawn, which ends
access that day. Every decision is audited in this authority."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from children.selectors import children_on_roll_by_school
from epep.tenancy import services as tenancy_services
from epep.tenancy.models import SchoolRoleEndorsement
from epep.tenancy.permissions import ENDORSER_ROLES, can_endorse_school_roles
from epep.tenancy.selectors import access_endorsement_by_id, endorsements_of_authority

from ..access import roles_required

State = SchoolRoleEndorsement.State


def _authority(actor):
    if not can_endorse_school_roles(actor):
        raise Http404("Page not found")
    return actor.authorities[0]


def _row(endorsement, counts):
    children = counts.get(endorsement.school_id, 0)
    return {
        "endorsement": endorsement,
        "children": children,
        "sentence": tenancy_services.endorsement_request_sentence(endorsement, children),
    }


@roles_required(*ENDORSER_ROLES)
@require_GET
def school_staff(request):
    authority = _authority(request.actor)
    endorsements = list(
        endorsements_of_authority(authority.pk).order_by("school__name", "user__full_name")
    )
    counts = children_on_roll_by_school(
        local_authority_id=authority.pk, school_ids={e.school_id for e in endorsements}
    )
    rows = [_row(e, counts) for e in endorsements]
    return render(
        request,
        "portal/people/school_staff.html",
        {
            "title": "School staff for our children",
            "authority": authority,
            "waiting": [r for r in rows if r["endorsement"].state == State.PENDING],
            "endorsed": [r for r in rows if r["endorsement"].state == State.ENDORSED],
            "ended": [
                r for r in rows if r["endorsement"].state in (State.DECLINED, State.WITHDRAWN)
            ],
        },
    )


DECISIONS = {
    "allow": {
        "service": tenancy_services.school_role_endorse,
        "success": "{name} can now see {authority}’s children at {school}.",
    },
    "decline": {
        "service": tenancy_services.school_role_endorsement_decline,
        "success": "{name} cannot see {authority}’s children at {school}.",
    },
    "withdraw": {
        "service": tenancy_services.school_role_endorsement_withdraw,
        "success": "{name} can no longer see {authority}’s children at {school}, from today.",
    },
}


def _decide(request, endorsement_id: UUID, decision: str):
    authority = _authority(request.actor)
    endorsement = access_endorsement_by_id(actor=request.actor, endorsement_id=endorsement_id)
    spec = DECISIONS[decision]
    words = {
        "name": endorsement.user.full_name or endorsement.user.email,
        "authority": authority.name,
        "school": endorsement.school.name,
    }
    try:
        spec["service"](actor=request.actor, endorsement=endorsement)
    except PermissionDenied:
        raise Http404("Page not found") from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, spec["success"].format(**words))
    return redirect("portal:people:school_staff")


@roles_required(*ENDORSER_ROLES)
@require_POST
def endorsement_allow(request, endorsement_id: UUID):
    return _decide(request, endorsement_id, "allow")


@roles_required(*ENDORSER_ROLES)
@require_POST
def endorsement_decline(request, endorsement_id: UUID):
    return _decide(request, endorsement_id, "decline")


@roles_required(*ENDORSER_ROLES)
@require_http_methods(["GET", "POST"])
def endorsement_withdraw(request, endorsement_id: UUID):
    """Withdrawing takes effect at once: confirm first."""
    if request.method == "POST":
        return _decide(request, endorsement_id, "withdraw")
    authority = _authority(request.actor)
    endorsement = access_endorsement_by_id(actor=request.actor, endorsement_id=endorsement_id)
    counts = children_on_roll_by_school(
        local_authority_id=authority.pk, school_ids=[endorsement.school_id]
    )
    name = endorsement.user.full_name or endorsement.user.email
    return render(
        request,
        "portal/people/endorsement_withdraw.html",
        {
            "title": f"Stop {name} seeing your children at {endorsement.school.name}?",
            "authority": authority,
            "endorsement": endorsement,
            "children": counts.get(endorsement.school_id, 0),
        },
    )
