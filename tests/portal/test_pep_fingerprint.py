"""A finalised PEP's page shows the fingerprint (SHA-256) of the PDF archived at
finalisation, with how to check a copy against it; the fingerprint is that of the file
people download. A PEP in progress, or one whose PDF is still being prepared, shows none."""

import hashlib
import re
from unittest import mock

import pytest

from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps import pdf
from peps.models import Pep
from peps.tasks import render_finalised_pep_pdf

from ..peps.test_cycle import fill, finalise, start

pytestmark = pytest.mark.django_db

SHOWN = re.compile(r'<code id="pdf-sha256">([0-9a-f]{64})</code>')


@pytest.fixture
def archive(settings, tmp_path):
    settings.PEP_PDF_ROOT = str(tmp_path / "pep-pdfs")


def finalised_pep(world):
    pep = start(world)
    fill(world, pep)
    with mock.patch.object(render_finalised_pep_pdf, "delay"):
        return finalise(world, pep)


def stored(pep) -> Pep:
    with authority_context(local_authority_ids=[pep.local_authority_id]):
        return Pep.objects.get(pk=pep.pk)


@pytest.mark.parametrize("role", [Role.VS_OFFICER, Role.DESIGNATED_TEACHER, Role.SOCIAL_WORKER])
def test_the_finalised_pep_page_shows_the_archived_pdfs_fingerprint(client, world, archive, role):
    pep = finalised_pep(world)
    render_finalised_pep_pdf.run(pep.pk, world.a.la.pk)
    pep = stored(pep)
    archived = pdf.archive_absolute_path(pep.pdf_path).read_bytes()

    client.force_login(world.a.users[role])
    page = client.get(f"/peps/{pep.public_id}/").content.decode()
    [shown] = SHOWN.findall(page)
    assert shown == hashlib.sha256(archived).hexdigest() == pep.pdf_sha256
    assert "Fingerprint of the finalised record" in page
    assert "sha256sum file.pdf" in page and "Get-FileHash file.pdf" in page
    # Wrapped on a narrow screen rather than running off it.
    assert 'class="govuk-body govuk-!-text-break-word"><code id="pdf-sha256">' in page

    # The file a person downloads has that fingerprint.
    download = client.get(f"/peps/{pep.public_id}/pdf/")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == shown


def test_no_fingerprint_before_the_pdf_is_archived_or_while_in_progress(client, world, archive):
    client.force_login(world.a.users[Role.VS_OFFICER])
    in_progress = start(world)
    page = client.get(f"/peps/{in_progress.public_id}/").content.decode()
    assert "Fingerprint" not in page and not SHOWN.search(page)

    fill(world, in_progress)
    with mock.patch.object(render_finalised_pep_pdf, "delay"):
        pep = finalise(world, in_progress)  # the archive job has not run yet
    page = client.get(f"/peps/{pep.public_id}/").content.decode()
    assert "Fingerprint" not in page and not SHOWN.search(page)
