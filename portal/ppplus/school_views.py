"""PP+ screens of the school: asking for PP+ in a PEP (tied to its targets, within the
authority's policy), recording the impact of a funded line, and the public page of every
authority's published policy (no sign-in, no child data).

Views only ask: fetch with ``access_*``, check the permission, call the service inside
``service_errors`` (refusals come back beside the fields)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.models import LocalAuthority
from funding import permissions, selectors
from funding.models import FUNDED_STATUSES
from funding.services.lines import policy_for, pp_line_record_impact, pp_line_request
from funding.years import financial_year_of
from peps.models import Target
from peps.selectors import access_pep_by_id
from portal.access import actor_required, service_errors

from .school_forms import REQUEST_FIELDS, ImpactForm, LineRequestForm


def _pep_url(pep) -> str:
    """The PEP's PP+ page (where a request or an impact shows once saved)."""
    return reverse("portal:ppplus:pep_lines", kwargs={"pep_id": pep.public_id})


@actor_required
@require_GET
def pep_lines(request, pep_id: UUID):
    """The PEP's PP+: the authority's policy in a line, the funded lines of the child's
    earlier PEPs still needing their impact, this PEP's lines with the decisions, and
    "Ask for PP+" while the PEP is editable (one query for all of it)."""
    pep = access_pep_by_id(actor=request.actor, pep_id=pep_id)
    if not permissions.can_see_ppplus(request.actor, pep):
        raise Http404("Page not found")
    policy, lines, earlier = selectors.pep_ppplus(
        pep=pep, financial_year=financial_year_of(clock.today())
    )
    can_request = permissions.can_request_ppplus(request.actor, pep)
    return render(
        request,
        "portal/ppplus/school/pep.html",
        {
            "title": "Pupil Premium Plus",
            "pep": pep,
            "child": pep.child,
            "policy": policy,
            "lines": lines,
            "earlier": earlier,
            "can_request": can_request,
            "can_ask": can_request and not pep.is_locked,
        },
    )


@actor_required
@require_http_methods(["GET", "POST"])
def line_request(request, pep_id: UUID):
    pep = access_pep_by_id(actor=request.actor, pep_id=pep_id)
    if not permissions.can_request_ppplus(request.actor, pep):
        raise Http404("Page not found")
    policy = policy_for(local_authority_id=pep.local_authority_id, day=clock.today())
    targets = Target.objects.filter(pep=pep).order_by("due_date", "created_at")
    form = LineRequestForm(request.POST or None, policy=policy, targets=targets)
    context = {
        "title": "Ask for Pupil Premium Plus",
        "pep": pep,
        "child": pep.child,
        "policy": policy,
        "financial_year": financial_year_of(clock.today()),
        "form": form,
        "locked": pep.is_locked,
    }
    if request.method == "POST" and policy is not None and not pep.is_locked:
        if form.is_valid():
            data = form.cleaned_data
            with service_errors(form, fields=REQUEST_FIELDS) as call:
                line = pp_line_request(
                    actor=request.actor,
                    pep=pep,
                    what=data["what"],
                    provider=data["provider"],
                    category=data["category"],
                    amount_pence=data["amount"],
                    target_ids=data["targets"],
                    exceptional=data["exceptional"],
                    end_date=data["end_date"],
                    exit_plan=data["exit_plan"],
                )
            if call.ok:
                messages.success(
                    request, f"PP+ asked for: {line.what}. It waits for the Virtual School."
                )
                return redirect(_pep_url(pep))
        return render(request, "portal/ppplus/school/request.html", context, status=400)
    return render(request, "portal/ppplus/school/request.html", context)


@actor_required
@require_http_methods(["GET", "POST"])
def line_impact(request, line_id: UUID):
    line = selectors.access_line_by_id(actor=request.actor, line_id=line_id)
    if (
        not permissions.can_request_ppplus(request.actor, line)
        or line.status not in FUNDED_STATUSES
    ):
        raise Http404("Page not found")
    initial = {"impact_rating": line.impact_rating, "impact": line.impact, "version": line.version}
    form = ImpactForm(request.POST or None, initial=initial)
    context = {
        "title": "Record the impact",
        "line": line,
        "child": line.child,
        "targets": list(line.targets.all()),
        "form": form,
    }
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            with service_errors(form) as call:
                pp_line_record_impact(
                    actor=request.actor,
                    line=line,
                    version=data["version"],
                    rating=data["impact_rating"],
                    impact=data["impact"],
                )
            if call.ok:
                messages.success(request, f"Impact recorded: {line.what}.")
                return redirect(_pep_url(line.pep))
        return render(request, "portal/ppplus/school/impact.html", context, status=400)
    return render(request, "portal/ppplus/school/impact.html", context)


@login_not_required
@require_GET
def policies(request):
    """Every authority's published PP+ policy, by authority and year; ``?authority=886``
    (repeatable, the DfE LA codes) narrows it to those authorities. Public: no child data,
    read across authorities (published policies only)."""
    codes = sorted({code for code in request.GET.getlist("authority") if code.isdigit()})
    with all_authorities_context():
        ids = None
        chosen = []
        if codes:
            chosen = list(
                LocalAuthority.objects.filter(code__in=codes).order_by("name").values("id", "name")
            )
            ids = [authority["id"] for authority in chosen]
        found = list(selectors.published_policies(local_authority_ids=ids))
    return render(
        request,
        "portal/ppplus/school/policies.html",
        {
            "title": "Pupil Premium Plus: how each authority funds schools",
            "policies": found,
            "chosen": chosen,
            "filtered": bool(codes),
        },
    )
