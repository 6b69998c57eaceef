"""Finishing a PEP in real Chromium: the designated teacher asks the carer for her
views, the carer finds the request in her tasks and writes the section, the teacher
records that the social worker's views could not be obtained (a reason first) and
submits; the Virtual School sees the reason. axe on every page."""

import pytest

from epep.tenancy import clock
from epep.tenancy.roles import Role
from peps import services
from peps.models import Status

from ..peps.conftest import acting
from ..peps.test_cycle import COMPLETE, EDITOR_FOR, TARGET, move, start
from .conftest import axe_violations, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ready_but_for_the_carer_and_social_worker(world):
    """A PEP with its meeting held and everything written except the carer's and the
    social worker's views."""
    pep = start(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        for key, data in COMPLETE.items():
            if EDITOR_FOR[key] == Role.DESIGNATED_TEACHER:
                services.pep_section_save(actor=dt, pep=pep, key=key, data=data, base_version=0)
        services.target_save(actor=dt, pep=pep, fields=TARGET)
    move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=clock.today())
    return pep


def test_the_designated_teacher_finishes_a_pep_others_must_write_parts_of(
    browser, live_server, world
):
    a = world.a
    pep = _ready_but_for_the_carer_and_social_worker(world)
    pep_url = f"{live_server.url}/peps/{pep.public_id}/"
    carer = a.users[Role.CARER]

    # The teacher sees what is missing, each linked to its place on the page, and asks
    # the carer.
    dt = signed_in_page(browser, live_server, a.users[Role.DESIGNATED_TEACHER])
    dt.goto(pep_url)
    summary = dt.get_by_test_id("completeness")
    assert (
        summary.get_by_role(
            "link", name="The carer's views: How is the child settling at home? is missing."
        ).get_attribute("href")
        == "#section-carer_views"
    )
    assert axe_violations(dt) == []
    dt.locator("#section-carer_views").get_by_role("link", name="Ask someone to write it").click()
    dt.get_by_role("heading", level=1, name="Ask someone to write").wait_for()
    assert axe_violations(dt) == []
    dt.get_by_role("button", name="Send the request").click()
    assert "Choose who to ask." in dt.locator("#id_person-error").inner_text()
    assert axe_violations(dt) == []
    dt.get_by_label(f"{carer.full_name} (carer)").check()
    dt.get_by_label("Message (optional)").fill("Your views on this term, please.")
    dt.get_by_role("button", name="Send the request").click()
    assert f"Waiting for {carer.full_name}" in dt.locator("#section-carer_views").inner_text()
    dt.context.close()

    # The carer finds it in her tasks and writes the section.
    page = signed_in_page(browser, live_server, carer)
    page.goto(f"{live_server.url}/carer/")
    assert axe_violations(page) == []
    page.get_by_test_id("section-request-link").click()
    page.get_by_label("How is the child settling at home?", exact=True).and_(
        page.locator("textarea")
    ).fill("Much more settled this term.")
    page.get_by_label("How do they get on with school and homework?", exact=True).and_(
        page.locator("textarea")
    ).fill("Homework at the kitchen table.")
    page.wait_for_selector('[data-testid="saved-carer_views"]', timeout=10000)  # as she types
    page.goto(f"{live_server.url}/carer/")
    assert page.get_by_test_id("section-request-link").count() == 0
    page.context.close()

    # The teacher records that the social worker's views could not be obtained (a reason
    # is needed) and submits.
    dt = signed_in_page(browser, live_server, a.users[Role.DESIGNATED_TEACHER])
    dt.goto(pep_url)
    dt.locator("#section-social_worker_views").get_by_role(
        "link", name="Record that it could not be obtained"
    ).click()
    dt.get_by_role("button", name="Record that it could not be obtained").click()
    assert "Say why" in dt.locator("#id_reason-error").inner_text()
    assert axe_violations(dt) == []
    dt.get_by_label("Why could it not be obtained?").fill("Social worker on long-term leave.")
    dt.get_by_role("button", name="Record that it could not be obtained").click()
    assert (
        "Social worker on long-term leave."
        in dt.get_by_test_id("not-obtained-social_worker_views").inner_text()
    )
    assert dt.get_by_test_id("completeness").count() == 0
    assert axe_violations(dt) == []
    dt.get_by_role("button", name="Submit to the Virtual School").click()
    assert dt.get_by_test_id("pep-status").inner_text() == Status.SUBMITTED.label
    dt.context.close()

    # The Virtual School sees why in its quality assurance.
    vs = signed_in_page(browser, live_server, a.users[Role.VS_OFFICER])
    vs.goto(pep_url)
    assert (
        "Social worker on long-term leave."
        in vs.get_by_test_id("not-obtained-social_worker_views").inner_text()
    )
    vs.context.close()
