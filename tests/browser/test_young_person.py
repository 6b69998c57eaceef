"""The young person's page and the accessibility statement in real Chromium: axe finds
nothing at 320, 375 and 1280 pixels, text reflows at 200 % zoom without scrolling
sideways, and "I need help" is reached with Tab and sent with Enter, or without
JavaScript."""

import uuid
from datetime import timedelta

import pytest

from epep.notifications.models import Notification
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps import services

from ..meetings.test_meetings import schedule
from ..peps.conftest import acting
from ..peps.test_cycle import TARGET, start
from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 375, 1280]
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def plan(world):
    pep = start(world)
    due = clock.today() + timedelta(days=60)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        services.target_save(
            actor=dt,
            pep=pep,
            fields={
                **TARGET,
                "due_date": due,
                "child_summary": "I will read a book each week with Ms Patel",
            },
        )
        services.target_save(actor=dt, pep=pep, fields={**TARGET, "due_date": due})
        services.action_add(
            actor=dt,
            pep=pep,
            description="Find a quiet place to read",
            owner="Ms Patel",
            due_date=due,
        )
    schedule(world, pep)
    return pep


def help_messages():
    with all_authorities_context():
        return Notification.objects.filter(dedupe_key__startswith="help:").count()


def young_person(browser, live_server, world, width, **options):
    return signed_in_page(
        browser,
        live_server,
        world.a.users[Role.YOUNG_PERSON],
        viewport={"width": width, "height": 900},
        **options,
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_my_school_plan_is_accessible_at_every_width(browser, live_server, world, width):
    plan(world)
    page = young_person(browser, live_server, world, width)
    page.goto(f"{live_server.url}/my/")
    assert page.title() == "My school plan – ePEP"
    assert page.get_by_text("I will read a book each week with Ms Patel").is_visible()
    assert page.get_by_text("Your teacher will explain this one.").is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert axe_violations(page) == []
    screenshot(page, f"young-person-home-{width}")
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_accessibility_statement_is_accessible_at_every_width(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Accessibility statement").click()
    page.get_by_role("heading", name="Accessibility statement for ePEP").wait_for()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert axe_violations(page) == []
    screenshot(page, f"accessibility-statement-{width}")


def test_text_reflows_at_200_percent_zoom(browser, live_server, world):
    """A 1280-pixel screen zoomed to 200 %: 640 CSS pixels at twice the density."""
    plan(world)
    page = young_person(browser, live_server, world, 640, device_scale_factor=2)
    for path in ("/my/", "/accessibility/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("window.innerWidth") == 640
        assert page.evaluate(NO_SIDEWAYS_SCROLL), path
    screenshot(page, "young-person-home-zoom-200")
    page.context.close()


def test_help_is_reached_by_tab_and_sent_by_enter_once(browser, live_server, world):
    plan(world)
    page = young_person(browser, live_server, world, 375, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/my/")
    button = page.get_by_test_id("help-button")
    for _ in range(80):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the help button")
    page.keyboard.press("Enter")
    page.get_by_text("We've told Social. They will get in touch.").wait_for()
    assert help_messages() == 1
    assert axe_violations(page) == []
    screenshot(page, "young-person-help-sent-375")
    page.context.close()


def test_help_works_without_javascript(browser, live_server, world):
    page = young_person(browser, live_server, world, 320, java_script_enabled=False)
    page.goto(f"{live_server.url}/my/")
    tap = page.locator("input[name=tap]").input_value()
    assert uuid.UUID(tap)
    page.get_by_role("button", name="I need help or something is wrong").click()
    page.get_by_text("We've told Social. They will get in touch.").wait_for()
    assert help_messages() == 1
    page.context.close()
