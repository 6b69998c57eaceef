"""Moves: a child's school (search the school list, choose, date, check, done; a Virtual
School authorises in-year transfers when its policy asks), placement and workers; the
Virtual School's list of school moves to authorise; adding a school not on the list.

Views only ask: fetch with ``access_*``, check the permission, call the service inside
``service_errors`` (refusals come back beside the fields)."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from children import permissions, selectors, services
from children.models import SchoolMoveRequest
from epep.accounts.services.invitations import invitation_create
from epep.tenancy.roles import Role
from portal.access import actor_required, service_errors

from .forms import (
    AddSchoolForm,
    DeclineForm,
    PlacementMoveForm,
    SchoolSearchForm,
    StartDateForm,
    WorkerChangeForm,
)


def _child(request, child_id: UUID, rule):
    child = selectors.access_child_by_id(actor=request.actor, child_id=child_id)
    if not rule(request.actor, child):
        raise Http404("Page not found")
    return child


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"


# --- School moves ---------------------------------------------------------------------------


@actor_required
@require_http_methods(["GET"])
def school_search(request, child_id: UUID):
    child = _child(request, child_id, permissions.can_move_school)
    form = SchoolSearchForm(request.GET or None)
    pending = selectors.school_move_request_pending_for(child=child)
    results = None
    if request.GET and form.is_valid():
        results = selectors.schools_search(query=form.cleaned_data["q"])
    return render(
        request,
        "portal/moves/school_search.html",
        {
            "title": "Move to a new school",
            "child": child,
            "form": form,
            "results": results,
            "can_add_school": permissions.can_add_school(request.actor),
            "pending": pending,
            "can_withdraw": pending is not None
            and permissions.can_withdraw_school_move(request.actor, pending),
        },
        status=400 if request.GET and not form.is_valid() else 200,
    )


@actor_required
@require_http_methods(["GET", "POST"])
def school_move(request, child_id: UUID, school_id: UUID):
    child = _child(request, child_id, permissions.can_move_school)
    school = selectors.access_school_by_id(actor=request.actor, school_id=school_id)
    form = StartDateForm(request.POST or None)
    context = {"title": f"Move to {school.name}", "child": child, "school": school, "form": form}
    if request.method == "POST" and form.is_valid():
        start_date = form.cleaned_data["start_date"]
        if not _confirmed(request):
            context["needs_authorisation"] = services.school_move_needs_authorisation(
                actor=request.actor, child=child, start_date=start_date
            )
            context["title"] = "Check the school move"
            return render(request, "portal/moves/school_check.html", context)
        with service_errors(form) as call:
            result = services.school_move(
                actor=request.actor, child=child, school=school, start_date=start_date
            )
        if call.ok:
            waiting = isinstance(result, SchoolMoveRequest)
            return render(
                request,
                "portal/moves/school_done.html",
                {
                    "title": "Move requested" if waiting else "School move recorded",
                    "child": child,
                    "school": school,
                    "start_date": start_date,
                    "waiting": waiting,
                },
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/moves/school_move.html", context, status=status)


@actor_required
@require_http_methods(["GET", "POST"])
def school_add(request):
    if not permissions.can_add_school(request.actor):
        raise Http404("Page not found")
    child_id = request.GET.get("child", "")
    form = AddSchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_errors(form) as call:
            school = services.school_add_by_hand(
                actor=request.actor,
                name=data["name"],
                phase=data["phase"],
                type=data["type"],
                postcode=data["postcode"],
                la_code=data["la_code"],
                urn=data["urn"] or None,
            )
        if call.ok:
            try:
                child = selectors.access_child_by_id(
                    actor=request.actor, child_id=UUID(child_id), action=None
                )
            except (ValueError, Http404):
                return redirect("portal:home")
            return redirect(
                "portal:moves:school_move", child_id=child.public_id, school_id=school.public_id
            )
    return render(
        request,
        "portal/moves/school_add.html",
        {"title": "Add a school that is not on the list", "form": form, "child_id": child_id},
        status=400 if request.method == "POST" else 200,
    )


@actor_required
@require_http_methods(["GET"])
def school_move_requests(request):
    if not permissions.can_authorise_school_move(request.actor):
        raise Http404("Page not found")
    return render(
        request,
        "portal/moves/requests.html",
        {
            "title": "School moves to authorise",
            "moves": list(selectors.school_move_requests_waiting(actor=request.actor)),
        },
    )


def _request(request, request_id: UUID) -> SchoolMoveRequest:
    move = selectors.access_school_move_request_by_id(actor=request.actor, request_id=request_id)
    if not permissions.can_authorise_school_move(request.actor, move):
        raise Http404("Page not found")
    return move


@actor_required
@require_POST
def school_move_authorise(request, request_id: UUID):
    move = _request(request, request_id)
    form = DeclineForm()  # carries a refusal (already decided, dates no longer fit)
    with service_errors(form) as call:
        services.school_move_authorise(actor=request.actor, request=move)
    if call.ok:
        return render(
            request,
            "portal/moves/school_done.html",
            {
                "title": "School move authorised",
                "child": move.child,
                "school": move.to_school,
                "start_date": move.start_date,
                "authorised": True,
            },
        )
    return render(
        request,
        "portal/moves/requests.html",
        {
            "title": "School moves to authorise",
            "moves": list(selectors.school_move_requests_waiting(actor=request.actor)),
            "problem": " ".join(call.error.messages),
        },
        status=400,
    )


@actor_required
@require_http_methods(["GET", "POST"])
def school_move_decline(request, request_id: UUID):
    move = _request(request, request_id)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            services.school_move_decline(
                actor=request.actor, request=move, reason=form.cleaned_data["reason"]
            )
        if call.ok:
            return redirect("portal:moves:school_move_requests")
    return render(
        request,
        "portal/moves/decline.html",
        {"title": "Decline the school move", "move": move, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Placement and workers --------------------------------------------------------------------


def _check_page(request, form, child, *, title, rows, action):
    return render(
        request,
        "portal/moves/check.html",
        {"title": title, "child": child, "form": form, "rows": rows, "action": action},
    )


@actor_required
@require_http_methods(["GET", "POST"])
def placement_move(request, child_id: UUID):
    child = _child(request, child_id, permissions.can_move_placement)
    form = PlacementMoveForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        carers = list(data["carers"])
        if not _confirmed(request):
            names = [c.full_name for c in carers]
            if data["new_carer_email"]:
                names.append(f"{data['new_carer_name']} ({data['new_carer_email']}, invited)")
            return _check_page(
                request,
                form,
                child,
                title="Check the placement move",
                action=reverse("portal:moves:placement_move", args=[child.public_id]),
                rows=[
                    (
                        "Type of placement",
                        dict(form.fields["placement_type"].choices)[data["placement_type"]],
                    ),
                    ("Carers", ", ".join(names) or "None chosen"),
                    ("Starts on", f"{data['start_date']:%-d %B %Y}"),
                ],
            )
        with (
            service_errors(
                form, fields={"email": "new_carer_email", "full_name": "new_carer_name"}
            ) as call,
            transaction.atomic(),
        ):
            services.placement_move(
                actor=request.actor,
                child=child,
                placement_type=data["placement_type"],
                carers=carers,
                start_date=data["start_date"],
            )
            if data["new_carer_email"]:
                invitation_create(
                    actor=request.actor,
                    email=data["new_carer_email"],
                    full_name=data["new_carer_name"],
                    role=Role.CARER,
                    base_url=_base_url(request),
                    child=child,
                )
        if call.ok:
            return redirect("portal:child_detail", child_id=child.public_id)
    return render(
        request,
        "portal/moves/form.html",
        {
            "title": "Move to a new placement",
            "child": child,
            "form": form,
            "button": "Continue",
        },
        status=400 if request.method == "POST" else 200,
    )


@actor_required
@require_http_methods(["GET", "POST"])
def worker_change(request, child_id: UUID):
    child = _child(request, child_id, permissions.can_change_allocation)
    form = WorkerChangeForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind = Role(data["kind"])
        worker = data["worker"]
        if not _confirmed(request):
            who = (
                worker.full_name
                if worker
                else f"{data['new_worker_name']} ({data['new_worker_email']}, invited)"
            )
            return _check_page(
                request,
                form,
                child,
                title="Check the change of worker",
                action=reverse("portal:moves:worker_change", args=[child.public_id]),
                rows=[
                    ("Role", kind.label),
                    ("New worker", who),
                    ("Starts on", f"{data['start_date']:%-d %B %Y}"),
                ],
            )
        with service_errors(
            form,
            fields={"email": "new_worker_email", "full_name": "new_worker_name", "role": "kind"},
        ) as call:
            if worker:
                services.allocation_change(
                    actor=request.actor,
                    child=child,
                    kind=kind,
                    worker=worker,
                    start_date=data["start_date"],
                )
            else:
                invitation_create(
                    actor=request.actor,
                    email=data["new_worker_email"],
                    full_name=data["new_worker_name"],
                    role=kind,
                    base_url=_base_url(request),
                )
        if call.ok:
            if not worker:
                return render(
                    request,
                    "portal/moves/worker_invited.html",
                    {"title": "Invitation sent", "child": child, "data": data, "kind": kind},
                )
            return redirect("portal:child_detail", child_id=child.public_id)
    return render(
        request,
        "portal/moves/form.html",
        {"title": "Change of worker", "child": child, "form": form, "button": "Continue"},
        status=400 if request.method == "POST" else 200,
    )


@actor_required
@require_POST
def school_move_withdraw(request, request_id: UUID):
    """Withdraw a school move waiting for authorisation (the person who asked, or the
    Virtual School); back to the child's school search."""
    move = selectors.access_school_move_request_by_id(actor=request.actor, request_id=request_id)
    if not permissions.can_withdraw_school_move(request.actor, move):
        raise Http404("Page not found")
    form = forms.Form(request.POST)
    with service_errors(form) as call:
        services.school_move_withdraw(actor=request.actor, request=move)
    if not call.ok:
        raise Http404("Page not found")
    messages.success(request, f"The move to {move.to_school.name} was withdrawn.")
    return redirect("portal:moves:school_search", child_id=move.child.public_id)
