"""Documents on a child's record or PEP: PDF, Word and images only, checked from the
content, a size limit, stored outside the web root (0600, random names), opened only
through the access rules; a refused upload changes nothing."""

from __future__ import annotations

import html
import io
import os
import struct
import uuid
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from PIL import Image

from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.roles import Role
from peps import attachments, services
from peps.models import Attachment, Pep
from peps.services import documents as document_services

from .conftest import acting

pytestmark = pytest.mark.django_db

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


# --- Sample files -------------------------------------------------------------------------


def image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (29, 112, 184)).save(out, fmt)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx(*, main: str = WORD_MAIN, vba: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if vba:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    return out.getvalue()


def compound_file(*entries: tuple[str, int]) -> bytes:
    """A minimal OLE2 compound file whose directory holds ``entries`` (name, type)."""
    header = bytearray(512)
    header[:8] = attachments.OLE_MAGIC
    struct.pack_into("<H", header, 0x1E, 9)  # 512-byte sectors
    directory = bytearray()
    for name, kind in [("Root Entry", 5), *entries]:
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(encoded)] = encoded
        struct.pack_into("<HB", entry, 64, len(encoded), kind)
        directory += entry
    directory += bytes(-len(directory) % 512)
    return bytes(header) + bytes(directory) + b"\x00" * 512


DOC = compound_file(("WordDocument", 2), ("1Table", 2))

ACCEPTED = [
    ("report.pdf", PDF, "application/pdf"),
    (
        "EHCP 2025.docx",
        docx(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("old paper PEP.doc", DOC, "application/msword"),
    ("scan.png", image("PNG"), "image/png"),
    ("photo.jpg", image("JPEG"), "image/jpeg"),
    ("photo.JPEG", image("JPEG"), "image/jpeg"),
    ("page.webp", image("WEBP"), "image/webp"),
]

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


# --- Fixtures and helpers -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    return settings.ATTACHMENT_ROOT


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file()) if Path(root).exists() else []


def rows() -> list[Attachment]:
    with all_authorities_context():
        return list(Attachment.objects.select_related("child", "pep"))


def attachment_events() -> list[AuditEvent]:
    with all_authorities_context():
        return list(AuditEvent.objects.filter(object_type="peps.attachment").order_by("id"))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload_url(child) -> str:
    return reverse("portal:attachment_upload", kwargs={"child_id": child.public_id})


def download_url(attachment_id) -> str:
    return reverse("portal:attachment_download", kwargs={"attachment_id": attachment_id})


def delete_url(attachment_id) -> str:
    return reverse("portal:attachment_delete", kwargs={"attachment_id": attachment_id})


def post_upload(client, child, name, content, **data):
    fields = {"file": SimpleUploadedFile(name, content), "kind": "report", "title": ""}
    fields.update(data)
    return client.post(upload_url(child), fields)


def error_next_to_file(response) -> str | None:
    """The message shown next to the file input, if any."""
    page = html.unescape(response.content.decode())
    marker = '<p id="id_file-error" class="govuk-error-message">'
    if marker not in page:
        return None
    start = page.index(marker) + len(marker)
    text = page[start : page.index("</p>", start)]
    return text.replace('<span class="govuk-visually-hidden">Error:</span>', "").strip()


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)


def add_document(
    world, role=Role.DESIGNATED_TEACHER, *, child=None, pep=None, name="report.pdf", content=PDF
):
    with acting(world.a.users[role]) as actor:
        return services.attachment_upload(
            actor=actor,
            child=child or world.a.child,
            pep=pep,
            kind="report",
            title="Summer report",
            uploaded_file=SimpleUploadedFile(name, content),
        )


def finalised_pep(world) -> Pep:
    la = world.a.la
    with authority_context(local_authority_ids=[la.pk]):
        return Pep.objects.create(
            local_authority=la,
            child=world.a.child,
            academic_year="2024-25",
            term="autumn",
            status="finalised",
            created_by=world.a.users[Role.VS_OFFICER],
        )


def open_pep(world) -> Pep:
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        return services.pep_start(actor=sw, child=world.a.child)


# --- Checking files (pure) ----------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED, ids=lambda v: str(v)[:20])
def test_each_allowed_type_is_recognised_from_its_content(name, content, content_type):
    checked = attachments.check_upload(SimpleUploadedFile(name, content))
    assert checked.type.content_type == content_type
    assert checked.original_name == name


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        attachments.check_upload(SimpleUploadedFile(name, content))
    return error.value.message_dict["file"][0]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "report.pdf",
            image("PNG"),
            "This file says it is a PDF but it is a PNG image. "
            "Change its name to end in .png, or choose another file",
        ),
        ("report.pdf", EXE, "This file says it is a PDF but it is not"),
        ("report.pdf", HTML_PAGE, "This file says it is a PDF but it is not"),
        ("report.pdf", SVG, "This file says it is a PDF but it is not"),
        (
            "photo.png",
            PDF,
            "This file says it is a PNG image but it is a PDF. "
            "Change its name to end in .pdf, or choose another file",
        ),
        ("photo.jpg", image("GIF"), "This file says it is a JPG image but it is not"),
        (
            "report.docx",
            PDF,
            "This file says it is a Word document but it is a PDF. "
            "Change its name to end in .pdf, or choose another file",
        ),
        (
            "report.docx",
            DOC,
            "This file says it is a Word document (.docx) but it is a Word "
            "document (.doc). Change its name to end in .doc, or choose another file",
        ),
        (
            "report.doc",
            compound_file(("Workbook", 2)),
            "This file says it is a Word document but it is not",
        ),
        (
            "sheet.docx",
            docx(main="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
            "This file says it is a Word document but it is not",
        ),
        (
            "broken.docx",
            b"PK\x03\x04 not really a zip",
            "This file says it is a Word document but it is not",
        ),
        ("drawing.svg", SVG, attachments.MSG_WRONG_TYPE),
        ("page.html", HTML_PAGE, attachments.MSG_WRONG_TYPE),
        ("setup.exe", EXE, attachments.MSG_WRONG_TYPE),
        ("report", PDF, attachments.MSG_WRONG_TYPE),
        ("animation.gif", image("GIF"), attachments.MSG_WRONG_TYPE),
        ("report.docx", docx(main=DOCM_MAIN, vba=True), attachments.MSG_MACROS),
        ("report.docx", docx(vba=True), attachments.MSG_MACROS),
        ("report.docm", docx(main=DOCM_MAIN, vba=True), attachments.MSG_MACROS),
        ("report.doc", compound_file(("WordDocument", 2), ("Macros", 1)), attachments.MSG_MACROS),
        (
            "secret.docx",
            compound_file(("EncryptionInfo", 2), ("EncryptedPackage", 2)),
            attachments.MSG_PASSWORD,
        ),
    ],
    ids=lambda v: str(v)[:24],
)
def test_each_refusal_has_its_own_message(name, content, message):
    assert refusal(name, content) == message


def test_no_file_empty_file_and_a_file_too_large(settings):
    with pytest.raises(ValidationError) as error:
        attachments.check_upload(None)
    assert error.value.message_dict == {"file": ["Select a file"]}
    assert refusal("report.pdf", b"") == "The selected file is empty"
    assert settings.ATTACHMENT_MAX_BYTES == 20 * 1024 * 1024
    assert attachments.describe_limit(settings.ATTACHMENT_MAX_BYTES) == "20 MB"
    settings.ATTACHMENT_MAX_BYTES = 1024
    assert refusal("report.pdf", PDF + b"x" * 1024) == "The file must be smaller than 1 KB"
    assert attachments.check_upload(SimpleUploadedFile("report.pdf", PDF + b"x" * 900))


def test_a_zip_bomb_is_never_extracted():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<" + b" " * (2 * 1024 * 1024))
    # [Content_Types].xml over 1 MB uncompressed: not read, refused.
    assert refusal("bomb.docx", out.getvalue()) == (
        "This file says it is a Word document but it is not"
    )


def test_file_names_are_cleaned_for_display_and_never_used_as_paths():
    assert attachments.clean_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert attachments.clean_name("C:\\Users\\sam\\My report.pdf") == "My report.pdf"
    assert attachments.clean_name("report\u202efdp.exe") == "reportfdp.exe"
    assert attachments.clean_name('a"b<c>\x00d.pdf') == "a_b_c_d.pdf"
    assert attachments.clean_name("   .pdf") == "document.pdf"
    long = attachments.clean_name("x" * 400 + ".docx")
    assert len(long) == 255 and long.endswith(".docx")


# --- Storage ------------------------------------------------------------------------------


def test_files_are_stored_outside_the_web_root_with_random_names_and_0600(world, attachment_root):
    attachment = add_document(world, name="In Circle's report.pdf")
    [path] = stored_files(attachment_root)
    assert path == Path(attachment_root) / str(world.a.la.pk) / path.name
    assert attachment.storage_name == f"{world.a.la.pk}/{path.name}"
    assert len(path.name) == 32 and "." not in path.name  # random hex, no extension
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o077 == 0  # the directory is private too
    assert path.read_bytes() == PDF
    assert attachment.size == len(PDF)
    import hashlib

    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "In Circle's report.pdf"


def test_the_default_root_is_under_media_root_and_never_under_static_files():
    import epep.settings.base as base

    default = Path(str(base.ATTACHMENT_ROOT)).resolve()
    assert default.is_relative_to(Path(str(base.MEDIA_ROOT)).resolve())
    served = [Path(str(settings.STATIC_ROOT)), *[Path(str(d)) for d in settings.STATICFILES_DIRS]]
    for directory in served:
        assert not default.is_relative_to(directory.resolve())
        assert not directory.resolve().is_relative_to(default)


def test_no_url_serves_the_stored_files(world):
    attachment = add_document(world)
    client = signed_in(world.a.users[Role.VS_HEAD])
    for url in (
        f"/{attachment.storage_name}",
        f"/media/{attachment.storage_name}",
        f"/media/attachments/{attachment.storage_name}",
        f"/static/{attachment.storage_name}",
        f"/.local/media/attachments/{attachment.storage_name}",
    ):
        with pytest.raises(Resolver404):
            resolve(url)
        assert client.get(url).status_code == 404, url


def test_a_storage_name_from_the_database_cannot_point_elsewhere():
    for bad in ("../../etc/passwd", "1/../../x", "/etc/passwd", "1/ABC", "", "1/" + "a" * 31):
        with pytest.raises(ValueError):
            attachments.path_for(bad)


def test_a_failure_after_the_file_is_written_leaves_no_file(world, attachment_root, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(document_services, "audit_record_for", broken_audit)
    with pytest.raises(RuntimeError):
        add_document(world)
    assert stored_files(attachment_root) == []
    assert rows() == []


def test_orphaned_files_are_removed_by_the_cleanup_command(world, attachment_root):
    kept = add_document(world)
    directory = Path(attachment_root) / str(world.a.la.pk)
    old_orphan = directory / uuid.uuid4().hex
    old_temporary = directory / ".upload-abc123"
    young_orphan = directory / uuid.uuid4().hex
    for path in (old_orphan, old_temporary, young_orphan):
        path.write_bytes(b"left behind")
    an_hour_ago = (datetime.now() - timedelta(hours=2)).timestamp()
    for path in (old_orphan, old_temporary, attachments.path_for(kept.storage_name)):
        os.utime(path, (an_hour_ago, an_hour_ago))
    out = io.StringIO()
    call_command("attachments_cleanup_orphans", stdout=out)
    assert "2 orphaned file(s) removed" in out.getvalue()
    assert sorted(stored_files(attachment_root)) == sorted(
        [attachments.path_for(kept.storage_name), young_orphan]
    )


# --- Services: who may do what ------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        Role.DESIGNATED_TEACHER,
        Role.SOCIAL_WORKER,
        Role.PERSONAL_ADVISER,
        Role.VS_HEAD,
        Role.VS_OFFICER,
    ],
)
def test_professionals_working_with_the_child_add_documents(world, role):
    attachment = add_document(world, role)
    assert attachment.uploaded_by == world.a.users[role]
    [event] = attachment_events()
    assert (event.action, event.object_id, event.child_public_id) == (
        "create",
        str(attachment.public_id),
        world.a.child.public_id,
    )
    assert event.detail["sha256"] == attachment.sha256


@pytest.mark.parametrize(
    "role", [Role.CARER, Role.YOUNG_PERSON, Role.IRO, Role.LA_ADMIN, Role.SCHOOL_STAFF]
)
def test_other_roles_cannot_add_documents(world, role, attachment_root):
    with pytest.raises(PermissionDenied):
        add_document(world, role)
    assert stored_files(attachment_root) == [] and rows() == []


def test_nobody_adds_documents_to_a_child_out_of_their_circle(world, attachment_root):
    with pytest.raises(PermissionDenied):
        add_document(world, Role.SOCIAL_WORKER, child=world.a.other_child)
    assert stored_files(attachment_root) == []


def test_a_document_goes_on_an_open_pep_of_the_same_child_but_not_a_finalised_one(
    world, attachment_root
):
    pep = open_pep(world)
    assert add_document(world, pep=pep).pep == pep
    with pytest.raises(ValidationError) as error:
        add_document(world, pep=finalised_pep(world))
    assert "finalised" in error.value.message_dict["pep"][0]
    with pytest.raises(ValidationError) as error:
        add_document(world, Role.VS_HEAD, child=world.a.other_child, pep=pep)
    assert error.value.message_dict["pep"] == ["Choose one of this child's PEPs"]
    assert len(stored_files(attachment_root)) == 1


def test_the_uploader_or_the_virtual_school_deletes_and_the_file_goes_after_commit(
    world, attachment_root, django_capture_on_commit_callbacks
):
    mine = add_document(world, Role.DESIGNATED_TEACHER)
    theirs = add_document(world, Role.SOCIAL_WORKER)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        with pytest.raises(PermissionDenied):
            services.attachment_delete(actor=dt, attachment=theirs)
        with django_capture_on_commit_callbacks(execute=True):
            services.attachment_delete(actor=dt, attachment=mine)
    with acting(world.a.users[Role.VS_OFFICER]) as vs:
        with django_capture_on_commit_callbacks(execute=True):
            services.attachment_delete(actor=vs, attachment=theirs)
    assert rows() == [] and stored_files(attachment_root) == []
    assert [e.action for e in attachment_events()] == ["create", "create", "delete", "delete"]


def test_another_authoritys_virtual_school_cannot_delete(world):
    attachment = add_document(world)
    with acting(world.b.users[Role.VS_HEAD]) as vs:
        assert not services.attachment_can_delete(vs, attachment)


def test_documents_of_a_finalised_pep_are_deleted_only_by_the_virtual_school(world):
    pep = open_pep(world)
    attachment = add_document(world, pep=pep)
    with all_authorities_context():
        Pep.objects.filter(pk=pep.pk).update(status="finalised")
        attachment = Attachment.objects.select_related("pep").get(pk=attachment.pk)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        assert not services.attachment_can_delete(dt, attachment)
    with acting(world.a.users[Role.VS_HEAD]) as vs:
        assert services.attachment_can_delete(vs, attachment)


# --- Through the pages --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED, ids=lambda v: str(v)[:20])
def test_each_accepted_type_uploads_and_downloads_byte_identical(
    world, name, content, content_type
):
    client = signed_in(world.a.users[Role.DESIGNATED_TEACHER])
    response = post_upload(client, world.a.child, name, content, kind="ehcp")
    assert response.status_code == 302, error_next_to_file(response)
    assert response["Location"].endswith(f"/children/{world.a.child.public_id}/#documents")
    [attachment] = rows()
    assert attachment.content_type == content_type and attachment.kind == "ehcp"

    download = client.get(download_url(attachment.public_id))
    assert download.status_code == 200
    assert content_of(download) == content
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"] == (
        f'attachment; filename="ehcp-{timezone.localdate(attachment.uploaded_at)}-'
        f'{attachment.public_id.hex[:8]}{attachments.extension_of(name)}"'
    )
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert download["Content-Security-Policy"].startswith("sandbox")
    assert download["X-Frame-Options"] == "DENY"
    views = [e for e in attachment_events() if e.action == "view"]
    assert [(e.object_id, e.user_id) for e in views] == [
        (str(attachment.public_id), world.a.users[Role.DESIGNATED_TEACHER].pk)
    ]


def test_the_upload_page_and_the_childs_page(world):
    client = signed_in(world.a.users[Role.SOCIAL_WORKER])
    page = client.get(upload_url(world.a.child)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'class="govuk-file-upload"' in page and 'type="file"' in page
    assert "The file must be smaller than 20 MB." in page
    post_upload(client, world.a.child, "Summer report 2025.pdf", PDF)
    child_page = client.get(
        reverse("portal:child_detail", kwargs={"child_id": world.a.child.public_id})
    ).content.decode()
    assert 'id="documents"' in child_page
    assert "Summer report 2025" in child_page  # the title defaults to the file's name
    assert "Add a document" in child_page
    assert "Delete" in child_page  # the uploader may delete


def test_carers_see_no_documents_section_and_young_people_no_child_page(world):
    add_document(world)
    url = reverse("portal:child_detail", kwargs={"child_id": world.a.child.public_id})
    page = signed_in(world.a.users[Role.CARER]).get(url)
    assert page.status_code == 200
    assert 'id="documents"' not in page.content.decode()
    # the young person's own pages are /my/ and My Voice (can_open_professional_record)
    assert signed_in(world.a.users[Role.YOUNG_PERSON]).get(url).status_code == 404


def test_an_iro_sees_and_opens_documents_but_cannot_add_any(world):
    add_document(world)
    client = signed_in(world.a.users[Role.IRO])
    page = client.get(
        reverse("portal:child_detail", kwargs={"child_id": world.a.child.public_id})
    ).content.decode()
    assert "Summer report" in page and "Add a document" not in page and "Delete" not in page
    assert client.get(upload_url(world.a.child)).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "report.pdf",
            image("PNG"),
            "This file says it is a PDF but it is a PNG image. "
            "Change its name to end in .png, or choose another file",
        ),
        ("report.pdf", EXE, "This file says it is a PDF but it is not"),
        ("report.pdf", HTML_PAGE, "This file says it is a PDF but it is not"),
        ("report.pdf", SVG, "This file says it is a PDF but it is not"),
        ("report.docx", docx(main=DOCM_MAIN, vba=True), attachments.MSG_MACROS),
        ("report.docm", docx(main=DOCM_MAIN, vba=True), attachments.MSG_MACROS),
        ("report.pdf", b"", "The selected file is empty"),
        ("drawing.svg", SVG, attachments.MSG_WRONG_TYPE),
    ],
    ids=lambda v: str(v)[:24],
)
def test_a_refused_upload_shows_its_message_next_to_the_field_and_changes_nothing(
    world, attachment_root, name, content, message
):
    client = signed_in(world.a.users[Role.DESIGNATED_TEACHER])
    response = post_upload(client, world.a.child, name, content)
    assert response.status_code == 200
    assert error_next_to_file(response) == message
    page = html.unescape(response.content.decode())
    assert f'<li><a href="#id_file">{message}</a></li>' in page  # the error summary
    assert "<title>Error: " in page
    assert "govuk-file-upload--error" in page
    assert rows() == [] and stored_files(attachment_root) == [] and attachment_events() == []


def test_no_file_selected(world, attachment_root):
    client = signed_in(world.a.users[Role.DESIGNATED_TEACHER])
    response = client.post(upload_url(world.a.child), {"kind": "report"})
    assert error_next_to_file(response) == "Select a file"
    response = client.post(upload_url(world.a.child), {"file": SimpleUploadedFile("x.pdf", PDF)})
    assert "Select what kind of document it is" in response.content.decode()
    assert rows() == [] and stored_files(attachment_root) == []


def test_an_oversized_upload_is_cut_off_while_it_arrives(
    world, settings, attachment_root, monkeypatch
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    seen = []
    check = attachments.check_upload

    def spy(uploaded):
        seen.append(uploaded)
        return check(uploaded)

    monkeypatch.setattr(attachments, "check_upload", spy)
    client = signed_in(world.a.users[Role.DESIGNATED_TEACHER])
    response = post_upload(client, world.a.child, "big.pdf", PDF + b"0" * 300_000)
    assert error_next_to_file(response) == "The file must be smaller than 1 KB"
    assert isinstance(seen[0], attachments.TooLargeFile)  # the content was never kept
    assert rows() == [] and stored_files(attachment_root) == [] and attachment_events() == []


def test_the_upload_checks_the_csrf_token_itself(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    refused = client.post(
        upload_url(world.a.child), {"file": SimpleUploadedFile("r.pdf", PDF), "kind": "report"}
    )
    assert refused.status_code == 403
    client.get(upload_url(world.a.child))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(
        upload_url(world.a.child),
        {"file": SimpleUploadedFile("r.pdf", PDF), "kind": "report", "csrfmiddlewaretoken": token},
    )
    assert accepted.status_code == 302
    assert len(rows()) == 1


def test_a_document_can_be_added_to_the_pep_in_progress(world):
    pep = open_pep(world)
    client = signed_in(world.a.users[Role.DESIGNATED_TEACHER])
    page = client.get(upload_url(world.a.child) + f"?pep={pep.public_id}").content.decode()
    assert f'value="{pep.public_id}" checked' in page
    response = post_upload(client, world.a.child, "r.pdf", PDF, pep=str(pep.public_id))
    assert response.status_code == 302
    assert rows()[0].pep == pep


def test_download_is_404_outside_the_circle_identical_to_a_missing_document(world):
    in_circle = add_document(world)
    out_of_circle = add_document(world, Role.VS_HEAD, child=world.a.other_child)
    refused_pairs = [
        (world.b.users[Role.VS_HEAD], in_circle),  # another authority
        (world.b.users[Role.SOCIAL_WORKER], in_circle),
        (world.a.users[Role.SOCIAL_WORKER], out_of_circle),  # same authority, not allocated
        (world.a.users[Role.DESIGNATED_TEACHER], out_of_circle),  # not on roll at the school
        (world.a.users[Role.CARER], in_circle),  # carers do not open documents for now
        (world.a.users[Role.YOUNG_PERSON], in_circle),
        (world.a.users[Role.SCHOOL_STAFF], in_circle),  # not shared with them
    ]
    for user, attachment in refused_pairs:
        client = signed_in(user)
        for url_for in (download_url, delete_url):
            refused = client.get(url_for(attachment.public_id))
            missing = client.get(url_for(uuid.uuid4()))
            assert refused.status_code == 404, (user.email, url_for)
            assert (refused.status_code, refused.content) == (missing.status_code, missing.content)
            posted = client.post(url_for(attachment.public_id))
            assert posted.status_code in (404, 405)
    assert len(rows()) == 2  # nothing was deleted
    # Each refusal of a real document is recorded in its child's authority, so the child's
    # Virtual School sees it; a missing id only by the person refused.
    refused_user = world.b.users[Role.VS_HEAD]
    with authority_context(local_authority_ids=[world.a.la.pk]):
        refusals = list(
            AuditEvent.objects.filter(
                action="access_refused", object_type="peps.attachment", user=refused_user
            )
        )
    assert {e.object_id for e in refusals} == {str(in_circle.public_id)}
    assert all(
        e.local_authority_id == world.a.la.pk and e.child_public_id == world.a.child.public_id
        for e in refusals
    )
    with authority_context(local_authority_ids=[], user_id=refused_user.pk):
        missing = list(
            AuditEvent.objects.filter(
                action="access_refused", object_type="peps.attachment", user=refused_user
            ).exclude(object_id=str(in_circle.public_id))
        )
    assert missing and all(e.local_authority_id is None for e in missing)


def test_opening_in_circle_works_for_every_professional_working_with_the_child(world):
    attachment = add_document(world)
    for role in (
        Role.VS_HEAD,
        Role.VS_OFFICER,
        Role.LA_ADMIN,
        Role.SOCIAL_WORKER,
        Role.PERSONAL_ADVISER,
        Role.IRO,
        Role.DESIGNATED_TEACHER,
    ):
        response = signed_in(world.a.users[role]).get(download_url(attachment.public_id))
        assert response.status_code == 200, role
        assert content_of(response) == PDF


def test_delete_through_the_confirmation_page(
    world, attachment_root, django_capture_on_commit_callbacks
):
    attachment = add_document(world, Role.DESIGNATED_TEACHER)
    other = signed_in(world.a.users[Role.SOCIAL_WORKER])
    assert other.get(delete_url(attachment.public_id)).status_code == 404
    assert other.post(delete_url(attachment.public_id)).status_code == 404
    client = signed_in(world.a.users[Role.DESIGNATED_TEACHER])
    page = client.get(delete_url(attachment.public_id))
    assert "Are you sure you want to delete this document?" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(attachment.public_id))
    assert response.status_code == 302
    assert rows() == [] and stored_files(attachment_root) == []
    assert client.get(download_url(attachment.public_id)).status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_the_upload_page_is_404_outside_the_circle_identical_to_a_missing_child(world, role):
    """As tests/portal/test_url_sweep.py does for every child URL, here for this one."""
    from tests.portal.test_url_sweep import _circle

    client = signed_in(world.a.users[role])
    outside = [c for c in world.all_children if c.pk not in _circle(world, role)]
    missing = upload_url(type("Missing", (), {"public_id": uuid.uuid4()}))
    for child in outside:
        for method in ("get", "post"):
            refused = getattr(client, method)(upload_url(child))
            absent = getattr(client, method)(missing)
            assert refused.status_code == 404, f"{role} {method}"
            assert (refused.status_code, refused.content) == (absent.status_code, absent.content)


def test_a_designated_teacher_adds_to_another_authoritys_child_on_roll_at_their_school(
    world, attachment_root
):
    """The shared school's designated teacher works with Sefton's child too (Sefton
    endorses them): the file goes under Sefton's directory and the row is Sefton's."""
    from ..factories import endorse

    endorse(world.a.users[Role.DESIGNATED_TEACHER], world.b.la)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        attachment = services.attachment_upload(
            actor=dt,
            child=world.b.child,
            kind="report",
            title="",
            uploaded_file=SimpleUploadedFile("report.pdf", PDF),
        )
    assert attachment.local_authority_id == world.b.la.pk
    assert attachment.title == "report"
    assert attachments.path_for(attachment.storage_name).parent.name == str(world.b.la.pk)


def test_the_pep_documents_tag_lists_one_peps_documents(world):
    from django.template import Context, Template

    pep = open_pep(world)
    add_document(world, pep=pep)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        services.attachment_upload(
            actor=sw,
            child=world.a.child,
            kind="ehcp",
            title="EHCP",
            uploaded_file=SimpleUploadedFile("ehcp.pdf", PDF),
        )
        html_out = Template("{% load documents %}{% pep_documents pep %}").render(
            Context({"actor": sw, "pep": pep})
        )
    assert "Summer report" in html_out and "EHCP" not in html_out
    assert f"?pep={pep.public_id}" in html_out  # "Add a document" preselects this PEP
    with acting(world.a.users[Role.CARER]) as carer:
        assert (
            Template("{% load documents %}{% pep_documents pep %}")
            .render(Context({"actor": carer, "pep": pep}))
            .strip()
            == ""
        )
