"""The annual report pack (issue 14 point 6): the page to choose the academic year, read
and change the commentary on each section (the Virtual School Head only), and download the
annual report for the governing body and the Ofsted evidence pack as PDFs (small numbers
suppressed, ``reports.pdf``).

Views only ask: ``reports.permissions`` says who reaches a page (404 otherwise); writes go
through ``reports.services.commentary_save``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from children.stages import academic_year_start
from epep.audit.services import audit_record
from epep.exports import attachment_header
from epep.tenancy import clock
from portal.access import service_errors
from reports import pdf, permissions
from reports.filters import FIRST_YEAR, parse_year
from reports.models import COMMENTARY_MAX_LENGTH, COMMENTARY_SECTIONS
from reports.selectors.commentary import commentaries_for
from reports.services import StaleCommentary, commentary_save


class CommentaryForm(forms.Form):
    text = forms.CharField(
        label="Commentary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=(
            "A few paragraphs for the governing body: what the Virtual School did and "
            f"what the impact was. Up to {COMMENTARY_MAX_LENGTH:,} characters."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def _actor(request):
    actor = getattr(request, "actor", None)
    if not permissions.can_see_reports(actor):
        raise Http404("Page not found")
    return actor


def _this_year() -> int:
    return academic_year_start(clock.today()).year


def _year_or_404(year: int) -> int:
    if not FIRST_YEAR <= year <= _this_year():
        raise Http404("Page not found")
    return year


def _label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


@require_GET
def annual(request):
    actor = _actor(request)
    year, error = _this_year(), ""
    if raw := request.GET.get("year", "").strip():
        parsed = parse_year(raw, today=clock.today())
        if parsed is None or parsed > _this_year():
            error = f"Enter an academic year like {_label(year)}, from 2000/01 to this year."
        else:
            year = parsed
    saved = commentaries_for(actor=actor, academic_year=year)
    sections = [
        {"key": key, "title": title, "commentary": saved.get(key)}
        for key, title in COMMENTARY_SECTIONS.items()
    ]
    return render(
        request,
        "portal/reports/annual.html",
        {
            "title": "Annual report",
            "year": year,
            "year_label": _label(year),
            "years": [
                (y, _label(y))
                for y in range(_this_year(), max(FIRST_YEAR, _this_year() - 4) - 1, -1)
            ],
            "year_error": error,
            "raw_year": raw,
            "sections": sections,
            "can_edit": permissions.can_edit_commentary(actor),
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def commentary_edit(request, year: int, section: str):
    actor = _actor(request)
    if not permissions.can_edit_commentary(actor) or section not in COMMENTARY_SECTIONS:
        raise Http404("Page not found")
    year = _year_or_404(year)
    saved = commentaries_for(actor=actor, academic_year=year).get(section)
    theirs = None
    if request.method == "POST":
        form = CommentaryForm(request.POST)
        if form.is_valid():
            with service_errors(form) as call:
                commentary_save(
                    actor=actor,
                    academic_year=year,
                    section=section,
                    text=form.cleaned_data["text"],
                    base_version=form.cleaned_data["version"],
                )
            if call.ok:
                messages.success(
                    request, f"The commentary on ‘{COMMENTARY_SECTIONS[section]}’ has been saved"
                )
                return redirect(f"{reverse('portal:reports:annual')}?year={year}")
            if isinstance(call.error, StaleCommentary):
                # Their text is shown beside the form; saving again replaces it knowingly.
                theirs = call.error.current
                form.data = {**form.data.dict(), "version": str(theirs.version)}
    else:
        form = CommentaryForm(
            initial={"text": saved.text if saved else "", "version": saved.version if saved else 0}
        )
    return render(
        request,
        "portal/reports/annual_commentary.html",
        {
            "title": f"Commentary: {COMMENTARY_SECTIONS[section]}",
            "form": form,
            "year": year,
            "year_label": _label(year),
            "section_title": COMMENTARY_SECTIONS[section],
            "theirs": theirs,
        },
        status=400 if form.errors else 200,
    )


def _download(request, year: int, kind: str, render_pdf) -> HttpResponse:
    actor = _actor(request)
    year = _year_or_404(year)
    (authority,) = actor.authorities
    filters = pdf.annual_filter(authority=authority, academic_year=year)
    data = render_pdf(actor=actor, filters=filters)
    audit_record(
        acting_user=actor.user,
        role=actor.role,
        action="export_report",
        object_type="reports.annual",
        local_authority_id=authority.pk,
        detail={"kind": kind, "year": str(year)},
    )
    response = HttpResponse(data, content_type="application/pdf")
    filename = pdf.annual_filename(kind, filters, code=authority.code)
    response["Content-Disposition"] = attachment_header(filename)
    return response


@require_GET
def annual_pdf(request, year: int):
    return _download(request, year, "annual-report", pdf.annual_report_pdf)


@require_GET
def evidence_pdf(request, year: int):
    return _download(request, year, "ofsted-evidence", pdf.evidence_pack_pdf)
