"""The finalised record's fingerprint on the PEP page fits a 375-pixel phone: the
64-character SHA-256 wraps inside its box instead of running off the screen. (Only the
fingerprint's box is measured: the attainment table further down the page is wider than
a phone on its own account.)"""

from unittest import mock

import pytest

from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps.models import Pep
from peps.tasks import render_finalised_pep_pdf

from ..peps.test_cycle import fill, finalise, start
from .conftest import screenshot
from .test_session_timeout import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_fingerprint_wraps_on_a_phone(browser, live_server, world, settings, tmp_path):
    settings.PEP_PDF_ROOT = str(tmp_path / "pep-pdfs")
    pep = start(world)
    fill(world, pep)
    with mock.patch.object(render_finalised_pep_pdf, "delay"):
        pep = finalise(world, pep)
    render_finalised_pep_pdf.run(pep.pk, world.a.la.pk)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        sha = Pep.objects.get(pk=pep.pk).pdf_sha256

    page = signed_in_page(
        browser,
        live_server,
        world.a.users[Role.VS_OFFICER],
        viewport={"width": 375, "height": 740},
        is_mobile=True,
    )
    page.goto(f"{live_server.url}/peps/{pep.public_id}/")
    code = page.locator("#pdf-sha256")
    assert code.inner_text() == sha
    page.get_by_text("How to check a copy").click()
    box = code.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert box["height"] > 30  # on more than one line
    block = page.get_by_test_id("pdf-fingerprint")
    assert block.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing sticks out
    right = block.evaluate("el => el.getBoundingClientRect().right")
    assert right <= 375
    screenshot(page, "pep-fingerprint-phone")
    page.context.close()
