"""Views shared by every role: the landing redirect, role switching and the child record."""

from uuid import UUID

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from children import permissions, selectors, services
from epep.audit.permissions import can_read_access_log
from epep.tenancy.middleware import ACTIVE_ROLE_SESSION_KEY
from epep.tenancy.navigation import role_home_url
from epep.tenancy.roles import VIRTUAL_SCHOOL_ROLES, Role
from peps import permissions as pep_permissions
from peps import selectors as pep_selectors

from .access import actor_required, roles_required, service_errors
from .forms import DelegateAccessForm, GrantAccessForm, SwitchRoleForm
from .lists import child_rows


@require_GET
def home(request):
    actor = request.actor
    if actor is None or actor.role is None:
        return redirect("portal:no_role")
    return redirect(role_home_url(actor.role))


@require_GET
def no_role(request):
    return render(request, "portal/no_role.html", {"title": "You have no role yet"})


@require_http_methods(["GET", "POST"])
def switch_role(request):
    actor = request.actor
    if actor is None or len(actor.available_roles) < 2:
        raise Http404("Page not found")
    form = SwitchRoleForm(
        request.POST or None, roles=actor.available_roles, initial={"role": actor.role}
    )
    if request.method == "POST" and form.is_valid():
        request.session[ACTIVE_ROLE_SESSION_KEY] = form.cleaned_data["role"]
        return redirect(role_home_url(Role(form.cleaned_data["role"])))
    return render(request, "portal/switch_role.html", {"title": "Change role", "form": form})


def _child_page_context(request, child, **extra):
    actor = request.actor
    current_pep, latest_finalised_pep = pep_selectors.current_and_latest_finalised_pep(child=child)
    grants = None
    if permissions.can_see_grants(actor, child):
        grants = [
            {"grant": g, "can_revoke": permissions.can_revoke_grant(actor, g)}
            for g in selectors.grants_for_child(child=child)
        ]
    context = {
        "title": child.display_name,
        "child": child,
        "row": child_rows([child], selectors.today())[0],
        "enrolments": selectors.enrolments_for_child(child=child),
        "placements": selectors.placements_for_child(child=child),
        "allocations": selectors.allocations_for_child(child=child),
        "grants": grants,
        "can_grant": permissions.can_grant_access(actor, child),
        "can_delegate": permissions.can_delegate_access(actor, child),
        "can_see_access_log": can_read_access_log(actor, child.local_authority_id),
        "current_pep": current_pep,
        "latest_finalised_pep": latest_finalised_pep,
        "can_start_pep": pep_permissions.can_start_pep(actor, child),
    }
    context.update(extra)
    return context


@actor_required
@require_GET
def child_detail(request, child_id: UUID):
    child = selectors.access_child_by_id(actor=request.actor, child_id=child_id)
    return render(request, "portal/children/detail.html", _child_page_context(request, child))


def _grant_form_view(request, child_id, *, form_class, service, form_kwargs, service_kwargs):
    child = selectors.access_child_by_id(actor=request.actor, child_id=child_id)
    form = form_class(request.POST or None, **form_kwargs(child))
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            service(
                actor=request.actor,
                child=child,
                reason=form.cleaned_data["reason"],
                expires_on=form.cleaned_data["expires_on"],
                **service_kwargs(form),
            )
        if call.ok:
            return redirect("portal:child_detail", child_id=child.public_id)
    return render(
        request,
        "portal/children/grant_form.html",
        {
            "title": f"Give access to {child.display_name}'s record",
            "child": child,
            "form": form,
        },
    )


@roles_required(*VIRTUAL_SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def child_access_grant(request, child_id: UUID):
    return _grant_form_view(
        request,
        child_id,
        form_class=GrantAccessForm,
        service=services.child_access_grant,
        form_kwargs=lambda child: {},
        service_kwargs=lambda form: {"grantee": form.grantee},
    )


@roles_required(Role.DESIGNATED_TEACHER)
@require_http_methods(["GET", "POST"])
def child_access_delegate(request, child_id: UUID):
    return _grant_form_view(
        request,
        child_id,
        form_class=DelegateAccessForm,
        service=services.child_access_delegate,
        form_kwargs=lambda child: {"actor": request.actor, "child": child},
        service_kwargs=lambda form: {"colleague": form.cleaned_data["colleague"]},
    )


@roles_required(*VIRTUAL_SCHOOL_ROLES, Role.DESIGNATED_TEACHER)
@require_POST
def child_access_revoke(request, child_id: UUID, grant_id: UUID):
    child = selectors.access_child_by_id(actor=request.actor, child_id=child_id)
    grant = selectors.access_grant_by_id(actor=request.actor, grant_id=grant_id)
    if grant.content_object_id != child.pk:
        raise Http404("Page not found")
    with service_errors():
        services.child_access_revoke(actor=request.actor, grant=grant)
    return redirect("portal:child_detail", child_id=child.public_id)
