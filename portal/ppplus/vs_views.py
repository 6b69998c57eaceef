"""PP+ screens of the Virtual School: the year's policy, the budget (grants, allocating
to eligible children, the per-child ledger), decisions on the schools' requests, payment
runs with their downloads, and spend reports.

Views only ask: the permissions module says who reaches a page (404 otherwise), objects
come through ``funding.selectors.access_*`` (404 for missing and refused alike), writes
are ``funding.services`` called inside ``service_errors`` (refusals beside the fields),
then POST-redirect-GET with a success banner."""

from __future__ import annotations

import csv
import io
from itertools import groupby
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calendars.selectors import academic_years_around
from children.models import School
from epep.audit.services import audit_record, audit_record_for
from epep.exports import (
    attachment_header,
    csv_safe,
    download_name,
    short_reference,
    xlsx_bytes,
)
from epep.tenancy import clock
from funding import exports, permissions, selectors
from funding.models import (
    Category,
    ChildAllocation,
    GrantStage,
    Payment,
    PaymentRunStatus,
    PpGrant,
    PpPolicy,
)
from funding.money import format_pounds
from funding.services.budget import child_allocations_set, pp_grant_record
from funding.services.lines import policy_for, pp_line_decide
from funding.services.payments import (
    payment_run_build,
    payment_run_confirm,
    payment_run_mark_paid,
)
from funding.services.policy import pp_policy_publish, pp_policy_save
from funding.years import financial_year_label, financial_year_of
from peps.models import Term
from peps.terms import term_for
from quality.selectors.funding_gate import ppplus_release

from ..access import actor_required, service_errors
from .vs_forms import (
    BuildRunForm,
    DecisionForm,
    GrantForm,
    PaidForm,
    PolicyForm,
    VersionForm,
)

PAGE_SIZE = 25
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_GROUPS = {
    "school": "School",
    "child": "Child",
    "term": "Term",
    "category": "Category",
}


# --- Who and which year ---------------------------------------------------------------------


def _staff(request):
    """Virtual School staff (or those who edit the policy) reach the PP+ pages; the
    authority is their own."""
    actor = request.actor
    if not (permissions.can_decide_ppplus(actor) or permissions.can_edit_pp_policy(actor)):
        raise Http404("Page not found")
    return actor.authorities[0]


def _payer(request):
    authority = _staff(request)
    if not permissions.can_pay_ppplus(request.actor, authority):
        raise Http404("Page not found")
    return authority


def _years() -> list[int]:
    """The financial years the pages offer: last year, this year and next."""
    current = financial_year_of(clock.today())
    return [current - 1, current, current + 1]


def _year(request) -> int:
    text = request.GET.get("year") or request.POST.get("year")
    if not text:
        return financial_year_of(clock.today())
    try:
        year = int(text)
    except ValueError:
        raise Http404("Page not found") from None
    if year not in _years():
        raise Http404("Page not found")
    return year


def _year_links(url_name: str, year: int, **extra) -> list[dict]:
    query = "".join(f"&{k}={v}" for k, v in extra.items())
    return [
        {
            "label": financial_year_label(y),
            "url": f"{reverse(url_name)}?year={y}{query}",
            "current": y == year,
        }
        for y in _years()
    ]


# --- Policy ---------------------------------------------------------------------------------


@actor_required
@require_http_methods(["GET", "POST"])
def policy(request):
    authority = _staff(request)
    year = _year(request)
    if year < financial_year_of(clock.today()):
        raise Http404("Page not found")
    existing = PpPolicy.objects.filter(local_authority=authority, financial_year=year).first()
    may_edit = permissions.can_edit_pp_policy(request.actor, authority)
    initial = PolicyForm.initial_from(existing) if existing else {"exceptional_allowed": "yes"}
    form = PolicyForm(request.POST or None, initial=initial)
    publish_form = VersionForm(initial={"version": existing.version if existing else None})
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise Http404("Page not found")
        if request.POST.get("action") == "publish" and existing is not None:
            publish_form = VersionForm(request.POST)
            if publish_form.is_valid():
                with service_errors(publish_form) as call:
                    pp_policy_publish(
                        actor=request.actor,
                        policy=existing,
                        version=publish_form.cleaned_data["version"],
                    )
                if call.ok:
                    messages.success(
                        request,
                        f"The {financial_year_label(year)} PP+ policy is published for schools.",
                    )
                    return redirect(f"{reverse('portal:ppplus:vs_policy')}?year={year}")
            form = PolicyForm(initial=initial)
            status = 400
        elif form.is_valid():
            with service_errors(form) as call:
                pp_policy_save(
                    actor=request.actor,
                    local_authority=authority,
                    financial_year=year,
                    values=form.values(),
                    version=form.cleaned_data["version"] if existing else None,
                )
            if call.ok:
                messages.success(request, f"The {financial_year_label(year)} PP+ policy is saved.")
                return redirect(f"{reverse('portal:ppplus:vs_policy')}?year={year}")
            status = 400
        else:
            status = 400
    return render(
        request,
        "portal/ppplus/virtual_school/policy.html",
        {
            "title": f"PP+ policy {financial_year_label(year)}",
            "year": year,
            "year_links": [
                link
                for link in _year_links("portal:ppplus:vs_policy", year)
                if int(link["url"].rsplit("=", 1)[1]) >= financial_year_of(clock.today())
            ],
            "policy": existing,
            "form": form,
            "publish_form": publish_form,
            "may_edit": may_edit,
            "categories": dict(Category.choices),
        },
        status=status,
    )


# --- Budget ---------------------------------------------------------------------------------


def _budget_context(request, authority, year: int, grant_form=None) -> dict:
    budget = selectors.budget_for(
        actor=request.actor, local_authority_id=authority.pk, financial_year=year
    )
    unspent = selectors.unspent_allocations(actor=request.actor, financial_year=year)
    grants = list(
        PpGrant.objects.filter(local_authority=authority, financial_year=year)
        .select_related("entered_by")
        .order_by("received_on", "pk")
    )
    today = clock.today()
    year_end_warning = today.month <= 3 and year == financial_year_of(today)
    return {
        "title": f"PP+ budget {financial_year_label(year)}",
        "year": year,
        "year_label": financial_year_label(year),
        "year_links": _year_links("portal:ppplus:vs_budget", year),
        "budget": budget,
        "grants": grants,
        "grant_stage": next(
            (g.get_stage_display() for g in grants if g.stage == GrantStage.FINAL),
            grants[0].get_stage_display() if grants else "",
        ),
        "has_policy": PpPolicy.objects.filter(
            local_authority=authority, financial_year=year
        ).exists(),
        "may_edit": permissions.can_edit_pp_policy(request.actor, authority),
        "grant_form": grant_form or GrantForm(),
        "year_end_warning": year_end_warning and unspent["children"] > 0,
        "unspent": unspent,
    }


@actor_required
@require_GET
def budget(request):
    authority = _staff(request)
    year = _year(request)
    return render(
        request,
        "portal/ppplus/virtual_school/budget.html",
        _budget_context(request, authority, year),
    )


@actor_required
@require_POST
def grant_record(request):
    authority = _staff(request)
    if not permissions.can_edit_pp_policy(request.actor, authority):
        raise Http404("Page not found")
    year = _year(request)
    form = GrantForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with service_errors(form) as call:
            pp_grant_record(
                actor=request.actor,
                local_authority=authority,
                financial_year=year,
                stage=data["stage"],
                amount_pence=data["amount_pence"],
                received_on=data["received_on"],
                eligible_children=data["eligible_children"],
                note=data["note"],
            )
        if call.ok:
            messages.success(
                request,
                f"The {data['stage']} grant of {format_pounds(data['amount_pence'])} is recorded.",
            )
            return redirect(f"{reverse('portal:ppplus:vs_budget')}?year={year}")
    return render(
        request,
        "portal/ppplus/virtual_school/budget.html",
        _budget_context(request, authority, year, grant_form=form),
        status=400,
    )


@actor_required
@require_POST
def allocate(request):
    authority = _staff(request)
    if not permissions.can_edit_pp_policy(request.actor, authority):
        raise Http404("Page not found")
    year = _year(request)
    form = VersionForm()
    with service_errors(form) as call:
        count = child_allocations_set(
            actor=request.actor, local_authority=authority, financial_year=year
        )
    if call.ok:
        messages.success(
            request,
            f"{financial_year_label(year)} PP+ allocated to {count} eligible "
            f"child{'ren' if count != 1 else ''}.",
        )
    else:
        messages.error(request, " ".join(call.error.messages))
    return redirect(f"{reverse('portal:ppplus:vs_budget')}?year={year}")


@actor_required
@require_GET
def ledger(request):
    _staff(request)
    year = _year(request)
    only_unspent = request.GET.get("unspent") == "1"
    allocations = selectors.allocations_for(actor=request.actor, financial_year=year)
    if only_unspent:
        allocations = allocations.filter(remaining_left__gt=0)
    paginator = Paginator(allocations, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/ppplus/virtual_school/ledger.html",
        {
            "title": f"PP+ per child {financial_year_label(year)}"
            + (": allocation not spent" if only_unspent else ""),
            "year": year,
            "page": page,
            "page_range": list(paginator.get_elided_page_range(page.number)),
            "filter_query": f"year={year}" + ("&unspent=1" if only_unspent else ""),
        },
    )


# --- Decisions ------------------------------------------------------------------------------


def _decider(request):
    if not permissions.can_decide_ppplus(request.actor):
        raise Http404("Page not found")


@actor_required
@require_GET
def decisions(request):
    _decider(request)
    lines = list(selectors.lines_waiting_for_decision(actor=request.actor))
    release = ppplus_release(pep_ids={line.pep_id for line in lines})
    return render(
        request,
        "portal/ppplus/virtual_school/decisions.html",
        {
            "title": "PP+ requests to decide",
            "rows": [(line, release[line.pep_id]) for line in lines],
        },
    )


@actor_required
@require_http_methods(["GET", "POST"])
def decide(request, line_id: UUID):
    _decider(request)
    line = selectors.access_line_by_id(actor=request.actor, line_id=line_id)
    policy_now = policy_for(local_authority_id=line.local_authority_id, day=clock.today())
    may_decide = permissions.can_decide_ppplus(request.actor, line, policy=policy_now)
    form = DecisionForm(request.POST or None, initial={"version": line.version})
    if request.method == "POST":
        if not may_decide:
            raise Http404("Page not found")
        if form.is_valid():
            data = form.cleaned_data
            with service_errors(form) as call:
                decided = pp_line_decide(
                    actor=request.actor,
                    line=line,
                    decision=data["decision"],
                    version=data["version"],
                    approved_pence=data["approved_pence"],
                    reason=data["reason"],
                )
            if call.ok:
                messages.success(
                    request,
                    f"{decided.get_status_display()}: {decided.what} for "
                    f"{line.child.display_name}"
                    + (
                        f" ({format_pounds(decided.approved_pence)})"
                        if decided.approved_pence
                        else ""
                    )
                    + ".",
                )
                return redirect("portal:ppplus:vs_decisions")
    allocation = ChildAllocation.objects.filter(
        child_id=line.child_id, financial_year=line.financial_year
    ).first()
    return render(
        request,
        "portal/ppplus/virtual_school/decide.html",
        {
            "title": "Decide on a PP+ request",
            "line": line,
            "targets": list(line.targets.all()),
            "release": ppplus_release(pep_ids=[line.pep_id])[line.pep_id],
            "allocation": allocation,
            "budget": selectors.budget_for(
                actor=request.actor,
                local_authority_id=line.local_authority_id,
                financial_year=line.financial_year,
            ),
            "needs_head": policy_now is not None
            and permissions.needs_head_approval(line, policy_now),
            "threshold": policy_now.head_approval_above_pence if policy_now else None,
            "may_decide": may_decide and line.status == "requested",
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@actor_required
@require_GET
def no_impact(request):
    _decider(request)
    paginator = Paginator(selectors.funded_lines_without_impact(actor=request.actor), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/ppplus/virtual_school/no_impact.html",
        {
            "title": "Funded PP+ with no impact recorded",
            "page": page,
            "page_range": list(paginator.get_elided_page_range(page.number)),
        },
    )


# --- Payment runs ---------------------------------------------------------------------------


def _build_form(data=None) -> BuildRunForm:
    today = clock.today()
    this_year = academic_years_around(today)[0]
    first = int(this_year[:4])
    previous = f"{first - 1}-{first % 100:02d}"
    return BuildRunForm(
        data,
        years=(this_year, previous),
        initial={"academic_year": this_year, "term": term_for(today)},
    )


@actor_required
@require_http_methods(["GET", "POST"])
def runs(request):
    authority = _payer(request)
    form = _build_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            run = payment_run_build(
                actor=request.actor,
                local_authority=authority,
                academic_year=form.cleaned_data["academic_year"],
                term=form.cleaned_data["term"],
            )
        if call.ok:
            messages.success(
                request,
                f"The {run.get_term_display().lower()} {run.academic_year} payment run is built.",
            )
            return redirect("portal:ppplus:vs_run", run_id=run.public_id)
    return render(
        request,
        "portal/ppplus/virtual_school/runs.html",
        {
            "title": "PP+ payment runs",
            "runs": list(selectors.payment_runs_for(actor=request.actor)),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


def _run(request, run_id: UUID):
    _payer(request)
    return selectors.access_payment_run_by_id(actor=request.actor, run_id=run_id)


def _run_page(request, run, *, confirm_form=None, paid_form=None, status=200):
    payments = list(
        Payment.objects.filter(run=run)
        .select_related("school", "line", "line__child")
        .order_by("school__name", "school_id", "line__requested_at", "pk")
    )
    schools = []
    for _school_id, group in groupby(payments, key=lambda p: p.school_id):
        group = list(group)
        schools.append(
            {
                "school": group[0].school,
                "payments": group,
                "total": sum(p.amount_pence for p in group),
            }
        )
    return render(
        request,
        "portal/ppplus/virtual_school/run.html",
        {
            "title": f"Payment run: {run.get_term_display()} {run.academic_year}",
            "run": run,
            "schools": schools,
            "total": sum(p.amount_pence for p in payments),
            "reference": exports.run_reference(run),
            "locked": run.status == PaymentRunStatus.PAID,
            "confirm_form": confirm_form or VersionForm(initial={"version": run.version}),
            "paid_form": paid_form or PaidForm(initial={"version": run.version}),
        },
        status=status,
    )


@actor_required
@require_GET
def run_detail(request, run_id: UUID):
    return _run_page(request, _run(request, run_id))


@actor_required
@require_POST
def run_confirm(request, run_id: UUID):
    run = _run(request, run_id)
    form = VersionForm(request.POST)
    if form.is_valid():
        with service_errors(form) as call:
            payment_run_confirm(actor=request.actor, run=run, version=form.cleaned_data["version"])
        if call.ok:
            messages.success(request, "The payment run is confirmed: send it to finance.")
            return redirect("portal:ppplus:vs_run", run_id=run.public_id)
    return _run_page(request, run, confirm_form=form, status=400)


@actor_required
@require_POST
def run_paid(request, run_id: UUID):
    run = _run(request, run_id)
    form = PaidForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with service_errors(form) as call:
            payment_run_mark_paid(
                actor=request.actor,
                run=run,
                version=data["version"],
                paid_on=data["paid_on"],
                reference=data["reference"],
            )
        if call.ok:
            messages.success(request, "The payment run is marked paid. It is now locked.")
            return redirect("portal:ppplus:vs_run", run_id=run.public_id)
    return _run_page(request, run, paid_form=form, status=400)


def _download(request, obj, *, content, content_type: str, filename: str, kind: str, **detail):
    audit_record_for(request.actor, obj, "download", file=kind, filename=filename, **detail)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename)
    return response


@actor_required
@require_GET
def remittance_csv(request, run_id: UUID, school_id: UUID):
    run = _run(request, run_id)
    school = _run_school(run, school_id)
    return _download(
        request,
        run,
        content=exports.remittance_csv(run, school_id=school.pk).encode("utf-8-sig"),
        content_type=CSV_TYPE,
        filename=download_name(
            "pp-plus-remittance",
            run.academic_year,
            run.term,
            school.urn or school.name,
            extension="csv",
        ),
        kind="remittance_csv",
        school=str(school.public_id),
    )


def _run_school(run, school_id: UUID) -> School:
    school = School.objects.filter(
        public_id=school_id, pk__in=Payment.objects.filter(run=run).values("school_id")
    ).first()
    if school is None:
        raise Http404("Page not found")
    return school


@actor_required
@require_GET
def remittance_pdf(request, run_id: UUID, school_id: UUID):
    """The school's remittance advice as a tagged PDF (WeasyPrint, as the PEP's:
    OFFICIAL-SENSITIVE on every page), children by initials and a reference only."""
    from peps.pdf import html_to_pdf

    run = _run(request, run_id)
    school = _run_school(run, school_id)
    payments = list(
        Payment.objects.filter(run=run, school=school)
        .select_related("line", "line__child")
        .order_by("line__requested_at", "pk")
    )
    term = f"{run.get_term_display()} {run.academic_year}"
    html = render_to_string(
        "portal/ppplus/virtual_school/remittance_pdf.html",
        {
            "title": f"PP+ remittance advice, {school.name}, {term}",
            "school": school,
            "run": run,
            "term": term,
            "status": run.get_status_display(),
            "reference": exports.run_reference(run),
            "authority_line": run.local_authority.name,
            "total": format_pounds(sum(p.amount_pence for p in payments)),
            "rows": [
                {
                    "initials": exports.initials(
                        p.line.child.preferred_name or p.line.child.legal_first_name,
                        p.line.child.legal_last_name,
                    ),
                    "reference": short_reference(p.line.public_id),
                    "what": p.line.what,
                    "amount": format_pounds(p.amount_pence),
                }
                for p in payments
            ],
        },
    )
    return _download(
        request,
        run,
        content=html_to_pdf(html),
        content_type="application/pdf",
        filename=download_name(
            "pp-plus-remittance",
            run.academic_year,
            run.term,
            school.urn or school.name,
            extension="pdf",
        ),
        kind="remittance_pdf",
        school=str(school.public_id),
    )


@actor_required
@require_GET
def finance_csv(request, run_id: UUID):
    run = _run(request, run_id)
    return _download(
        request,
        run,
        content=exports.finance_csv(run).encode("utf-8-sig"),
        content_type=CSV_TYPE,
        filename=download_name("pp-plus-finance", run.academic_year, run.term, extension="csv"),
        kind="finance_csv",
    )


# --- Reports --------------------------------------------------------------------------------


def _report(request):
    authority = _staff(request)
    year = _year(request)
    by = request.GET.get("by") or "school"
    if by not in REPORT_GROUPS:
        raise Http404("Page not found")
    terms = dict(Term.choices)
    categories = dict(Category.choices)
    rows = []
    for row in selectors.spend_by(actor=request.actor, financial_year=year, by=by):
        if by == "school":
            name = row["school__name"]
        elif by == "child":
            name = f"{row['child__legal_first_name']} {row['child__legal_last_name']}"
        elif by == "term":
            name = f"{terms.get(row['term'], row['term'])} {row['academic_year']}"
        else:
            name = categories.get(row["category"], row["category"])
        rows.append(
            {
                "name": name,
                "lines": row["lines"],
                "requested": row["requested"],
                "committed": row["approved"] - row["paid"],
                "paid": row["paid"],
            }
        )
    budget = selectors.budget_for(
        actor=request.actor, local_authority_id=authority.pk, financial_year=year
    )
    return authority, year, by, rows, budget


REPORT_HEADER = ["Lines", "Requested (pence)", "Committed (pence)", "Paid (pence)"]


def _report_table(by: str, rows: list[dict]) -> list[list]:
    return [
        [REPORT_GROUPS[by], *REPORT_HEADER],
        *([r["name"], r["lines"], r["requested"], r["committed"], r["paid"]] for r in rows),
    ]


@actor_required
@require_GET
def report(request):
    _authority, year, by, rows, budget = _report(request)
    return render(
        request,
        "portal/ppplus/virtual_school/report.html",
        {
            "title": f"PP+ spend {financial_year_label(year)} by {REPORT_GROUPS[by].lower()}",
            "year": year,
            "by": by,
            "group_label": REPORT_GROUPS[by],
            "rows": rows,
            "budget": budget,
            "for_schools": (budget.grant_pence - budget.retained_pence) if budget else 0,
            "totals": {
                key: sum(r[key] for r in rows) for key in ("requested", "committed", "paid")
            },
            "year_links": _year_links("portal:ppplus:vs_report", year, by=by),
            "group_links": [
                {
                    "label": label,
                    "url": f"{reverse('portal:ppplus:vs_report')}?year={year}&by={key}",
                    "current": key == by,
                }
                for key, label in REPORT_GROUPS.items()
            ],
        },
    )


@actor_required
@require_GET
def report_download(request, file_format: str):
    authority, year, by, rows, _budget = _report(request)
    table = _report_table(by, rows)
    filename = download_name("pp-plus-spend", financial_year_label(year), by, extension=file_format)
    if file_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for row in table:
            writer.writerow([csv_safe(v) if isinstance(v, str) else v for v in row])
        content, content_type = out.getvalue().encode("utf-8-sig"), CSV_TYPE
    else:
        content, content_type = xlsx_bytes(table, title=f"Spend by {by}"), XLSX_TYPE
    audit_record(
        acting_user=request.actor.user,
        role=request.actor.role,
        action="export_pp_spend",
        object_type="funding.ppline",
        local_authority_id=authority.pk,
        detail={"by": by, "financial_year": year, "format": file_format, "rows": len(rows)},
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename)
    return response
