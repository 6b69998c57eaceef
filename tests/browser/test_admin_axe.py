"""The Django admin as Virtual School staff use it (their quality-assurance workspace):
the children's list, a child's record and the add form have no axe-core violations
(WCAG 2.2 AA) in real Chromium, on a desktop and on a phone."""

import pytest

from epep.tenancy.roles import Role

from .conftest import axe_violations
from .test_session_timeout import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(world):
    """A Virtual School officer (a membership, not a superuser) who may use the admin."""
    return world.a.users[Role.VS_OFFICER]


def pages(world) -> dict[str, str]:
    return {
        "index": "/admin/",
        "child list": "/admin/children/child/",
        "child list, searched": "/admin/children/child/?q=Circle",
        "child record": f"/admin/children/child/{world.a.child.pk}/change/",
        "add a child": "/admin/children/child/add/",
    }


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_admin_pages_virtual_school_staff_use_have_no_axe_violations(
    browser, live_server, world, officer, viewport
):
    page = signed_in_page(browser, live_server, officer, viewport=viewport)
    found = {}
    for name, url in pages(world).items():
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, name
        page.wait_for_load_state("networkidle")
        if name == "child record":
            # Every inline with a row of its own (the empty-form templates are hidden).
            for group in ("enrolments", "placements", "allocations"):
                page.locator(f"#{group}-group .add-row a").click()
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    page.context.close()
    assert found == {}
