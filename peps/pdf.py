"""The PEP as a PDF (WeasyPrint).

- ``render_pep_pdf(pep)``: every section in order, the child's details, attainment, last
  term's targets with their outcomes, this term's SMART targets as a table, actions and
  the PEP's history; the child's name and OFFICIAL-SENSITIVE on every page, "Page X of Y",
  tagged for screen readers (PDF/UA-1, language en-GB, a title).
- On finalisation ``peps.tasks.render_finalised_pep_pdf`` renders it once, archives it
  under ``settings.PEP_PDF_ROOT`` and records its SHA-256 on the PEP;
  ``pep_pdf_for_download(pep)`` then serves exactly that file (checked against the
  recorded hash). A PEP in progress gets a draft rendered on the fly, marked
  "DRAFT — not finalised" on every page, and never archived.
- Rendering fetches nothing from the network or the file system beyond the stylesheet
  (``peps/pdf.css``); fonts are system fonts found by fontconfig. Everything users wrote
  goes through Django's autoescaping, and ``LocalAssetsOnlyFetcher`` refuses any other URL
  that might still reach WeasyPrint.

Reading the PEP (``build_pep_html``) needs the authority context; turning the HTML into a
PDF (``html_to_pdf``) needs no database, so a background job can do it outside any
transaction.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format

from children import stages
from epep.exports import download_name, short_reference
from epep.tenancy import clock
from epep.tenancy.roles import Role

from . import scales
from .hooks import pdf_section_extras
from .models import Pep, PepSection, Status, Target, Transition
from .sections import sections_for

logger = logging.getLogger(__name__)

STYLESHEET = Path(__file__).resolve().with_name("pdf.css")
TEMPLATE = "peps/pdf/pep.html"
#: The only files rendering may read through a URL.
ALLOWED_ASSETS = frozenset({STYLESHEET})
#: WeasyPrint options: tagged PDF for screen readers (PDF/UA-1 turns on ``pdf_tags``).
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


class PdfNotReady(Exception):
    """The PEP is finalised but its archived PDF is still being prepared."""

    def __str__(self) -> str:
        return "The PDF of this PEP is being prepared. Try again in a minute."


class PdfIntegrityError(Exception):
    """The archived PDF is missing or no longer matches the SHA-256 recorded when the PEP
    was finalised."""


class FetchRefused(ValueError):
    """Rendering tried to fetch something other than its own assets."""


# --- Fetching: nothing but our own files -------------------------------------------------


def _weasyprint():
    # Imported on first use: WeasyPrint (Pango, fontconfig) is heavy to load.
    import weasyprint

    return weasyprint


def make_url_fetcher():
    """A WeasyPrint URL fetcher that serves the files in ``ALLOWED_ASSETS`` and refuses
    everything else (http, https, data, ftp, any other file) with ``FetchRefused``.
    WeasyPrint skips a refused resource and logs it; ``fetcher.refused`` lists them."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalAssetsOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(
                timeout=1, allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False
            )
            self.refused: list[str] = []

        def _refuse(self, url: str):
            self.refused.append(url)
            logger.warning("PDF rendering refused to fetch %r", url[:200])
            raise FetchRefused(f"PDF rendering may not fetch {url[:200]!r}")

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                self._refuse(url)
            try:
                path = Path(url2pathname(parts.path)).resolve(strict=True)
            except (OSError, ValueError):
                self._refuse(url)
            if path not in ALLOWED_ASSETS:
                self._refuse(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return LocalAssetsOnlyFetcher()


# --- Formatting ---------------------------------------------------------------------------


def format_pence(pence: int | None) -> str:
    """12345 → "£123.45", 123456789 → "£1,234,567.89". Decimal, never float."""
    if pence is None:
        return ""
    return f"£{Decimal(int(pence)).scaleb(-2):,.2f}"


def _date(day) -> str:
    return date_format(day, "j F Y") if day else ""


def _when(moment) -> str:
    if not moment:
        return ""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'j F Y')}, {date_format(local, 'g:i')}" + (
        "am" if local.hour < 12 else "pm"
    )


def _role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return role


def _year_group_label(year: int | None) -> str:
    if year is None:
        return ""
    try:
        return stages.year_group_label(year)
    except ValueError:
        return f"NC year {year}"


def _value(field, raw) -> str:
    value = str(raw or "").strip()
    if value and field.kind == "choice":
        return dict(field.choices).get(value, value)
    return value


def pep_title(pep: Pep) -> str:
    return f"{pep.get_kind_display()}, {pep.get_term_display()} term {pep.academic_year}"


# --- Building the document ----------------------------------------------------------------


def pep_context(pep: Pep, *, draft: bool) -> dict:
    """Everything the template shows, as plain values (all database reads happen here)."""
    pep = Pep.objects.select_related(
        "child", "school", "local_authority", "created_by", "previous"
    ).get(pk=pep.pk)
    child, authority = pep.child, pep.local_authority
    child_name = f"{child.legal_first_name} {child.legal_last_name}"

    rows = list(PepSection.objects.filter(pep=pep))
    stored = {s.key: s.data for s in rows}
    not_obtained = {s.key: s.not_obtained_reason for s in rows if s.not_obtained_reason}
    sections = [
        {
            "key": section.key,
            "title": section.title,
            "description": section.description,
            "not_obtained": not_obtained.get(section.key, ""),
            "fields": [
                {"label": f.label, "value": _value(f, stored.get(section.key, {}).get(f.name))}
                for f in section.fields
            ],
            # What the apps above add (``peps.hooks``: My Voice's shared answers).
            "extras": pdf_section_extras(section.key, pep),
        }
        for section in sections_for(pep.variant)
    ]

    key_stage = pep.key_stage
    previous_values = {}
    if pep.previous_id:
        previous_values = {row.subject: row.current for row in pep.previous.attainment.all()}
    attainment = {
        "key_stage": key_stage,
        "has_previous": bool(pep.previous_id),
        "rows": [
            {
                "subject": row.subject,
                "baseline": scales.label(key_stage, row.baseline),
                "previous": scales.label(
                    pep.previous.key_stage if pep.previous_id else key_stage,
                    previous_values.get(row.subject, ""),
                ),
                "current": scales.label(key_stage, row.current),
                "target": scales.label(key_stage, row.target),
            }
            for row in pep.attainment.all()
        ],
    }

    previous_targets = [
        {
            "description": t.description,
            "due_date": _date(t.due_date),
            "outcome": t.get_outcome_display() if t.outcome else "",
            "comment": t.outcome_comment,
        }
        for t in (
            Target.objects.filter(pep_id=pep.previous_id).order_by("due_date", "created_at")
            if pep.previous_id
            else []
        )
    ]
    targets = list(pep.targets.order_by("due_date", "created_at"))
    total = sum(t.ppplus_cost_pence or 0 for t in targets)

    transitions = [
        {
            "label": t.get_to_status_display(),
            "by": f"{t.by.full_name or t.by.email} ({_role_label(t.role)})",
            "at": _when(t.at),
            "reason": t.reason,
        }
        for t in Transition.objects.filter(pep=pep).select_related("by").order_by("at", "id")
    ]

    sen = child.get_sen_status_display()
    if child.ehcp_review_date:
        sen += f" (EHCP review {_date(child.ehcp_review_date)})"
    details = [
        ("Name", child_name),
        *([("Known as", child.preferred_name)] if child.preferred_name else []),
        ("Date of birth", _date(child.date_of_birth)),
        ("UPN", child.upn),
        ("Year group", _year_group_label(pep.year_group)),
        ("Key stage", pep.key_stage),
        ("Form of PEP", pep.get_variant_display()),
        ("School", str(pep.school) if pep.school else ""),
        ("Local authority", authority.name),
        ("Virtual School", authority.virtual_school_name),
        ("SEN status", sen),
        ("PEP", pep.get_kind_display()),
        ("Term", f"{pep.get_term_display()} term {pep.academic_year}"),
        ("Meeting date", _date(pep.meeting_date)),
        ("Status", pep.get_status_display()),
    ]
    if pep.finalised_at:
        details.append(("Finalised", _when(pep.finalised_at)))

    now = clock.now()
    return {
        "draft": draft,
        "title": f"Personal Education Plan: {child_name}, {pep_title(pep)}"
        + (" (DRAFT)" if draft else ""),
        "child_name": child_name,
        "pep_title": pep_title(pep),
        "authority_line": authority.virtual_school_name,
        "status_label": pep.get_status_display(),
        # The PDF's creation date: the finalisation for the archived record.
        "created_iso": timezone.localtime(now if draft else (pep.finalised_at or now))
        .replace(microsecond=0)
        .isoformat(),
        "details": details,
        "sections": sections,
        "attainment": attainment,
        "has_previous": bool(pep.previous_id),
        "previous_title": pep_title(pep.previous) if pep.previous_id else "",
        "previous_targets": previous_targets,
        "targets": [
            {
                "description": t.description,
                "success_measure": t.success_measure,
                "responsible": t.responsible,
                "due_date": _date(t.due_date),
                "strategy": t.strategy,
                "expected_outcome": t.expected_outcome,
                "cost": format_pence(t.ppplus_cost_pence),
            }
            for t in targets
        ],
        "targets_total": format_pence(total),
        "actions": [
            {"description": a.description, "owner": a.owner, "due_date": _date(a.due_date)}
            for a in pep.actions.order_by("due_date", "created_at")
        ],
        "started": {
            "by": f"{pep.created_by.full_name or pep.created_by.email}",
            "at": _when(pep.created_at),
        },
        "transitions": transitions,
        "generated_at": _when(now),
        "finalised_at": _when(pep.finalised_at),
    }


def build_pep_html(pep: Pep, *, draft: bool | None = None) -> str:
    """The PEP as an HTML document for printing. Needs the authority context."""
    if draft is None:
        draft = pep.status != Status.FINALISED
    return render_to_string(TEMPLATE, pep_context(pep, draft=draft))


@cache
def _stylesheet():
    weasyprint = _weasyprint()
    return weasyprint.CSS(filename=str(STYLESHEET), url_fetcher=make_url_fetcher())


def html_to_pdf(html: str, *, url_fetcher=None) -> bytes:
    """Turn the HTML into a tagged PDF. No database; fetches only ``ALLOWED_ASSETS``."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(
        string=html,
        # Relative URLs resolve next to the stylesheet, where the fetcher still refuses
        # anything but the allowed files.
        base_url=STYLESHEET.parent.as_uri() + "/",
        url_fetcher=url_fetcher or make_url_fetcher(),
    )
    return document.write_pdf(stylesheets=[_stylesheet()], **PDF_OPTIONS)


def render_pep_pdf(pep: Pep, *, draft: bool | None = None) -> bytes:
    """The PEP as PDF bytes. A PEP that is not finalised is marked as a draft on every
    page unless ``draft`` says otherwise. Needs the authority context."""
    return html_to_pdf(build_pep_html(pep, draft=draft))


# --- The archive --------------------------------------------------------------------------


def pdf_root() -> Path:
    return Path(settings.PEP_PDF_ROOT)


def archive_relative_path(pep: Pep) -> str:
    return f"{int(pep.local_authority_id)}/{pep.public_id}.pdf"


def archive_absolute_path(relative: str) -> Path:
    """The archived file for a recorded relative path, refusing anything that would
    leave ``PEP_PDF_ROOT``."""
    root = pdf_root().resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or path == root:
        raise PdfIntegrityError(f"The recorded PDF path {relative!r} is outside the archive.")
    return path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download_filename(pep: Pep, *, draft: bool) -> str:
    """Named after the PEP's reference (its public id's short form), term and year, never
    the child: "PEP-3f9a1c2e-spring-2026-27.pdf"."""
    parts = ["PEP", short_reference(pep.public_id), pep.term, pep.academic_year]
    return download_name(*parts, *(["DRAFT"] if draft else []), extension="pdf")


def pep_pdf_for_download(pep: Pep) -> tuple[bytes, str]:
    """The PDF a person downloads, and its file name. Needs the authority context.

    - Finalised: the file archived at finalisation, byte for byte, after checking it
      against the recorded SHA-256 (``PdfIntegrityError`` if missing or changed);
      ``PdfNotReady`` while the background job has not archived it yet.
    - In progress: a draft rendered now, marked "DRAFT — not finalised" on every page,
      never archived.
    """
    if pep.status != Status.FINALISED:
        return render_pep_pdf(pep, draft=True), download_filename(pep, draft=True)
    recorded = Pep.objects.filter(pk=pep.pk).values("pdf_path", "pdf_sha256").get()
    if not recorded["pdf_sha256"] or not recorded["pdf_path"]:
        raise PdfNotReady()
    path = archive_absolute_path(recorded["pdf_path"])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        logger.error("Archived PDF missing for PEP %s at %s", pep.public_id, path)
        raise PdfIntegrityError("The archived PDF of this PEP is missing.") from None
    if sha256(data) != recorded["pdf_sha256"]:
        logger.error("Archived PDF of PEP %s does not match its recorded SHA-256", pep.public_id)
        raise PdfIntegrityError(
            "The archived PDF of this PEP does not match the one recorded at finalisation."
        )
    return data, download_filename(pep, draft=False)
