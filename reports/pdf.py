"""The Virtual School Head's annual report pack (issue 14 point 6), as PDFs (WeasyPrint).

- ``annual_report_pdf``: for the governing body. A cover, contents, then one chapter per
  section of the dashboard (the cohort and compliance, quality, PP+, outcomes), each with
  the Head's commentary and the section's tables, counted over the academic year.
- ``evidence_pack_pdf``: for Ofsted. Every figure of the report: its definition, each
  value, and the day it was counted on.

Both leave the Virtual School, so small numbers are suppressed (``reports.suppression``).
Tagged PDF (PDF/UA-1, en-GB, a title), OFFICIAL-SENSITIVE at the top and the bottom of
every page, "Page X of Y". Rendering fetches nothing: the stylesheet is read from
``reports/pdf.css`` and ``peps.pdf``'s fetcher refuses every URL that might still reach
WeasyPrint.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from epep.exports import download_name
from epep.tenancy import clock
from peps.pdf import make_url_fetcher

from .figures import Section, measure_text
from .filters import ReportFilter, census_of, period_of
from .models import COMMENTARY_SECTIONS
from .registry import available_sections
from .selectors.commentary import commentaries_for
from .suppression import suppress

STYLESHEET = Path(__file__).resolve().with_name("pdf.css")
#: Tagged PDF for screen readers (PDF/UA-1 turns on ``pdf_tags``).
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


def annual_filter(*, authority, academic_year: int) -> ReportFilter:
    """The whole academic year for ``authority``, counted on its last day (today while it
    runs), every child of the authority: the annual report's filter."""
    start, end = period_of(academic_year, None)
    return ReportFilter(
        local_authority_id=authority.pk,
        academic_year=academic_year,
        term=None,
        period_start=start,
        period_end=end,
        census_date=census_of(start, end, clock.today()),
    )


@dataclass(frozen=True)
class Chapter:
    key: str
    title: str
    section: Section
    commentary: str


def report_chapters(*, actor, filters: ReportFilter) -> list[Chapter]:
    """One chapter per section the registry has, in dashboard order, suppressed, with
    the commentary saved for the year."""
    commentaries = commentaries_for(actor=actor, academic_year=filters.academic_year)
    chapters = []
    for key, builder in available_sections().items():
        saved = commentaries.get(key)
        chapters.append(
            Chapter(
                key=key,
                title=COMMENTARY_SECTIONS.get(key, key),
                section=suppress(builder(actor=actor, filters=filters)),
                commentary=saved.text if saved else "",
            )
        )
    return chapters


def _tables(section: Section) -> list[dict]:
    return [
        {
            "key": table.key,
            "title": table.title,
            "definition": table.definition,
            "note": table.note,
            "columns": table.columns,
            "rows": [
                {
                    "label": row.label,
                    "cells": [
                        {"text": measure_text(cell), "column": column}
                        for cell, column in zip(row.cells, table.columns, strict=False)
                    ],
                }
                for row in table.rows
            ],
        }
        for table in section.tables
    ]


def _context(*, actor, filters: ReportFilter) -> dict:
    (authority,) = actor.authorities
    chapters = report_chapters(actor=actor, filters=filters)
    return {
        "authority": authority,
        "virtual_school": authority.virtual_school_name or f"{authority.name} Virtual School",
        "year_label": filters.year_label,
        "census_date": date_format(filters.census_date, "j F Y"),
        "census_iso": filters.census_date.isoformat(),
        "produced": date_format(localtime(clock.now()), "j F Y"),
        "chapters": [
            {
                "key": chapter.key,
                "number": number,
                "title": chapter.title,
                "commentary": chapter.commentary,
                "empty_message": chapter.section.empty_message,
                "tables": _tables(chapter.section),
            }
            for number, chapter in enumerate(chapters, start=1)
        ],
    }


def annual_report_html(*, actor, filters: ReportFilter) -> str:
    return render_to_string("reports/annual.html", _context(actor=actor, filters=filters))


def evidence_pack_html(*, actor, filters: ReportFilter) -> str:
    return render_to_string("reports/evidence.html", _context(actor=actor, filters=filters))


@cache
def _stylesheet():
    import weasyprint

    return weasyprint.CSS(string=STYLESHEET.read_text(encoding="utf-8"))


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF of ``html``. No database; fetches nothing."""
    import weasyprint

    document = weasyprint.HTML(string=html, url_fetcher=make_url_fetcher())
    return document.write_pdf(stylesheets=[_stylesheet()], **PDF_OPTIONS)


def annual_report_pdf(*, actor, filters: ReportFilter) -> bytes:
    """The annual report for the governing body. Needs the authority context."""
    return html_to_pdf(annual_report_html(actor=actor, filters=filters))


def evidence_pack_pdf(*, actor, filters: ReportFilter) -> bytes:
    """The Ofsted evidence pack: every figure, its definition, its values, the day it was
    counted on. Needs the authority context."""
    return html_to_pdf(evidence_pack_html(actor=actor, filters=filters))


def annual_filename(kind: str, filters: ReportFilter, *, code: str) -> str:
    """``annual-report-886-2026-27-<today>.pdf`` (kind, the authority's code, the year)."""
    year = f"{filters.academic_year}-{(filters.academic_year + 1) % 100:02d}"
    return download_name(kind, code, year, clock.today().isoformat(), extension="pdf")
