"""The PEP as a PDF: content on every page, tagged for screen readers, archived once at
finalisation with its SHA-256, served unchanged, drafts marked, nothing fetched."""

import hashlib
import io
import re
import socket
import urllib.request
from datetime import date, timedelta
from unittest import mock

import pytest
import weasyprint
from pypdf import PdfReader

from epep.tenancy import clock
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps import pdf, scales, services
from peps.models import Pep, Status
from peps.sections import SECTIONS
from peps.tasks import NotFinalised, queue_missing_pep_pdfs, render_finalised_pep_pdf

from .conftest import acting
from .test_cycle import TARGET, fill, finalise, move, next_term, start

pytestmark = pytest.mark.django_db

INJECTION = (
    '<img src="http://example.org/x.png"> and '
    '<link rel="stylesheet" href="file:///etc/passwd"> '
    '<style>@import url("https://example.org/evil.css");</style>'
)
LONG = (
    "She has settled well into her new class and works hard in lessons, especially when "
    "the task is broken into small steps and she knows what is coming next. "
) * 6
TARGETS = [
    {**TARGET, "description": "Read a book of 100 pages independently", "ppplus_cost_pence": 45000},
    {
        **TARGET,
        "description": "Know the times tables to 12 x 12 by heart",
        "strategy": "Times Tables Rock Stars three times a week, with a weekly check-in",
        "ppplus_cost_pence": 123456,
    },
    {
        **TARGET,
        "description": "Attend the homework club every Wednesday",
        "responsible": "Mr Okafor (homework club lead) and the foster carer",
        "ppplus_cost_pence": None,
    },
    {**TARGET, "description": "Join one after-school club of her choice", "ppplus_cost_pence": 99},
]


#: A line that ends in a hyphen straight after a letter, and goes on with one: where
#: "after-school" wrapped inside a table cell.
WRAPPED_AT_HYPHEN = re.compile(r"(?<=\w-)\n(?=\w)")


def pdf_text(data: bytes) -> list[str]:
    """Each page's text as a single line, as it reads: table cells wrap lines wherever
    the column ends (which moves with what the other columns hold), so lines are joined
    with a space, or with nothing after a hyphen where a word wrapped."""
    return [
        " ".join(WRAPPED_AT_HYPHEN.sub("", page.extract_text()).split())
        for page in PdfReader(io.BytesIO(data)).pages
    ]


def la_context(world):
    return authority_context(local_authority_ids=[world.a.la.pk])


def fresh(pep):
    with authority_context(local_authority_ids=[pep.local_authority_id]):
        return Pep.objects.select_related("child").get(pk=pep.pk)


def rich_pep(world, *, finalised=True):
    """A second PEP (with a previous one to compare against), every section written at
    length, attainment, four targets, actions: several pages."""
    first = start(world)
    fill(world, first)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        scale = [value for value, _ in scales.scale_for(first.key_stage)]
        services.attainment_save(
            actor=dt,
            pep=first,
            rows=[
                {"subject": row.subject, "baseline": scale[-1], "current": scale[-2]}
                for row in first.attainment.all()
            ],
        )
    with mock.patch.object(render_finalised_pep_pdf, "delay"):
        finalise(world, first)

    pep = start(world, **next_term(first))
    for section in SECTIONS:
        role = {
            "carer_views": Role.CARER,
            "social_worker_views": Role.SOCIAL_WORKER,
        }.get(section.key, Role.DESIGNATED_TEACHER)
        data = {}
        for field in section.fields:
            if field.kind == "number":
                data[field.name] = "93.5" if "percent" in field.name else "7"
            elif field.kind == "choice":
                data[field.name] = field.choices[0][0]
            else:
                data[field.name] = f"{field.label}: {LONG}"
        if section.key == "achievements":
            data["text"] = f"Star of the week. {INJECTION}"
        with acting(world.a.users[role]) as actor:
            current = pep.sections.get(key=section.key)
            services.pep_section_save(
                actor=actor, pep=pep, key=section.key, data=data, base_version=current.version
            )
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        scale = [value for value, _ in scales.scale_for(pep.key_stage)]
        rows = [
            {"subject": row.subject, "baseline": scale[-1], "current": scale[1], "target": scale[0]}
            for row in pep.attainment.all()
        ]
        services.attainment_save(actor=dt, pep=pep, rows=rows)
        for old in services.Target.objects.filter(pep=first):
            services.target_review(
                actor=dt, pep=pep, target=old, outcome="partly", comment="Nearly there"
            )
        for fields in TARGETS:
            due = clock.today() + timedelta(days=60)
            services.target_save(actor=dt, pep=pep, fields={**fields, "due_date": due})
        services.action_add(
            actor=dt,
            pep=pep,
            description="Apply for the PP+ funding for the reading tutor",
            owner="Designated teacher",
            due_date=clock.today() + timedelta(days=14),
        )
    if finalised:
        with mock.patch.object(render_finalised_pep_pdf, "delay"):
            finalise(world, pep)
    return fresh(pep)


@pytest.fixture
def archive(settings, tmp_path):
    settings.PEP_PDF_ROOT = str(tmp_path / "pep-pdfs")
    return tmp_path / "pep-pdfs"


# --- What the PDF shows -------------------------------------------------------------------


def test_text_that_wraps_inside_a_table_cell_is_found_whole():
    html = (
        '<table style="width: 30mm; table-layout: fixed"><tr>'
        "<td>Join one after-school club of her choice</td><td>£0.99</td></tr></table>"
    )
    raw = PdfReader(io.BytesIO(weasyprint.HTML(string=html).write_pdf())).pages[0].extract_text()
    assert "after-school" not in raw  # it did wrap there
    assert pdf_text(weasyprint.HTML(string=html).write_pdf()) == [
        "Join one after-school club of her choice £0.99"
    ]


def test_the_pdf_shows_every_part_of_the_pep_with_markings_on_every_page(world, clock_at):
    # 2 December 2026: the date on which the description of a target first wrapped at
    # its hyphen ("after-" / "school") in the PDF; the text must be found whatever the day.
    clock_at(date(2026, 12, 2))
    pep = rich_pep(world)
    with la_context(world):
        data = pdf.render_pep_pdf(pep)
    pages = pdf_text(data)
    text = " ".join(pages)
    assert len(pages) >= 2
    child = world.a.child
    name = f"{child.legal_first_name} {child.legal_last_name}"
    for number, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page, number
        assert name in page, number
        assert f"Page {number} of {len(pages)}" in page
        assert "DRAFT" not in page
    for section in SECTIONS:
        assert section.title in text
    for heading in (
        "Attainment",
        "Last term's targets and how they went",
        "This term's SMART targets",
        "Actions",
        "History of this PEP",
    ):
        assert heading in text
    for target in TARGETS:
        assert target["description"] in text
    assert "£450.00" in text and "£1,234.56" in text and "£0.99" in text
    assert "£1,685.55" in text  # the total
    assert "Partly achieved" in text and "Nearly there" in text  # last term's targets
    # Attainment: baseline, last term's value beside this term's, target.
    labels = [label for _, label in scales.scale_for(pep.key_stage)]
    with la_context(world):
        subject = pep.attainment.first().subject
    assert f"{subject} {labels[-1]} {labels[-2]} {labels[1]} {labels[0]}" in text
    assert "Apply for the PP+ funding for the reading tutor" in text
    assert child.upn in text
    assert "Finalised" in text and "Virtual School officer" in text  # the history
    # What people wrote is printed as text, never interpreted as HTML.
    assert '<img src="http://example.org/x.png">' in text
    assert '<link rel="stylesheet" href="file:///etc/passwd">' in text


def test_the_pdf_is_tagged_for_screen_readers_in_british_english(world):
    pep = start(world)
    fill(world, pep)
    with la_context(world):
        data = pdf.render_pep_pdf(pep)
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert root["/Lang"] == "en-GB"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True
    assert world.a.child.legal_last_name in reader.metadata.title
    assert reader.pdf_header == "%PDF-1.7"

    kinds = set()

    def walk(element, depth=0):
        element = element.get_object()
        if "/S" in element:
            kinds.add(element["/S"])
        kids = element.get("/K")
        if depth < 30 and kids is not None:
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                    walk(kid, depth + 1)

    walk(root["/StructTreeRoot"])
    assert {"/Document", "/Sect", "/H1", "/H2", "/H3", "/P", "/Table", "/TH", "/TD"} <= kinds


def test_pp_plus_costs_are_formatted_from_pence_exactly():
    assert pdf.format_pence(123456) == "£1,234.56"
    assert pdf.format_pence(123456789) == "£1,234,567.89"
    assert pdf.format_pence(5) == "£0.05"
    assert pdf.format_pence(0) == "£0.00"
    assert pdf.format_pence(None) == ""


# --- Fetching nothing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/x.png",
        "https://example.org/evil.css",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://otherhost/share/x.css",
        "data:text/css,body{}",
        "ftp://example.org/x",
        # the stylesheet's own folder, but not the stylesheet
        pdf.STYLESHEET.parent.as_uri() + "/models.py",
        pdf.STYLESHEET.as_uri() + "/../../epep/settings/base.py",
    ],
)
def test_the_url_fetcher_refuses_everything_but_its_own_stylesheet(url):
    fetcher = pdf.make_url_fetcher()
    with pytest.raises(pdf.FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_url_fetcher_serves_its_own_stylesheet():
    response = pdf.make_url_fetcher().fetch(pdf.STYLESHEET.as_uri())
    assert response.content_type == "text/css"
    assert b"OFFICIAL-SENSITIVE" in response.read()


def test_rendering_never_touches_the_network_or_other_files(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("rendering tried to open a connection or a URL")

    monkeypatch.setattr(socket.socket, "connect", forbidden)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", forbidden)
    fetcher = pdf.make_url_fetcher()
    html = (
        '<!DOCTYPE html><html lang="en-GB"><head><title>t</title>'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="https://example.org/evil.css">'
        '<style>@import url("http://example.org/i.css");'
        ' body { background: url("file:///etc/shadow"); }</style></head>'
        '<body><p>x</p><img src="http://example.org/x.png" alt="x">'
        '<img src="relative.png" alt="y"></body></html>'
    )
    data = pdf.html_to_pdf(html, url_fetcher=fetcher)
    assert data.startswith(b"%PDF")
    assert set(fetcher.refused) >= {
        "file:///etc/passwd",
        "https://example.org/evil.css",
        "http://example.org/i.css",
        "file:///etc/shadow",
        "http://example.org/x.png",
        pdf.STYLESHEET.parent.as_uri() + "/relative.png",
    }


def test_a_real_pep_fetches_nothing_at_all(world, monkeypatch):
    pep = start(world)
    fill(world, pep)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        section = pep.sections.get(key="achievements")
        services.pep_section_save(
            actor=dt,
            pep=pep,
            key="achievements",
            data={"text": INJECTION},
            base_version=section.version,
        )
    fetchers = []
    make = pdf.make_url_fetcher

    def tracking_fetcher():
        fetcher = make()
        original = fetcher.fetch
        fetcher.calls = []

        def fetch(url, headers=None):
            fetcher.calls.append(url)
            return original(url, headers)

        fetcher.fetch = fetch
        fetchers.append(fetcher)
        return fetcher

    monkeypatch.setattr(pdf, "make_url_fetcher", tracking_fetcher)
    with la_context(world):
        pdf.render_pep_pdf(pep)
    assert fetchers and all(f.calls == [] for f in fetchers)


# --- Archived once at finalisation --------------------------------------------------------


def test_finalising_queues_the_archive_job_after_commit(world, django_capture_on_commit_callbacks):
    pep = start(world)
    fill(world, pep)
    with mock.patch.object(render_finalised_pep_pdf, "delay") as delay:
        pep = move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=clock.today())
        pep = move(world, pep, Role.DESIGNATED_TEACHER, "submitted")
        pep = move(world, pep, Role.VS_OFFICER, "approved")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            pep = move(world, pep, Role.VS_OFFICER, "finalised")
        delay.assert_not_called()  # not before the commit
        assert len(callbacks) == 1
        callbacks[0]()
    delay.assert_called_once_with(pep.pk, world.a.la.pk)


def test_earlier_moves_queue_nothing(world, django_capture_on_commit_callbacks):
    pep = start(world)
    fill(world, pep)
    with mock.patch.object(render_finalised_pep_pdf, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            pep = move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=clock.today())
            pep = move(world, pep, Role.DESIGNATED_TEACHER, "submitted")
            move(world, pep, Role.VS_OFFICER, "approved")
    delay.assert_not_called()


def test_the_job_archives_once_and_the_hash_is_stable(world, archive):
    pep = start(world)
    fill(world, pep)
    with mock.patch.object(render_finalised_pep_pdf, "delay"):
        pep = finalise(world, pep)
    assert render_finalised_pep_pdf.run(pep.pk, world.a.la.pk) == "archived"
    pep = fresh(pep)
    assert pep.pdf_path == f"{world.a.la.pk}/{pep.public_id}.pdf"
    path = archive / pep.pdf_path
    first_bytes = path.read_bytes()
    assert hashlib.sha256(first_bytes).hexdigest() == pep.pdf_sha256
    first_stat = path.stat()
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left

    assert render_finalised_pep_pdf.run(pep.pk, world.a.la.pk) == "already archived"
    again = fresh(pep)
    assert (again.pdf_path, again.pdf_sha256) == (pep.pdf_path, pep.pdf_sha256)
    assert path.read_bytes() == first_bytes
    assert path.stat().st_mtime_ns == first_stat.st_mtime_ns

    with la_context(world):
        data, filename = pdf.pep_pdf_for_download(again)
    assert data == first_bytes
    assert filename.endswith(".pdf") and "DRAFT" not in filename
    with la_context(world):
        from epep.audit.models import AuditEvent

        assert (
            AuditEvent.objects.filter(
                action="archive_pdf", object_id=str(pep.public_id), detail__sha256=pep.pdf_sha256
            ).count()
            == 1
        )


def test_a_run_that_loses_the_race_leaves_the_winners_file_alone(world, archive, monkeypatch):
    pep = start(world)
    fill(world, pep)
    with mock.patch.object(render_finalised_pep_pdf, "delay"):
        pep = finalise(world, pep)
    real = pdf.html_to_pdf

    def slow_render(html, **kwargs):
        # Another run archives while this one renders.
        monkeypatch.setattr(pdf, "html_to_pdf", real)
        assert render_finalised_pep_pdf.run(pep.pk, world.a.la.pk) == "archived"
        return b"%PDF-1.7 a different rendering"

    monkeypatch.setattr(pdf, "html_to_pdf", slow_render)
    assert render_finalised_pep_pdf.run(pep.pk, world.a.la.pk) == "already archived"
    pep = fresh(pep)
    files = list((archive / str(world.a.la.pk)).iterdir())
    assert len(files) == 1
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == pep.pdf_sha256


def test_the_job_archives_only_finalised_peps(world, archive):
    pep = start(world)
    with pytest.raises(NotFinalised):
        render_finalised_pep_pdf.run(pep.pk, world.a.la.pk)
    assert not archive.exists()


def test_the_job_sees_only_the_authority_it_was_given(world, archive):
    pep = start(world)
    fill(world, pep)
    with mock.patch.object(render_finalised_pep_pdf, "delay"):
        pep = finalise(world, pep)
    with pytest.raises(Pep.DoesNotExist):
        render_finalised_pep_pdf.run(pep.pk, world.b.la.pk)
    assert fresh(pep).pdf_sha256 == ""


def test_the_job_has_time_limits_and_retries():
    task = render_finalised_pep_pdf
    assert task.name == "peps.tasks.render_finalised_pep_pdf"
    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)
    assert (task.soft_time_limit, task.time_limit) == (90, 120)
    assert task.max_retries == 5 and task.autoretry_for == (Exception,)
    assert task.retry_backoff


def test_the_sweep_queues_finalised_peps_still_without_a_pdf(world, archive):
    pep = start(world)
    fill(world, pep)
    with mock.patch.object(render_finalised_pep_pdf, "delay"):
        pep = finalise(world, pep)
    with mock.patch.object(render_finalised_pep_pdf, "delay") as delay:
        assert queue_missing_pep_pdfs(older_than_minutes=0) == 1
    delay.assert_called_once_with(pep.pk, world.a.la.pk)
    render_finalised_pep_pdf.run(pep.pk, world.a.la.pk)
    with mock.patch.object(render_finalised_pep_pdf, "delay") as delay:
        assert queue_missing_pep_pdfs(older_than_minutes=0) == 0


# --- Downloads ----------------------------------------------------------------------------


def test_a_finalised_pep_without_its_archive_yet_is_being_prepared(world, archive):
    pep = start(world)
    fill(world, pep)
    with mock.patch.object(render_finalised_pep_pdf, "delay"):
        pep = finalise(world, pep)
    with la_context(world), pytest.raises(pdf.PdfNotReady):
        pdf.pep_pdf_for_download(pep)


def test_a_changed_or_missing_archive_is_refused(world, archive):
    pep = start(world)
    fill(world, pep)
    with mock.patch.object(render_finalised_pep_pdf, "delay"):
        pep = finalise(world, pep)
    render_finalised_pep_pdf.run(pep.pk, world.a.la.pk)
    pep = fresh(pep)
    path = archive / pep.pdf_path
    path.chmod(0o640)
    path.write_bytes(path.read_bytes() + b"%tampered")
    with la_context(world), pytest.raises(pdf.PdfIntegrityError, match="does not match"):
        pdf.pep_pdf_for_download(pep)
    path.unlink()
    with la_context(world), pytest.raises(pdf.PdfIntegrityError, match="missing"):
        pdf.pep_pdf_for_download(pep)


def test_a_recorded_path_cannot_leave_the_archive(world, archive):
    with pytest.raises(pdf.PdfIntegrityError, match="outside"):
        pdf.archive_absolute_path("../../etc/passwd")


def test_a_pep_in_progress_downloads_as_a_draft_marked_on_every_page(world, archive):
    pep = rich_pep(world, finalised=False)
    with la_context(world):
        data, filename = pdf.pep_pdf_for_download(pep)
    pages = pdf_text(data)
    assert len(pages) >= 2
    for page in pages:
        assert "DRAFT — not finalised" in page
        assert "OFFICIAL-SENSITIVE" in page
    text = " ".join(pages)
    for target in TARGETS:  # whatever today's date does to the columns
        assert target["description"] in text
    assert filename.endswith("-DRAFT.pdf")
    assert fresh(pep).pdf_sha256 == "" and not archive.exists()
    assert fresh(pep).status == Status.DRAFT
