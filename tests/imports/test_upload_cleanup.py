"""Uploaded SSDA903 files a preview left behind are removed a day after upload, by the
nightly task; a file uploaded today stays for its confirm."""

from __future__ import annotations

import os
import time

import pytest

from imports.ssda903 import uploads
from imports.tasks import discard_old_uploads


@pytest.mark.django_db
def test_the_nightly_task_removes_uploads_older_than_a_day_and_keeps_todays(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old = uploads.store(b"CHILD,SEX\n1,1\n", authority_id=7)
    fresh = uploads.store(b"CHILD,SEX\n2,2\n", authority_id=7)
    day_and_a_minute_ago = time.time() - uploads.KEEP_SECONDS - 60
    os.utime(uploads.path_for(old), (day_and_a_minute_ago, day_and_a_minute_ago))

    assert discard_old_uploads.apply().get() == 1

    assert not uploads.path_for(old).exists()
    assert uploads.read(fresh, authority_id=7) == b"CHILD,SEX\n2,2\n"
