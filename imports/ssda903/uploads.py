"""The uploaded extract kept between the preview and the confirm, privately (as
``peps.attachments`` keeps documents): ``MEDIA_ROOT/imports/<authority id>/<random hex>``,
no extension, under no URL, written to a temporary file (0600) and moved into place.
The confirm reads the very files the preview read."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path
from uuid import uuid4

from django.conf import settings

_NAME = re.compile(r"^\d+/[0-9a-f]{32}$")
#: Kept this long after upload (an abandoned preview), then removed by ``discard_old``.
KEEP_SECONDS = 24 * 60 * 60


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def path_for(storage_name: str) -> Path:
    if not _NAME.match(storage_name or ""):
        raise ValueError(f"Not a storage name: {storage_name!r}")
    return root() / storage_name


def store(data: bytes, *, authority_id: int) -> str:
    directory = root() / str(int(authority_id))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{int(authority_id)}/{uuid4().hex}"
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path_for(name))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return name


def read(storage_name: str, *, authority_id: int) -> bytes | None:
    """The stored file, or ``None`` when it is gone or belongs to another authority."""
    if not storage_name.startswith(f"{int(authority_id)}/"):
        return None
    try:
        return path_for(storage_name).read_bytes()
    except (OSError, ValueError):
        return None


def discard(storage_name: str) -> None:
    path_for(storage_name).unlink(missing_ok=True)


def discard_old(*, older_than: int = KEEP_SECONDS) -> int:
    """Remove uploads older than ``older_than`` seconds; how many."""
    cutoff, removed = time.time() - older_than, 0
    for path in root().glob("*/*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
