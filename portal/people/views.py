"""People of an authority: the list, one person's page with account actions behind
confirmation pages, the invitation form and the invitations list.

Everyone acting as LA administrator or Virtual School staff sees the people and manages
invitations; only LA administrators and Virtual School Heads deactivate, remove or reset
two-step sign-in (``epep.accounts.permissions`` holds the rules; the services check them
again). People and invitations are looked up through ``epep.accounts.selectors``."""

from __future__ import annotations

import re
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from children.selectors import access_child_by_id
from epep.accounts import permissions, selectors, services
from epep.accounts.mfa import HasSecondFactor
from epep.accounts.models import Invitation
from epep.tenancy.models import Membership, SchoolRoleEndorsement
from epep.tenancy.roles import ROLE_ORDER, SCHOOL_ROLES, Role
from epep.tenancy.selectors import endorsements_of_authority

from ..access import roles_required, service_errors
from .forms import CHILD_ROLES, InviteForm, PeopleFilterForm, YoungPersonInviteForm

PAGE_SIZE = 50
INVITATION_PAGE_SIZE = 50
ROLE_RANK = {role: i for i, role in enumerate(ROLE_ORDER)}


def _authority(request):
    try:
        return services.acting_authority(request.actor)
    except PermissionDenied:
        raise Http404("Page not found") from None


def _memberships_here(authority):
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(services.administered_by(authority)).select_related(
            "school"
        ),
        to_attr="memberships_here",
    )


def _role_label(membership: Membership) -> str:
    label = membership.get_role_display()
    if membership.role in SCHOOL_ROLES and membership.school is not None:
        return f"{label}, {membership.school.name}"
    return label


def _sorted(memberships):
    return sorted(memberships, key=lambda m: (not m.is_active, ROLE_RANK.get(Role(m.role), 99)))


def _status(person, memberships) -> tuple[str, str]:
    """(label, tag colour) of a person in this authority."""
    if not person.is_active:
        return "Deactivated", "grey"
    if not any(m.is_active for m in memberships):
        return "Removed", "grey"
    return "Active", "green"


def email_parts(email: str) -> list[str]:
    """An address in pieces, to join with <wbr> so a narrow table can wrap it."""
    return [part for part in re.split(r"(?<=[@._-])", email) if part]


def _person_row(person):
    memberships = _sorted(person.memberships_here)
    status, colour = _status(person, memberships)
    active = [m for m in memberships if m.is_active] or memberships
    return {
        "person": person,
        "email_parts": email_parts(person.email),
        "roles": [_role_label(m) for m in active],
        "status": status,
        "status_colour": colour,
    }


@roles_required(*permissions.PEOPLE_ROLES)
@require_GET
def people_list(request):
    authority = _authority(request)
    form = PeopleFilterForm(request.GET or None)
    people = services.people_of_authority(authority)
    query, role = "", ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        role = form.cleaned_data["role"]
    if query:
        people = people.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    if role:
        people = people.filter(
            Exists(
                Membership.objects.filter(
                    services.administered_by(authority),
                    user=OuterRef("pk"),
                    role=role,
                    is_active=True,
                )
            )
        )
    people = (
        people.annotate(mfa_enabled=HasSecondFactor("pk"))
        .prefetch_related(_memberships_here(authority))
        .order_by("full_name", "email", "pk")
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {k: v for k, v in (("q", query), ("role", role)) if v}
    return render(
        request,
        "portal/people/list.html",
        {
            "title": "People",
            "authority": authority,
            "form": form,
            "rows": [_person_row(p) for p in page.object_list],
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "filtered": bool(filters),
            "filter_query": urlencode(filters),
            "role_label": Role(role).label if role else "",
            "query": query,
            "pending_endorsements": endorsements_of_authority(authority.pk)
            .filter(state=SchoolRoleEndorsement.State.PENDING)
            .count(),
        },
    )


def _person_context(request, authority, person):
    scope = services.person_scope(authority=authority, person=person)
    mfa_enabled = services.user_has_mfa(person)
    actions = permissions.account_actions(request.actor, scope, mfa_enabled=mfa_enabled)
    memberships = _sorted(scope.ours)
    status, colour = _status(person, memberships)
    return {
        "authority": authority,
        "person": person,
        "scope": scope,
        "memberships": [{"membership": m, "label": _role_label(m)} for m in memberships],
        "mfa_enabled": mfa_enabled,
        "actions": actions,
        "status": status,
        "status_colour": colour,
        "can_manage": permissions.can_manage_accounts(request.actor),
        "works_elsewhere": bool(scope.elsewhere),
    }


@roles_required(*permissions.PEOPLE_ROLES)
@require_GET
def person_detail(request, person_id: UUID):
    authority = _authority(request)
    person = selectors.access_person_by_id(actor=request.actor, person_id=person_id)
    context = _person_context(request, authority, person)
    context["title"] = person.full_name or person.email
    return render(request, "portal/people/person.html", context)


#: The confirmation pages: what each does, in the words of the page.
ACCOUNT_ACTIONS = {
    "deactivate": {
        "service": services.user_deactivate,
        "title": "Deactivate {name}’s account?",
        "button": "Deactivate account",
        "success": "{name}’s account has been deactivated. They have been signed out and "
        "cannot sign in.",
    },
    "reactivate": {
        "service": services.user_reactivate,
        "title": "Reactivate {name}’s account?",
        "button": "Reactivate account",
        "success": "{name}’s account has been reactivated. They can sign in again.",
    },
    "remove": {
        "service": services.user_remove_from_authority,
        "title": "Remove {name} from {authority}?",
        "button": "Remove from {authority}",
        "success": "{name} has been removed from {authority}. Their account stays open for "
        "their other work.",
    },
    "reset_mfa": {
        "service": services.user_mfa_reset,
        "title": "Reset {name}’s two-step sign-in?",
        "button": "Reset two-step sign-in",
        "success": "{name}’s two-step sign-in has been reset. They have been signed out and "
        "will set it up again when they next sign in.",
    },
}


def _account_action(request, person_id: UUID, action: str):
    authority = _authority(request)
    person = selectors.access_person_by_id(actor=request.actor, person_id=person_id)
    context = _person_context(request, authority, person)
    if not getattr(context["actions"], action):
        raise Http404("Page not found")
    spec = ACCOUNT_ACTIONS[action]
    words = {"name": person.full_name or person.email, "authority": authority.name}
    if request.method == "POST":
        with service_errors():
            spec["service"](actor=request.actor, user=person)
        messages.success(request, spec["success"].format(**words))
        return redirect("portal:people:person", person_id=person.public_id)
    context.update(
        {
            "title": spec["title"].format(**words),
            "action": action,
            "button": spec["button"].format(**words),
        }
    )
    return render(request, "portal/people/confirm.html", context)


@roles_required(*permissions.ACCOUNT_MANAGER_ROLES)
@require_http_methods(["GET", "POST"])
def person_deactivate(request, person_id: UUID):
    return _account_action(request, person_id, "deactivate")


@roles_required(*permissions.ACCOUNT_MANAGER_ROLES)
@require_http_methods(["GET", "POST"])
def person_reactivate(request, person_id: UUID):
    return _account_action(request, person_id, "reactivate")


@roles_required(*permissions.ACCOUNT_MANAGER_ROLES)
@require_http_methods(["GET", "POST"])
def person_remove(request, person_id: UUID):
    return _account_action(request, person_id, "remove")


@roles_required(*permissions.ACCOUNT_MANAGER_ROLES)
@require_http_methods(["GET", "POST"])
def person_reset_mfa(request, person_id: UUID):
    return _account_action(request, person_id, "reset_mfa")


# --- Invitations -------------------------------------------------------------------


@roles_required(*permissions.PEOPLE_ROLES)
@require_http_methods(["GET", "POST"])
def invite(request):
    authority = _authority(request)
    form = InviteForm(request.POST if request.method == "POST" else None, actor=request.actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        role = Role(data["role"])
        with service_errors(form, fields=form.SERVICE_FIELDS) as call:
            invitation, _ = services.invitation_create(
                actor=request.actor,
                email=data["email"],
                full_name=data["full_name"],
                role=role,
                base_url=request.build_absolute_uri("/"),
                school=form.school if role in SCHOOL_ROLES else None,
                child=data.get("child") if role in CHILD_ROLES else None,
            )
        if call.ok:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link works for 7 days.",
            )
            return redirect("portal:people:invitations")
    return render(
        request,
        "portal/people/invite.html",
        {"title": "Invite someone", "authority": authority, "form": form},
    )


@roles_required(*permissions.PEOPLE_ROLES, *permissions.CHILD_INVITERS)
@require_http_methods(["GET", "POST"])
def invite_young_person(request, child_id: UUID):
    """Invite a child to their own account, from their page: to their own address, or
    to a carer they live with, "to help <first name> set up their account"."""
    if not permissions.can_invite_young_person(request.actor):
        raise Http404("Page not found")
    child = access_child_by_id(actor=request.actor, child_id=child_id)
    placement = child.placements.filter(end_date__isnull=True).first()
    carers = list(placement.carers.order_by("full_name")) if placement else []
    first_name = child.preferred_name or child.legal_first_name
    form = YoungPersonInviteForm(
        request.POST if request.method == "POST" else None,
        child=child,
        carers=carers,
        initial={"full_name": f"{first_name} {child.legal_last_name}", "send_to": "child"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_errors(form, fields=form.SERVICE_FIELDS) as call:
            invitation, _ = services.invitation_create(
                actor=request.actor,
                email=data["email"],
                full_name=data["full_name"],
                role=Role.YOUNG_PERSON,
                base_url=request.build_absolute_uri("/"),
                child=child,
                helper=form.helper,
            )
        if call.ok:
            to = f"{form.helper.full_name}, to help {first_name} set up" if form.helper else ""
            messages.success(
                request,
                f"Invitation sent to {invitation.email}{f' ({to})' if to else ''}. "
                "The link works for 7 days.",
            )
            return redirect("portal:child_detail", child_id=child.public_id)
    return render(
        request,
        "portal/people/invite_young_person.html",
        {
            "title": f"Invite {first_name} to their own account",
            "child": child,
            "first_name": first_name,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


INVITATION_STATES = {
    "pending": ("Waiting", "blue"),
    "expired": ("Expired", "yellow"),
    "accepted": ("Accepted", "green"),
    "withdrawn": ("Withdrawn", "grey"),
}


def _invitation_filter(state: str) -> Q:
    now = timezone.now()
    waiting = Q(accepted_at__isnull=True, withdrawn_at__isnull=True)
    return {
        "pending": waiting & Q(expires_at__gt=now),
        "expired": waiting & Q(expires_at__lte=now),
        "accepted": Q(accepted_at__isnull=False),
        "withdrawn": Q(accepted_at__isnull=True, withdrawn_at__isnull=False),
    }.get(state, Q())


@roles_required(*permissions.PEOPLE_ROLES)
@require_GET
def invitations(request):
    authority = _authority(request)
    state = request.GET.get("state", "")
    if state not in INVITATION_STATES:
        state = ""
    queryset = (
        Invitation.objects.filter(_invitation_filter(state), local_authority=authority)
        .select_related("school", "child", "placement__child", "invited_by")
        .order_by("-last_sent_at", "-pk")
    )
    page = Paginator(queryset, INVITATION_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for invitation in page.object_list:
        current = invitation.state
        label, colour = INVITATION_STATES[current]
        child = invitation.child or (invitation.placement.child if invitation.placement else None)
        rows.append(
            {
                "invitation": invitation,
                "email_parts": email_parts(invitation.email),
                "state": current,
                "state_label": label,
                "state_colour": colour,
                "child": child,
                "can_resend": current in ("pending", "expired"),
                "can_withdraw": current == "pending",
            }
        )
    return render(
        request,
        "portal/people/invitations.html",
        {
            "title": "Invitations",
            "authority": authority,
            "rows": rows,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "state": state,
            "states": [(key, label) for key, (label, _) in INVITATION_STATES.items()],
            "filter_query": urlencode({"state": state} if state else {}),
        },
    )


def _back_to_invitations(request):
    url = reverse("portal:people:invitations")
    state = request.POST.get("state", "")
    return redirect(f"{url}?{urlencode({'state': state})}" if state in INVITATION_STATES else url)


@roles_required(*permissions.PEOPLE_ROLES)
@require_POST
def invitation_resend(request, invitation_id: UUID):
    invitation = selectors.access_invitation_by_id(actor=request.actor, invitation_id=invitation_id)
    try:
        services.invitation_resend(
            actor=request.actor, invitation=invitation, base_url=request.build_absolute_uri("/")
        )
    except PermissionDenied:
        raise Http404("Page not found") from None
    except ValidationError:
        messages.error(request, f"The invitation to {invitation.email} cannot be sent again.")
    else:
        messages.success(
            request,
            f"A new invitation has been sent to {invitation.email}. The earlier link no "
            "longer works.",
        )
    return _back_to_invitations(request)


@roles_required(*permissions.PEOPLE_ROLES)
@require_POST
def invitation_withdraw(request, invitation_id: UUID):
    invitation = selectors.access_invitation_by_id(actor=request.actor, invitation_id=invitation_id)
    if invitation.state != "pending":
        messages.error(request, f"The invitation to {invitation.email} is no longer waiting.")
        return _back_to_invitations(request)
    try:
        services.invitation_withdraw(actor=request.actor, invitation=invitation)
    except PermissionDenied:
        raise Http404("Page not found") from None
    messages.success(
        request,
        f"The invitation to {invitation.email} has been withdrawn. Its link no longer works.",
    )
    return _back_to_invitations(request)
