"""The authority's settings, for its LA administrators and Virtual School: the PEP policy
(changed by the LA administrator and the Virtual School Head), and per academic year the
term dates, closures and termly submission dates (the Virtual School and LA
administrators). Every save works out the authority's open PEP deadlines again at once
(the services call the hooks); the page after says so."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from calendars import services as calendar_services
from calendars.permissions import can_edit_calendar
from calendars.selectors import (
    academic_years_around,
    access_closure_by_id,
    calendar_year,
    published_terms,
)
from calendars.services import academic_year_bounds
from epep.tenancy import clock
from epep.tenancy.models import LocalAuthority
from epep.tenancy.permissions import can_edit_authority_policy, can_open_authority_settings
from epep.tenancy.services import STALE_POLICY_MESSAGE, local_authority_policy_update

from ..access import service_errors
from .forms import ClosureForm, PolicyForm, SubmissionDatesForm, TermDatesForm

RECALCULATED = "Open PEP deadlines were recalculated."
DEFAULT_TERM_NAMES = ("Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2")


def _authority(request) -> LocalAuthority:
    actor = getattr(request, "actor", None)
    if not can_open_authority_settings(actor):
        raise Http404("Page not found")
    return actor.authorities[0]


def _calendar_authority(request) -> LocalAuthority:
    authority = _authority(request)
    if not can_edit_calendar(request.actor, authority.pk):
        raise Http404("Page not found")
    return authority


def _year(academic_year: str) -> tuple[str, date, date]:
    try:
        earliest, latest = academic_year_bounds(academic_year)
    except ValidationError:
        raise Http404("Page not found") from None
    return academic_year, date(earliest.year, 9, 1), latest


def _saved(request, what: str, recalculated: bool = True) -> None:
    messages.success(request, f"{what}\n{RECALCULATED}" if recalculated else what)


def index(request):
    authority = _authority(request)
    years = []
    for academic_year in academic_years_around(clock.today()):
        years.append(
            {
                "label": academic_year,
                **calendar_year(local_authority_id=authority.pk, academic_year=academic_year),
            }
        )
    return render(
        request,
        "portal/authority_settings/index.html",
        {
            "title": "Settings",
            "authority": authority,
            "years": years,
            "can_edit_policy": can_edit_authority_policy(request.actor, authority),
            "can_edit_calendar": can_edit_calendar(request.actor, authority.pk),
        },
    )


@require_http_methods(["GET", "POST"])
def policy(request):
    authority = _authority(request)
    if not can_edit_authority_policy(request.actor, authority):
        raise Http404("Page not found")
    current = LocalAuthority.objects.get(pk=authority.pk)
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_for(current))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = dict(form.cleaned_data)
            version = fields.pop("version")
            with service_errors(form) as call:
                _, changed = local_authority_policy_update(
                    actor=request.actor, authority=current, expected_version=version, **fields
                )
            if call.ok:
                if changed:
                    _saved(request, "PEP policy saved.")
                return redirect("portal:authority_settings:index")
            if STALE_POLICY_MESSAGE in getattr(call.error, "messages", []):
                # Show the settings as they are now, with the message: nothing was saved.
                current = LocalAuthority.objects.get(pk=authority.pk)
                form = PolicyForm(PolicyForm.initial_for(current))
                form.is_valid()
                form.add_error(None, STALE_POLICY_MESSAGE)
        status = 400
    return render(
        request,
        "portal/authority_settings/policy.html",
        {"title": "PEP policy", "authority": current, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def term_dates(request, academic_year: str):
    authority = _calendar_authority(request)
    academic_year, _, _ = _year(academic_year)
    year = calendar_year(local_authority_id=authority.pk, academic_year=academic_year)
    existing = [
        {"name": t.name, "start_date": t.start_date, "end_date": t.end_date} for t in year["terms"]
    ]
    published = (
        [] if existing else published_terms(la_code=authority.code, academic_year=academic_year)
    )
    if existing or published:
        initial = TermDatesForm.initial_for(existing or published)
    else:
        initial = {f"name_{i}": name for i, name in enumerate(DEFAULT_TERM_NAMES, start=1)}
    form = TermDatesForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            source = ""
            if published and [
                (t["name"], t["start_date"], t["end_date"]) for t in form.terms() if t["start_date"]
            ] == [(t["name"], t["start_date"], t["end_date"]) for t in published]:
                source = f"Published dates ({published[0]['source']})"
            with service_errors(form) as call:
                calendar_services.term_dates_set(
                    actor=request.actor,
                    authority=authority,
                    academic_year=academic_year,
                    terms=form.terms(),
                    source=source,
                )
            if call.ok:
                _saved(request, f"Term dates for {academic_year} saved.")
                return redirect("portal:authority_settings:index")
        status = 400
    return render(
        request,
        "portal/authority_settings/term_dates.html",
        {
            "title": f"Term dates for {academic_year}",
            "authority": authority,
            "academic_year": academic_year,
            "form": form,
            "prefilled": bool(published),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def closure_add(request, academic_year: str):
    authority = _calendar_authority(request)
    academic_year, _, _ = _year(academic_year)
    form = ClosureForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with service_errors(form, fields={"school": "school_urn"}) as call:
                closure = calendar_services.closure_add(
                    actor=request.actor,
                    authority=authority,
                    date=form.cleaned_data["date"],
                    reason=form.cleaned_data["reason"],
                    school=form.school,
                )
            if call.ok:
                _saved(request, f"Closure added: {closure}.")
                return redirect("portal:authority_settings:index")
        status = 400
    return render(
        request,
        "portal/authority_settings/closure_add.html",
        {
            "title": f"Add a closure in {academic_year}",
            "authority": authority,
            "academic_year": academic_year,
            "form": form,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def closure_remove(request, closure_id: UUID):
    _calendar_authority(request)
    closure = access_closure_by_id(actor=request.actor, closure_id=closure_id)
    if request.method == "POST":
        description = str(closure)
        with service_errors() as call:
            calendar_services.closure_remove(actor=request.actor, closure=closure)
        if call.ok:
            _saved(request, f"Closure removed: {description}.")
            return redirect("portal:authority_settings:index")
    return render(
        request,
        "portal/authority_settings/closure_remove.html",
        {"title": "Remove this closure?", "closure": closure},
    )


@require_http_methods(["GET", "POST"])
def submission_dates(request, academic_year: str):
    authority = _calendar_authority(request)
    academic_year, _, _ = _year(academic_year)
    year = calendar_year(local_authority_id=authority.pk, academic_year=academic_year)
    current = {row.term: row.date for row in year["submission_dates"]}
    form = SubmissionDatesForm(request.POST or None, initial=current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with service_errors(form) as call:
                calendar_services.submission_date_set(
                    actor=request.actor,
                    authority=authority,
                    academic_year=academic_year,
                    dates=form.dates(),
                )
            if call.ok:
                _saved(request, f"Submission dates for {academic_year} saved.")
                return redirect("portal:authority_settings:index")
        status = 400
    return render(
        request,
        "portal/authority_settings/submission_dates.html",
        {
            "title": f"PEP submission dates for {academic_year}",
            "authority": authority,
            "academic_year": academic_year,
            "form": form,
        },
        status=status,
    )
