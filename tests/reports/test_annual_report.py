"""The annual report pack (issue 14 point 6): the Virtual School Head's commentary per
section (saved under an optimistic lock, audited, the Head only), the annual report PDF for
the governing body (cover, contents, a chapter per section with its tables and commentary,
small numbers suppressed, OFFICIAL-SENSITIVE on every page, tagged) and the Ofsted
evidence pack (every figure, its definition, its value and the day it was counted on)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from epep.audit.models import AuditEvent
from epep.tenancy.actor import acting_as
from epep.tenancy.roles import Role
from reports import pdf
from reports.models import ReportCommentary
from reports.selectors.commentary import commentaries_for
from reports.services import StaleCommentary, commentary_save
from tests.reports.outcomes_world import DAY, child_with_pep

pytestmark = pytest.mark.django_db


def _save(world, *, text="Attendance improved.", base_version=0, section="outcomes", who="a"):
    authority = getattr(world, who)
    with acting_as(authority.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        return commentary_save(
            actor=actor, academic_year=2026, section=section, text=text, base_version=base_version
        )


def test_the_head_writes_then_changes_a_commentary(world, clock_at):
    clock_at(DAY)
    first = _save(world, text="  Attendance improved.  ")
    assert (first.text, first.version, first.local_authority_id) == (
        "Attendance improved.",
        1,
        world.a.la.pk,
    )
    second = _save(world, text="Attendance improved by 3 points.", base_version=1)
    assert (second.pk, second.version) == (first.pk, 2)
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        saved = commentaries_for(actor=actor, academic_year=2026)
        events = AuditEvent.objects.filter(object_id=str(first.public_id), action="update")
        assert events.count() == 2
    assert saved["outcomes"].text == "Attendance improved by 3 points."
    assert saved["outcomes"].updated_by == world.a.users[Role.VS_HEAD]


def test_a_save_from_an_older_version_is_refused_and_changes_nothing(world, clock_at):
    clock_at(DAY)
    _save(world, text="Theirs.")
    with pytest.raises(StaleCommentary) as refused:
        _save(world, text="Mine.", base_version=0)
    assert refused.value.current.text == "Theirs."
    assert refused.value.message_dict["text"] == [
        "Virtual School Head 886 changed this commentary on 10 December 2026 at 12:00, after "
        "you opened it. Your text was not saved: read theirs, then save again."
    ]
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        assert commentaries_for(actor=actor, academic_year=2026)["outcomes"].text == "Theirs."


@pytest.mark.parametrize("role", [Role.VS_OFFICER, Role.LA_ADMIN, Role.SOCIAL_WORKER])
def test_only_the_head_may_write_the_commentary(world, clock_at, role):
    clock_at(DAY)
    with acting_as(world.a.users[role], role) as actor:
        with pytest.raises(PermissionDenied):
            commentary_save(
                actor=actor, academic_year=2026, section="outcomes", text="x", base_version=0
            )


def test_an_unknown_section_and_a_text_too_long_are_refused(world, clock_at):
    clock_at(DAY)
    with pytest.raises(ValidationError) as unknown:
        _save(world, section="cohort")
    assert unknown.value.message_dict == {
        "section": ["There is no such section of the annual report."]
    }
    with pytest.raises(ValidationError) as long:
        _save(world, text="x" * 5001)
    assert long.value.message_dict == {
        "text": ["Keep the commentary to 5,000 characters or fewer."]
    }


def test_each_authority_reads_only_its_own_commentary(world, clock_at):
    clock_at(DAY)
    _save(world, text="Kent's words.")
    _save(world, text="Sefton's words.", who="b")
    with acting_as(world.b.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        assert (
            commentaries_for(actor=actor, academic_year=2026)["outcomes"].text == "Sefton's words."
        )
        assert ReportCommentary.objects.count() == 1


@pytest.fixture
def year_with_figures(world, clock_at):
    """Kent: six children with autumn PEPs (two persistently absent: suppressed), one
    commentary; Sefton: a child at 12 % (never in Kent's report)."""
    clock_at(DAY)
    for attendance in ("95", "97", "85", "99", "80", "93"):
        child_with_pep(world.a, school=world.school_a, education={"attendance_percent": attendance})
    child_with_pep(world.b, school=world.shared_school, education={"attendance_percent": "12"})
    _save(world, text="Attendance rose this year; persistent absence fell.")
    return world


def _render(world, render):
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        filters = pdf.annual_filter(authority=world.a.la, academic_year=2026)
        return render(actor=actor, filters=filters)


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_annual_report_has_a_cover_contents_and_a_chapter_per_section(year_with_figures):
    world = year_with_figures
    html = _render(world, pdf.annual_report_html)
    assert "Annual report of the Virtual School Head" in html
    assert "Academic year 2026/27" in html
    for title in ("The cohort and PEP compliance", "PEP quality", "Pupil premium plus", "Outcomes"):
        assert f">{title}</a>" in html or title not in pdf.COMMENTARY_SECTIONS.values()
    assert "Attendance rose this year; persistent absence fell." in html
    assert "Figures counted on 10 December 2026" in html
    # Attendance: 6 children recorded; 2 persistently absent is fewer than 5: hidden.
    assert '<td class="number">6</td>' in html
    assert "fewer than 5" in html
    assert "Numbers of fewer than 5 children" in html


def test_the_annual_report_pdf_is_tagged_and_marked_on_every_page(year_with_figures):
    data = _render(year_with_figures, pdf.annual_report_pdf)
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert root["/Lang"] == "en-GB"
    assert "annual report 2026/27" in reader.metadata.title
    pages = _pages(data)
    assert len(pages) >= 4
    for text in pages:
        assert text.count("OFFICIAL-SENSITIVE") >= 2, text[:200]
        assert f"of {len(pages)}" in text
    assert "Attendance rose this year" in "".join(pages)


def test_the_evidence_pack_lists_every_figure_with_its_definition_and_date(year_with_figures):
    html = _render(year_with_figures, pdf.evidence_pack_html)
    assert "Evidence pack: the figures of the annual report 2026/27" in html
    assert "Autumn term: Children with attendance recorded" in html
    assert "Persistent absence: attendance under 90 %" in html
    assert '<time datetime="2026-12-10">10 December 2026</time>' in html
    data = _render(year_with_figures, pdf.evidence_pack_pdf)
    for text in _pages(data):
        assert text.count("OFFICIAL-SENSITIVE") >= 2


def test_another_authoritys_children_never_enter_the_report(year_with_figures):
    html = _render(year_with_figures, pdf.annual_report_html)
    # Sefton's child at 12 % would be a severe absence: Kent has none.
    severe = html.split("Severe absence")[1]
    assert '<td class="number">0 of 6 (0%)</td>' in severe


def test_the_file_is_named_by_the_authority_and_year(world, clock_at):
    clock_at(DAY)
    filters = pdf.annual_filter(authority=world.a.la, academic_year=2026)
    assert pdf.annual_filename("annual-report", filters, code="886") == (
        "annual-report-886-2026-27-2026-12-10.pdf"
    )


# --- The pages ------------------------------------------------------------------------------

BASE = "/virtual-school/reports/annual/"


@pytest.fixture
def head(client, world, clock_at):
    clock_at(DAY)
    client.force_login(world.a.users[Role.VS_HEAD])
    return client


def test_the_annual_page_lists_the_commentary_and_the_downloads(head, world):
    _save(world, text="Outcomes improved.")
    response = head.get(BASE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Annual report – ePEP</title>" in html
    assert "Annual report 2026/27" in html and "Outcomes improved." in html
    assert f"{BASE}2026/report.pdf" in html and f"{BASE}2026/evidence.pdf" in html
    assert f"{BASE}2026/commentary/outcomes/" in html


def test_a_bad_year_is_named_beside_the_field(head):
    response = head.get(BASE, {"year": "1999"})
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("Enter an academic year like 2026/27, from 2000/01 to this year.") == 2
    assert head.get(f"{BASE}2099/report.pdf").status_code == 404


def test_the_head_saves_a_commentary_and_a_stale_save_changes_nothing(head, world):
    url = f"{BASE}2026/commentary/quality/"
    form = head.get(url)
    assert form.status_code == 200
    assert "<title>Commentary: PEP quality – ePEP</title>" in form.content.decode()
    saved = head.post(url, {"text": "Quality rose.", "version": "0"})
    assert saved.status_code == 302 and saved["Location"] == f"{BASE}?year=2026"
    stale = head.post(url, {"text": "Mine.", "version": "0"})
    html = stale.content.decode()
    assert stale.status_code == 400
    assert "<title>Error: Commentary: PEP quality – ePEP</title>" in html
    assert html.count("changed this commentary on 10 December 2026 at 12:00") == 2
    assert 'data-testid="theirs"' in html and "Quality rose." in html
    assert ">Mine.</textarea>" in html and 'name="version" value="1"' in html
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        assert commentaries_for(actor=actor, academic_year=2026)["quality"].text == "Quality rose."
    assert head.post(url, {"text": "Mine.", "version": "1"}).status_code == 302


def test_an_officer_reads_but_cannot_change_the_commentary(client, world, clock_at):
    clock_at(DAY)
    client.force_login(world.a.users[Role.VS_OFFICER])
    html = client.get(BASE).content.decode()
    assert "Only the Virtual School Head can change the commentary." in html
    assert "/commentary/" not in html
    url = f"{BASE}2026/commentary/quality/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "x", "version": "0"}).status_code == 404


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.CARER])
def test_people_outside_the_virtual_school_get_404(client, world, clock_at, role):
    clock_at(DAY)
    client.force_login(world.a.users[role])
    assert client.get(BASE).status_code == 404
    assert client.get(f"{BASE}2026/report.pdf").status_code == 404


def test_the_pdf_downloads_are_named_and_audited(head, world):
    response = head.get(f"{BASE}2026/evidence.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="ofsted-evidence-886-2026-27-2026-12-10.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD):
        assert AuditEvent.objects.filter(
            object_type="reports.annual", action="export_report"
        ).exists()
