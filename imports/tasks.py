"""Background work of the imports app: thin, ids in, one service call."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from epep.accounts.models import User
from epep.tenancy.actor import acting_as
from epep.tenancy.jobs import authority_task, every_authority_task, no_authority_task
from epep.tenancy.models import LocalAuthority

from .gias import gias_import
from .ssda903 import progress, uploads
from .ssda903.services import StaleImport, ssda903_import_files

logger = logging.getLogger(__name__)


@authority_task(
    name="imports.tasks.ssda903_import_task",
    dont_autoretry_for=(PermissionDenied, StaleImport, User.DoesNotExist),
    max_retries=2,
    # Held unacknowledged at most the hard limit plus a retry's countdown: under the
    # broker's 600 s visibility timeout, or a redelivery would run it twice.
    soft_time_limit=510,
    time_limit=570,
)
def ssda903_import_task(
    local_authority_id: int, *, job_id: str, user_id: int, role: str, files: dict, fingerprint: str
) -> str:
    """Apply a previewed SSDA903 extract (a large one) as the person who confirmed it,
    with progress in the cache (``imports.ssda903.progress``). A job already done (a
    redelivery) is left alone."""
    job = progress.job_get(job_id) or {}
    if job.get("state") in ("done", "stale", "failed"):
        return job["state"]
    authority = LocalAuthority.objects.get(pk=local_authority_id)
    data = {
        name: uploads.read(value, authority_id=local_authority_id) for name, value in files.items()
    }
    if data.get("header") is None or data.get("episodes") is None:
        progress.job_update(job_id, state="failed", message="The uploaded files are gone.")
        return "failed"
    user = User.objects.get(pk=user_id)
    try:
        with acting_as(user, role) as actor:
            result = ssda903_import_files(
                actor=actor,
                local_authority=authority,
                files=data,
                expected_fingerprint=fingerprint,
                progress=progress.reporter(job_id),
            )
    except StaleImport as error:
        progress.job_update(job_id, state="stale", message=str(error))
        return "stale"
    progress.job_update(job_id, state="done", result=result.as_json())
    for name in files.values():
        transaction.on_commit(lambda name=name: uploads.discard(name))
    return "done"


@every_authority_task(
    name="imports.tasks.import_gias_nightly",
    dont_autoretry_for=(FileNotFoundError, IsADirectoryError),
    max_retries=2,
    soft_time_limit=240,
    time_limit=300,
)
def import_gias_nightly(path: str = "") -> dict:
    """The schools list from the GIAS download at ``path`` or ``settings.EPEP_GIAS_FILE``
    (``imports.gias``; the beat entry exists only when the setting is set). Safe to run
    again: an unchanged file changes nothing. Returns the counts."""
    name = path or settings.EPEP_GIAS_FILE
    if not name:
        return {}
    file = Path(name)
    result = gias_import(data=file.read_bytes(), file_name=file.name)
    if not result.applied:
        # Rows and columns only: a GIAS row names a school, never a child.
        logger.warning(
            "GIAS import of %s wrote nothing: %s",
            file.name,
            "; ".join(str(problem) for problem in result.problems[:50]),
        )
    return {**result.counts(), "applied": result.applied}


@no_authority_task(
    name="imports.tasks.discard_old_uploads",
    max_retries=2,
    soft_time_limit=60,
    time_limit=90,
)
def discard_old_uploads() -> int:
    """Uploaded SSDA903 files left behind by a preview nobody confirmed (or a confirm that
    failed) are removed a day after upload: children's records are not kept in files
    longer than the import needs them. Returns how many were removed."""
    return uploads.discard_old()
