"""The Virtual School Head's dashboard (issue 14): the sections of ``reports.registry``
under one filter, each figure a link to the children behind it, CSV and XLSX downloads
(small numbers suppressed) and a print stylesheet.

Views only ask: ``reports.permissions`` says who reaches a page (404 otherwise), the
filter comes from ``reports.filters.parse_filters``, figures from the sections' own
selectors and the children behind a number from ``reports.selectors.drill``."""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from children.stages import academic_year_start
from epep.audit.services import audit_record
from epep.exports import attachment_header, csv_row, download_name, xlsx_bytes
from epep.tenancy import clock
from reports import permissions
from reports.figures import measure_text
from reports.filters import FIRST_YEAR, parse_filters
from reports.registry import SECTION_TITLES, available_sections
from reports.selectors.cohort import schools_of_authority, teams_of_authority
from reports.selectors.drill import UnknownMeasure, children_behind, filter_query

from .forms import FilterForm
from .present import export_rows, present_section

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
#: Academic years offered in the filter: this one and the four before it.
YEARS_SHOWN = 5


def _allowed(request):
    if not permissions.can_see_reports(getattr(request, "actor", None)):
        raise Http404("Page not found")
    return request.actor


def _filters(request):
    """The filter, its form (with bad values' messages) and the query string to keep."""
    actor = _allowed(request)
    filters, errors = parse_filters(actor=actor, data=request.GET)
    authority_id = filters.local_authority_id
    this_year = academic_year_start(clock.today()).year
    first = max(FIRST_YEAR, this_year - YEARS_SHOWN + 1)
    form = FilterForm(
        request.GET or {"year": str(filters.academic_year)},
        years=range(this_year, first - 1, -1),
        schools=schools_of_authority(authority_id),
        teams=teams_of_authority(authority_id),
        errors=errors,
    )
    query = "&".join(f"{k}={v}" for k, v in filter_query(filters).items())
    return actor, filters, form, query


def _context(filters, form, query, **extra):
    period = filters.term.capitalize() + " term " if filters.term else ""
    return {
        "form": form,
        "filters": filters,
        "query": query,
        "period_label": f"{period}{filters.year_label}",
        "sections_nav": list(available_sections()),
        "section_titles": SECTION_TITLES,
        **extra,
    }


def home_summary(request) -> dict | None:
    """The Virtual School's home: this academic year's compliance headlines (counted
    today), each a link to the children behind it; None for anyone else."""
    actor = getattr(request, "actor", None)
    if not permissions.can_see_reports(actor):
        return None
    from reports.selectors.compliance import summary

    filters, _errors = parse_filters(actor=actor, data={})
    measures = summary(actor=actor, filters=filters)
    children_url = reverse("portal:reports:children")
    labels = {
        "in_care": "Children in care",
        "in_date": "With an in-date PEP",
        "overdue": "PEPs overdue",
        "qa_waiting": "Waiting for QA",
    }
    return {
        "filters": filters,
        "figures": [
            {
                "label": labels[key],
                "text": measure_text(measure),
                "href": f"{children_url}?{measure.drill}",
            }
            for key, measure in measures.items()
        ],
    }


@require_GET
def dashboard(request):
    """Every section's first two figures, with a link to the whole section."""
    actor, filters, form, query = _filters(request)
    sections = []
    for builder in available_sections().values():
        shown = present_section(builder(actor=actor, filters=filters))
        shown["more"] = len(shown["tables"]) > 2
        shown["tables"] = shown["tables"][:2]
        sections.append(shown)
    return render(
        request,
        "portal/reports/dashboard.html",
        _context(filters, form, query, title="Virtual School dashboard", sections=sections),
    )


def _section(request, key):
    builder = available_sections().get(key)
    if builder is None:
        raise Http404("No such report")
    actor, filters, form, query = _filters(request)
    return actor, filters, form, query, builder(actor=actor, filters=filters)


@require_GET
def section_page(request, key):
    _actor, filters, form, query, section = _section(request, key)
    return render(
        request,
        "portal/reports/section.html",
        _context(
            filters,
            form,
            query,
            title=section.title,
            section=present_section(section),
            key=key,
        ),
    )


@require_GET
def children(request):
    """The children behind a number: the same filter and the measure's own narrowing,
    through ``children_for`` (a child of another authority can never be listed)."""
    actor, filters, form, query = _filters(request)
    measure = request.GET.get("measure", "")
    try:
        listed = children_behind(actor=actor, filters=filters, measure=measure)
    except UnknownMeasure:
        raise Http404("No such figure") from None
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "child": child,
            "key_stage": child.scope_key_stage,
            "school": child.current_school_name or "",
        }
        for child in page.object_list
    ]
    return render(
        request,
        "portal/reports/children.html",
        _context(
            filters,
            form,
            query,
            title="Children behind the figure",
            measure=measure,
            rows=rows,
            page=page,
            page_range=list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
            filter_query=f"{query}&measure={measure}",
        ),
    )


def _for_download(request, key):
    actor, filters, _form, _query, section = _section(request, key)
    if not permissions.can_download_reports(actor):
        raise Http404("Page not found")
    from reports.suppression import suppress

    section = suppress(section)
    audit_record(
        acting_user=actor.user,
        role=actor.role,
        action="export_report",
        object_type="reports.section",
        local_authority_id=filters.local_authority_id,
        detail={"section": key, **filter_query(filters)},
    )
    return section, (key, filters.year_label.replace("/", "-"), filters.term or "year")


class _Echo:
    def write(self, value):
        return value


@require_GET
def section_csv(request, key):
    """Streams the section's rows as they are written."""
    section, parts = _for_download(request, key)
    writer = csv.writer(_Echo())
    lines = (
        writer.writerow(csv_row(row) if _is_text(row) else _cells(row))
        for row in export_rows(section)
    )
    response = StreamingHttpResponse(_bom(lines), content_type=CSV_TYPE)
    response["Content-Disposition"] = attachment_header(download_name(*parts, extension="csv"))
    return response


def _is_text(row) -> bool:
    return all(isinstance(v, str) for v in row)


def _cells(row) -> list:
    return [v if isinstance(v, int) and not isinstance(v, bool) else csv_row([v])[0] for v in row]


def _bom(lines):
    yield "\ufeff"
    yield from lines


@require_GET
def section_xlsx(request, key):
    section, parts = _for_download(request, key)
    response = HttpResponse(
        xlsx_bytes(export_rows(section), title=section.title), content_type=XLSX_TYPE
    )
    response["Content-Disposition"] = attachment_header(download_name(*parts, extension="xlsx"))
    return response
