"""Background jobs about PEPs."""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import timedelta

from epep.audit.services import audit_record
from epep.tenancy import clock
from epep.tenancy.jobs import authority_task, every_authority_task, job_context

from . import pdf
from .models import Pep, Status

logger = logging.getLogger(__name__)


class NotFinalised(Exception):
    """Only a finalised PEP is archived."""


def _write_atomically(path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either absent or complete."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o440)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@authority_task(
    name="peps.tasks.render_finalised_pep_pdf",
    atomic=False,  # read, render outside any transaction, then archive under the row lock
    time_limit=120,
    soft_time_limit=90,
    dont_autoretry_for=(Pep.DoesNotExist, NotFinalised),
    retry_backoff=10,
)
def render_finalised_pep_pdf(pep_id: int, local_authority_id: int) -> str:
    """Render a finalised PEP's PDF once, archive it under ``PEP_PDF_ROOT`` and record its
    SHA-256. Idempotent: a PEP that already has its PDF is left alone, and concurrent runs
    (a redelivery while the first still works) archive exactly one file.

    Returns what happened: "archived", or "already archived".
    """
    # 1. Read the PEP and build the document, in the PEP's authority only.
    with job_context():
        pep = Pep.objects.get(pk=pep_id, local_authority_id=local_authority_id)
        if pep.status != Status.FINALISED:
            raise NotFinalised(f"PEP {pep.public_id} is {pep.status}, not finalised.")
        if pep.pdf_sha256:
            return "already archived"
        html = pdf.build_pep_html(pep, draft=False)

    # 2. Render outside any transaction (no database, seconds of CPU).
    data = pdf.html_to_pdf(html)
    digest = pdf.sha256(data)
    relative = pdf.archive_relative_path(pep)

    # 3. Archive and record under the PEP's row lock: a concurrent run waits here, then
    #    sees the recorded hash and leaves the archived file alone.
    with job_context():
        locked = Pep.objects.select_for_update().only("pk", "pdf_sha256").get(pk=pep_id)
        if locked.pdf_sha256:
            return "already archived"
        _write_atomically(pdf.archive_absolute_path(relative), data)
        updated = Pep.objects.filter(pk=pep_id, pdf_sha256="").update(
            pdf_path=relative, pdf_sha256=digest
        )
        if not updated:  # cannot happen under the lock; never claim a file we did not record
            return "already archived"
        audit_record(
            acting_user=None,
            role="system",
            action="archive_pdf",
            object_type="peps.pep",
            object_id=str(pep.public_id),
            local_authority_id=local_authority_id,
            child_public_id=pep.child.public_id,
            detail={"pdf_path": relative, "sha256": digest, "bytes": len(data)},
        )
    logger.info(
        "Archived the PDF of PEP %s (%d bytes, sha256 %s)", pep.public_id, len(data), digest
    )
    return "archived"


@every_authority_task(
    name="peps.tasks.queue_missing_pep_pdfs",
    atomic=False,  # jobs are queued after the read's transaction
    autoretry_for=(),  # beat runs it again
    time_limit=60,
    soft_time_limit=45,
)
def queue_missing_pep_pdfs(older_than_minutes: int = 15) -> int:
    """Queue the archive job again for finalised PEPs still without a PDF (the broker was
    down at finalisation, or the job gave up after its retries). For Celery beat."""
    cutoff = clock.now() - timedelta(minutes=older_than_minutes)
    with job_context():
        missing = list(
            Pep.objects.filter(
                status=Status.FINALISED, pdf_sha256="", finalised_at__lt=cutoff
            ).values_list("pk", "local_authority_id")[:500]
        )
    for pep_id, la_id in missing:
        render_finalised_pep_pdf.delay(pep_id, la_id)
    if missing:
        logger.warning("Queued the PDF archive again for %d finalised PEPs", len(missing))
    return len(missing)
