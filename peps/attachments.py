"""Documents attached to a child's record or to one of their PEPs: school reports, the
EHCP, earlier paper PEPs.

Rules (the services are in ``peps.services``: ``attachment_upload``, ``attachment_delete``):

- **Who may add a document**: the designated teacher, the social worker, the personal
  adviser and Virtual School staff (``peps.permissions.can_upload_attachment``), for a child
  they can see. Not carers or young people for now, nor IROs, LA administrators or
  school staff. A document can go on the child's record or on one of the child's PEPs
  that is not finalised (a finalised PEP is locked: add it to the child's record).
- **Who may see the list and open a document** (``peps.permissions.can_read_attachments``):
  every professional role for a child they can see through ``children_for`` — the one
  scoping mechanism. Carers and young people do not see documents for now: they are
  written by and for professionals and may hold third-party information, so releasing
  one to a family is a professional's decision made outside the service. Opening a
  document records a ``view`` event on ``peps.attachment``; a document that does not
  exist and one out of reach give the same 404 (the refusal is recorded).
- **Who may delete a document**: the person who added it (acting in an uploading role),
  unless it belongs to a finalised PEP; and the Virtual School of the child's authority,
  always (to correct a mistake such as another child's report). Recorded; the file is
  removed once the deletion is committed.

Validation (pure, no database): PDF, Word (.docx; legacy .doc) and JPG, PNG or WebP
images only, the type decided from the **content** (``filetype`` plus our own checks of
the ZIP inside a .docx and the compound file of a .doc; macro-enabled files refused), the
file name's extension must agree with it, at most ``settings.ATTACHMENT_MAX_BYTES``. Each
refusal has its own message, shown next to the file input.

Storage: ``settings.ATTACHMENT_ROOT/<authority id>/<random hex>`` — no extension, outside
the static files and under no URL, written to a temporary file (mode 0600) and moved into
place with ``os.replace``. The original file name is kept for display and downloads only
(sanitised) and never used in a path. A file whose row never committed (a transaction
rolled back after the write) is removed by ``manage.py attachments_cleanup_orphans``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils import timezone

from epep.exports import download_name, short_reference

MB = 1024 * 1024


# --- File types ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    key: str
    #: what the file is, after "a"/"an" ("a PDF", "a Word document")
    name: str
    content_type: str
    extensions: tuple[str, ...]
    #: shown in lists: "PDF", "Word", "JPG"
    short: str


PDF = FileType("pdf", "a PDF", "application/pdf", (".pdf",), "PDF")
DOCX = FileType(
    "docx",
    "a Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
    "Word",
)
DOC = FileType("doc", "a Word document", "application/msword", (".doc",), "Word")
PNG = FileType("png", "a PNG image", "image/png", (".png",), "PNG")
JPEG = FileType("jpeg", "a JPG image", "image/jpeg", (".jpg", ".jpeg"), "JPG")
WEBP = FileType("webp", "a WebP image", "image/webp", (".webp",), "WebP")

ALLOWED = (PDF, DOCX, DOC, PNG, JPEG, WEBP)
BY_EXTENSION = {ext: t for t in ALLOWED for ext in t.extensions}
BY_CONTENT_TYPE = {t.content_type: t for t in ALLOWED}
#: For the file input's ``accept`` (a hint to the browser's file picker; the server decides).
ACCEPT = ",".join(
    [ext for t in ALLOWED for ext in t.extensions] + [t.content_type for t in ALLOWED]
)
MACRO_EXTENSIONS = frozenset({".docm", ".dotm", ".xlsm", ".pptm"})

# --- Messages -----------------------------------------------------------------------------

MSG_NO_FILE = "Select a file"
MSG_EMPTY = "The selected file is empty"
MSG_TOO_BIG = "The file must be smaller than {limit}"
MSG_WRONG_TYPE = "The selected file must be a PDF, a Word document, or a JPG, PNG or WebP image"
MSG_NOT_WHAT_IT_SAYS = "This file says it is {claimed} but it is not"
MSG_IS_SOMETHING_ELSE = (
    "This file says it is {claimed} but it is {actual}. "
    "Change its name to end in {extension}, or choose another file"
)
MSG_MACROS = (
    "The selected file contains macros, which cannot be uploaded. "
    "Save it as a Word document (.docx) and choose that file"
)
MSG_PASSWORD = (
    "The selected file is protected with a password. "
    "Remove the password, save it and choose it again"
)


def describe_limit(limit: int) -> str:
    if limit >= MB:
        return f"{limit / MB:g} MB"
    return f"{max(1, -(-limit // 1024))} KB"


# --- Detection from the content -----------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
#: Declared types of the macro-enabled Word formats (.docm, .dotm) and of VBA parts.
MACRO_MARKERS = ("macroEnabled", "vbaProject", "vbaData")
#: A .docx is small in entries; more than this is not a document we accept.
ZIP_MAX_ENTRIES = 10_000
CONTENT_TYPES_MAX_BYTES = MB

#: Results of detection that are not a type.
MACROS = "macros"
PASSWORD = "password"


def _zip_kind(handle) -> FileType | str | None:
    """Look inside a ZIP: a Word document (.docx) declares its main part as
    wordprocessingml in ``[Content_Types].xml``. Only that small part is read (nothing is
    extracted), so a ZIP bomb costs nothing."""
    try:
        with zipfile.ZipFile(handle) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                return None
            names = [e.filename.lower() for e in entries]
            if any(n.endswith(("vbaproject.bin", "vbadata.xml")) for n in names):
                return MACROS
            info = next((e for e in entries if e.filename == "[Content_Types].xml"), None)
            if info is None or info.file_size > CONTENT_TYPES_MAX_BYTES:
                return None
            declared = archive.read(info).decode("utf-8", "replace")
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        ValueError,
        UnicodeError,
        zlib.error,
    ):
        # Broken, encrypted or oddly compressed: not a Word document we can accept.
        return None
    if any(marker in declared for marker in MACRO_MARKERS):
        return MACROS
    if WORD_MAIN in declared:
        return DOCX
    return None


def _ole_entries(data: bytes, names: Iterable[str]) -> set[str]:
    """Which of ``names`` are entries of a compound file's directory.

    Directory entries are 128 bytes, aligned to 128 bytes in the file (sectors are 512
    or 4096 bytes and follow a header of the same size): a name in UTF-16LE, then its
    length in bytes including the terminator, then the entry's type (1 storage, 2
    stream)."""
    found = set()
    for name in names:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        start = 512
        while (pos := data.find(encoded, start)) != -1:
            start = pos + 2
            if pos % 128 or pos + 68 > len(data):
                continue
            length, kind = struct.unpack_from("<HB", data, pos + 64)
            if length == len(encoded) and kind in (1, 2):
                found.add(name)
                break
    return found


def _ole_kind(data: bytes) -> FileType | str | None:
    """A compound file (legacy Office): a Word 97-2003 document has a ``WordDocument``
    stream; one with macros has a ``Macros`` storage; a password-protected .docx is a
    compound file holding an ``EncryptedPackage``."""
    entries = _ole_entries(
        data, ("WordDocument", "Macros", "_VBA_PROJECT_CUR", "VBA", "EncryptedPackage")
    )
    if entries & {"Macros", "_VBA_PROJECT_CUR", "VBA"}:
        return MACROS
    if "EncryptedPackage" in entries:
        return PASSWORD
    if "WordDocument" in entries:
        return DOC
    return None


def detect(handle) -> FileType | str | None:
    """What the file really is, from its content: an allowed :class:`FileType`,
    ``MACROS``, ``PASSWORD``, or ``None`` for anything else. Leaves ``handle`` at 0."""
    handle.seek(0)
    head = handle.read(8192)
    handle.seek(0)
    try:
        if head.startswith(ZIP_MAGIC):
            return _zip_kind(handle)
        if head.startswith(OLE_MAGIC):
            return _ole_kind(handle.read())
        if head.startswith(b"%PDF-"):
            return PDF
        kind = filetype.guess(head)
        if kind is not None:
            return BY_CONTENT_TYPE.get(kind.mime)
        return None
    finally:
        handle.seek(0)


# --- File names ---------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|]')
_SPACES = re.compile(r"\s+")


def clean_name(name: str | None) -> str:
    """The file's name as the person knows it, safe to show and to offer on download:
    the last path component, normalised, without control or bidirectional-override
    characters (U+202E can make "report<U+202E>fdp.exe" look like a PDF), path
    separators or quotes, at most 255 characters keeping the extension. Never used as a
    path."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    name = _UNSAFE.sub("_", name)
    name = _SPACES.sub(" ", name).strip().rstrip(". ")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = f".{extension}" if dot else ""
    if not stem:
        stem = "document"
    if len(stem) + len(extension) > 255:
        stem = stem[: 255 - len(extension)].rstrip(" .") or "document"
    return stem + extension


def extension_of(name: str) -> str:
    return Path(name).suffix.lower()


def default_title(name: str) -> str:
    stem = Path(name).stem.replace("_", " ").strip()
    return (stem or "Document")[:200]


def download_filename(attachment) -> str:
    """The name a document downloads under: its kind, the day it was added and its
    reference, with the uploaded file's extension ("ehcp-2026-12-02-3f9a1c2e.pdf"). Never
    the uploaded name: people name files after the child ("Ama Appiah EHCP.pdf"), and
    file names end up in download folders and logs. The page still shows the title and
    the uploaded name."""
    day = timezone.localdate(attachment.uploaded_at) if attachment.uploaded_at else None
    return download_name(
        attachment.kind,
        day.isoformat() if day else "",
        short_reference(attachment.public_id),
        extension=extension_of(attachment.original_name) or "bin",
    )


# --- Checking an upload -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    file: UploadedFile
    original_name: str
    type: FileType


def check_upload(uploaded: UploadedFile | None) -> CheckedFile:
    """Check an uploaded file, or raise ``ValidationError({"file": message})`` with the
    one message that says what is wrong. Reads the content; changes nothing."""

    def refuse(message: str):
        raise ValidationError({"file": message})

    if uploaded is None or not getattr(uploaded, "name", ""):
        refuse(MSG_NO_FILE)
    limit = settings.ATTACHMENT_MAX_BYTES
    if getattr(uploaded, "too_large", False) or (uploaded.size or 0) > limit:
        refuse(MSG_TOO_BIG.format(limit=describe_limit(limit)))
    if not uploaded.size:
        refuse(MSG_EMPTY)
    name = clean_name(uploaded.name)
    extension = extension_of(name)
    if extension in MACRO_EXTENSIONS:
        refuse(MSG_MACROS)
    claimed = BY_EXTENSION.get(extension)
    if claimed is None:
        refuse(MSG_WRONG_TYPE)
    actual = detect(uploaded)
    if actual == MACROS:
        refuse(MSG_MACROS)
    if actual == PASSWORD:
        refuse(MSG_PASSWORD)
    if actual is claimed:  # .jpg and .jpeg are one type
        return CheckedFile(file=uploaded, original_name=name, type=claimed)
    if not isinstance(actual, FileType):
        refuse(MSG_NOT_WHAT_IT_SAYS.format(claimed=claimed.name))
    if actual.name == claimed.name:  # a .doc called .docx, or the other way round
        claimed_name = f"{claimed.name} ({extension})"
        actual_name = f"{actual.name} ({actual.extensions[0]})"
    else:
        claimed_name, actual_name = claimed.name, actual.name
    refuse(
        MSG_IS_SOMETHING_ELSE.format(
            claimed=claimed_name, actual=actual_name, extension=actual.extensions[0]
        )
    )
    raise AssertionError("unreachable")  # pragma: no cover


# --- Limiting the upload itself -----------------------------------------------------------


class TooLargeFile(UploadedFile):
    """Stands in for a file that went over the limit while it was being received: its
    content was never kept."""

    too_large = True

    def __init__(self, name, size, content_type):
        super().__init__(io.BytesIO(), name=name, content_type=content_type, size=size)


class SizeLimitUploadHandler(FileUploadHandler):
    """Goes first among the upload handlers: passes a file's chunks on until it is over
    ``ATTACHMENT_MAX_BYTES``, then swallows the rest, so an oversized upload never fills
    memory or the temporary directory."""

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = settings.ATTACHMENT_MAX_BYTES if limit is None else limit
        self.received = 0
        self.too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            return None
        return raw_data

    def file_complete(self, file_size):
        if self.too_large:
            return TooLargeFile(self.file_name, self.received, self.content_type)
        return None


def limit_uploads(request) -> None:
    """Put :class:`SizeLimitUploadHandler` first. Must run before anything reads the
    request's body (so the view is CSRF-exempt and checks CSRF itself afterwards)."""
    try:
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    except AttributeError:  # the body was read already: the size is still checked after
        pass


# --- Storage ------------------------------------------------------------------------------

_STORAGE_NAME = re.compile(r"^[0-9]{1,18}/[0-9a-f]{32}$")


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    sha256: str
    size: int


def root() -> Path:
    return Path(settings.ATTACHMENT_ROOT)


def path_for(storage_name: str) -> Path:
    """Where a stored file is. Refuses anything but ``<authority id>/<hex>``, so a name
    from the database can never point elsewhere."""
    if not _STORAGE_NAME.match(storage_name or ""):
        raise ValueError(f"Not a storage name: {storage_name!r}")
    return root() / storage_name


def store(uploaded: UploadedFile, *, authority_id: int) -> StoredFile:
    """Write the file under its authority with a random name: into a temporary file
    (0600) in the same directory, flushed to disk, then moved into place."""
    directory = root() / str(int(authority_id))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    storage_name = f"{int(authority_id)}/{uuid4().hex}"
    final = path_for(storage_name)
    digest = hashlib.sha256()
    size = 0
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            uploaded.seek(0)
            for chunk in uploaded.chunks():
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return StoredFile(storage_name=storage_name, sha256=digest.hexdigest(), size=size)


def discard(storage_name: str) -> None:
    """Remove a stored file (after its row is gone, or when its row never committed)."""
    path_for(storage_name).unlink(missing_ok=True)


def open_stored(storage_name: str):
    return path_for(storage_name).open("rb")


def orphans(known: set[str], *, older_than: timedelta = timedelta(hours=1)) -> list[Path]:
    """Files under the root with no row (``known``: every row's storage name), and
    temporary files left by a crash, last changed more than ``older_than`` ago (younger
    ones may belong to a transaction still open)."""
    base = root()
    if not base.exists():
        return []
    cutoff = (timezone.now() - older_than).timestamp()
    found = []
    for path in sorted(base.glob("*/*")):
        if not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        name = f"{path.parent.name}/{path.name}"
        if name not in known:
            found.append(path)
    return found


# --- Reading, through the access rules: peps.selectors (attachments_for,
# access_attachment_by_id) and peps.permissions (who reads, uploads, deletes).
