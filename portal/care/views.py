"""Care screens: adding a child (form, check your answers with the duplicate check,
confirmation), recording a child leaving care and entering it again, and the Virtual
School's list of former children in care. The rules are ``children.permissions``; the
writes are ``children.services.care``."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from children import permissions, selectors, services
from children.models import CarePeriod

from ..access import actor_required, add_service_errors, service_errors
from .forms import ChildAddForm, DifferentChildForm, EnterCareAgainForm, LeaveCareForm

#: Where the answers of "Add a child" wait for the check page (the form's own data).
SESSION_KEY = "care_child_add"
PAGE_SIZE = 50


def _posted(request):
    """The posted data (an empty post too: every field is then missing), or None."""
    return request.POST if request.method == "POST" else None


def _may_add(request) -> None:
    if not permissions.can_add_child(request.actor):
        raise Http404("Page not found")


@actor_required
@require_http_methods(["GET", "POST"])
def child_add(request):
    """Step 1: the child's details."""
    _may_add(request)
    if request.method == "POST":
        form = ChildAddForm(request.POST, actor=request.actor)
        if form.is_valid():
            request.session[SESSION_KEY] = {key: request.POST.get(key, "") for key in form.fields}
            return redirect("portal:care:child_add_check")
    else:
        form = ChildAddForm(initial=request.session.get(SESSION_KEY), actor=request.actor)
    return render(request, "portal/care/child_add.html", {"form": form, "title": "Add a child"})


def _answers(form: ChildAddForm) -> list[tuple[str, str]]:
    rows = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if hasattr(field, "choices") and not hasattr(field, "queryset"):
            value = dict(field.choices).get(value, value)
        elif hasattr(value, "strftime"):
            value = f"{value:%-d %B %Y}"
        elif name == "social_worker":
            value = field.label_from_instance(value) if value else "Allocate later"
        rows.append((field.label.removesuffix(" (optional)"), value or "Not recorded"))
    return rows


@actor_required
@require_http_methods(["GET", "POST"])
def child_add_check(request):
    """Step 2: check your answers; children who may be the same child are listed and the
    person says whether this is a different child. Then the child is created."""
    _may_add(request)
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return redirect("portal:care:child_add")
    form = ChildAddForm(stored, actor=request.actor)
    if not form.is_valid():
        return render(request, "portal/care/child_add.html", {"form": form, "title": "Add a child"})
    fields = form.cleaned_data
    duplicates = selectors.possible_duplicates(
        actor=request.actor,
        upn=fields["upn"],
        first=fields["legal_first_name"],
        last=fields["legal_last_name"],
        dob=fields["date_of_birth"],
    )
    visible = set(
        selectors.children_for(actor=request.actor)
        .filter(pk__in=[c.pk for c in duplicates])
        .values_list("pk", flat=True)
    )
    confirm = DifferentChildForm(_posted(request)) if duplicates else None
    if request.method == "POST":
        if confirm is not None and not confirm.is_valid():
            pass
        elif confirm is not None and confirm.cleaned_data["different"] == "no":
            request.session.pop(SESSION_KEY, None)
            messages.info(request, "The child was not added again.")
            return redirect("portal:home")
        else:
            if confirm is None:
                confirm = DifferentChildForm({"different": "yes"})
                confirm.is_valid()
            with service_errors(confirm) as call:
                child = services.child_add(
                    actor=request.actor,
                    confirmed_not_duplicate=bool(duplicates),
                    **form.service_fields(),
                )
            if call.ok:
                request.session.pop(SESSION_KEY, None)
                return redirect("portal:care:child_added", child_id=child.public_id)
            # The details themselves were refused (a UPN already in use): back to the form,
            # the message beside the field.
            if call.error is not None and set(call.error.message_dict) - {
                "confirmed_not_duplicate"
            }:
                add_service_errors(form, call.error, ChildAddForm.SERVICE_FIELDS)
                return render(
                    request, "portal/care/child_add.html", {"form": form, "title": "Add a child"}
                )
    return render(
        request,
        "portal/care/child_add_check.html",
        {
            "title": "Check the child's details",
            "answers": _answers(form),
            "duplicates": [(c, c.pk in visible) for c in duplicates],
            "confirm": confirm,
            "form": confirm,
        },
    )


@actor_required
@require_GET
def child_added(request, child_id: UUID):
    """Step 3: the confirmation panel, linking to the child."""
    child = selectors.access_child_by_id(actor=request.actor, child_id=child_id, action=None)
    return render(request, "portal/care/child_added.html", {"child": child, "title": "Child added"})


def _care_child(request, child_id: UUID):
    child = selectors.access_child_by_id(actor=request.actor, child_id=child_id, action=None)
    if not permissions.can_record_care(request.actor, child):
        raise Http404("Page not found")
    return child


def _after_care_change(request, child):
    """Back to the child's page, or home when the person no longer sees the child (a
    social worker's child who has left care)."""
    if selectors.children_for(actor=request.actor).filter(pk=child.pk).exists():
        return redirect("portal:child_detail", child_id=child.public_id)
    return redirect("portal:home")


@actor_required
@require_http_methods(["GET", "POST"])
def care_leave(request, child_id: UUID):
    child = _care_child(request, child_id)
    if child.left_care_on is not None:
        raise Http404("Page not found")
    form = LeaveCareForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            services.care_leave(
                actor=request.actor,
                child=child,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["reason"],
            )
        if call.ok:
            messages.success(
                request,
                f"{child.display_name} left care on {form.cleaned_data['left_on']:%-d %B %Y}. "
                "Their record stays with the Virtual School as a former child in care.",
            )
            return _after_care_change(request, child)
    return render(
        request,
        "portal/care/form.html",
        {"form": form, "child": child, "title": "Record leaving care", "button": "Save"},
    )


@actor_required
@require_http_methods(["GET", "POST"])
def care_enter_again(request, child_id: UUID):
    child = _care_child(request, child_id)
    if child.left_care_on is None:
        raise Http404("Page not found")
    form = EnterCareAgainForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            services.care_enter_again(
                actor=request.actor, child=child, entered_on=form.cleaned_data["entered_on"]
            )
        if call.ok:
            messages.success(
                request,
                f"{child.display_name} entered care again on "
                f"{form.cleaned_data['entered_on']:%-d %B %Y}.",
            )
            return _after_care_change(request, child)
    return render(
        request,
        "portal/care/form.html",
        {"form": form, "child": child, "title": "Record entering care again", "button": "Save"},
    )


@actor_required
@require_GET
def former_children(request):
    """The children who have left the authority's care (Virtual School staff)."""
    if not permissions.can_see_former_children(request.actor):
        raise Http404("Page not found")
    paginator = Paginator(selectors.former_children(actor=request.actor), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    reasons = dict(CarePeriod.LeavingReason.choices)
    rows = [(child, reasons.get(child.reason_ended, "Not recorded")) for child in page]
    return render(
        request,
        "portal/care/former_children.html",
        {
            "title": "Former children in care",
            "rows": rows,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number),
            "home_url": reverse("portal:home"),
        },
    )
