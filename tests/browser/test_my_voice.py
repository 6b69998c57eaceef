"""My Voice in real Chromium: on a 375-pixel phone a KS2 child answers over several
pages, saves, comes back where they stopped and shares part; the designated teacher sees
exactly the shared part and links a point to a target. axe finds nothing on any page at
320, 375 and 1280 pixels, and no page scrolls sideways."""

import pytest

from epep.tenancy.roles import Role
from peps import services

from ..peps.conftest import acting
from ..peps.test_cycle import TARGET, start
from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 375, 1280]
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def _check(page, name):
    assert page.evaluate(NO_SIDEWAYS_SCROLL), name
    assert axe_violations(page) == [], name
    screenshot(page, name)


def _child(browser, live_server, world, width):
    return signed_in_page(
        browser,
        live_server,
        world.a.users[Role.YOUNG_PERSON],
        viewport={"width": width, "height": 800},
        is_mobile=width < 1000,
        has_touch=width < 1000,
    )


def _answer_and_share(page, live_server, width):
    page.goto(f"{live_server.url}/my-voice/")
    assert page.title() == "My Voice – ePEP"
    _check(page, f"my-voice-start-{width}")
    page.get_by_role("button", name="Start").click()
    page.get_by_label("Years 3 to 6").check()
    page.get_by_label("I had help from").fill("My carer Sam")
    page.get_by_role("button", name="Save").click()
    _check(page, f"my-voice-overview-{width}")
    page.get_by_role("link", name="Start the questions").click()
    assert page.get_by_text("Question 1 of 9").is_visible()
    page.get_by_label("Good", exact=True).check()
    _check(page, f"my-voice-question-scale-{width}")
    page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_text("Question 2 of 9").is_visible()
    page.get_by_label("Very good").check()
    page.get_by_role("button", name="Save and come back later").click()
    assert page.get_by_text("You have answered 2 of 9 questions.").is_visible()
    # coming back: carry on at the first question not answered
    page.get_by_role("link", name="Carry on").click()
    assert page.get_by_text("Question 3 of 9").is_visible()
    page.get_by_label("What is your best lesson? Why?").fill("Art, because I can draw 🎨")
    _check(page, f"my-voice-question-text-{width}")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Back").click()
    assert page.get_by_label("What is your best lesson? Why?").input_value() == (
        "Art, because I can draw 🎨"
    )
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("What helps you at school?").fill("I miss my brother")
    page.get_by_role("button", name="Save and come back later").click()
    page.get_by_role("link", name="Choose what to share").click()
    # sharing nothing asks to confirm first
    page.get_by_role("button", name="Share").click()
    assert page.get_by_text("You have not picked anything to share.").first.is_visible()
    _check(page, f"my-voice-share-error-{width}")
    page.get_by_label("How do you feel about school?").check()
    page.get_by_label("What is your best lesson? Why?").check()
    _check(page, f"my-voice-share-{width}")
    page.get_by_role("button", name="Share").click()
    assert page.get_by_text("You shared 2 answers").is_visible()
    _check(page, f"my-voice-shared-{width}")


def test_a_ks2_child_on_a_phone_and_the_designated_teacher(browser, live_server, world):
    pep = start(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        services.target_save(actor=dt, pep=pep, fields=TARGET)
    page = _child(browser, live_server, world, 375)
    _answer_and_share(page, live_server, 375)
    page.context.close()

    dt = signed_in_page(browser, live_server, world.a.users[Role.DESIGNATED_TEACHER])
    dt.goto(f"{live_server.url}/peps/{pep.public_id}/")
    dt.get_by_role("link", name="My Voice: what the child shared before the meeting").click()
    answers = dt.locator("[data-answer]")
    assert answers.all_inner_texts() == ["Good", "Art, because I can draw 🎨"]
    assert dt.get_by_text("I miss my brother").count() == 0
    assert dt.get_by_text("My carer Sam").is_visible()
    _check(dt, "my-voice-pep-1280")
    dt.get_by_label("You said, we did: the target or action").last.select_option(
        label=f"Target: {TARGET['description']}"
    )
    dt.get_by_role("button", name="Save link for “What is your best lesson? Why?”").click()
    assert dt.get_by_text(f"You said, we did: target “{TARGET['description']}”").is_visible()
    dt.context.close()

    # the child sees "You said, we did" on their phone
    page = _child(browser, live_server, world, 375)
    page.goto(f"{live_server.url}/my-voice/")
    we_did = page.locator("#we-did")
    assert "You said: Art, because I can draw 🎨" in we_did.inner_text()
    assert "What happens now: Your teacher will explain this one." in we_did.inner_text()
    _check(page, "my-voice-we-did-375")
    page.context.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_every_page_is_accessible_at_the_other_widths(browser, live_server, world, width):
    pep = start(world)
    page = _child(browser, live_server, world, width)
    _answer_and_share(page, live_server, width)
    page.context.close()
    dt = signed_in_page(
        browser,
        live_server,
        world.a.users[Role.DESIGNATED_TEACHER],
        viewport={"width": width, "height": 800},
    )
    dt.goto(f"{live_server.url}/my-voice/peps/{pep.public_id}/")
    _check(dt, f"my-voice-pep-{width}")
    dt.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_faces_and_pictures_and_the_carer_helping_are_accessible(
    browser, live_server, world, width
):
    start(world)
    carer = signed_in_page(
        browser,
        live_server,
        world.a.users[Role.CARER],
        viewport={"width": width, "height": 800},
    )
    carer.goto(f"{live_server.url}/my-voice/children/{world.a.child.public_id}/")
    assert carer.get_by_text("Help In Circle886 tell the adults").is_visible()
    _check(carer, f"my-voice-carer-start-{width}")
    carer.get_by_role("button", name="Start").click()
    carer.get_by_label("Years 1 and 2").check()
    carer.get_by_role("button", name="Save").click()
    carer.get_by_role("link", name="Start the questions").click()
    assert carer.get_by_role("heading", name="How do you feel at school?").is_visible()
    assert carer.get_by_label("Happy").is_visible()
    _check(carer, f"my-voice-faces-{width}")
    carer.get_by_label("Happy").check()
    carer.get_by_role("button", name="Save and continue").click()
    carer.get_by_role("button", name="Save and continue").click()
    assert carer.get_by_text("Question 3 of 7").is_visible()
    carer.get_by_label("Books and stories").check()
    carer.get_by_label("Music and singing").check()
    _check(carer, f"my-voice-pictures-{width}")
    carer.get_by_role("button", name="Save and come back later").click()
    assert carer.get_by_text("You have answered 2 of 7 questions.").is_visible()
    carer.context.close()


def test_a_question_by_keyboard_alone(browser, live_server, world):
    start(world)
    page = _child(browser, live_server, world, 375)
    page.goto(f"{live_server.url}/my-voice/")
    page.get_by_role("button", name="Start").focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Start the questions").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/questions/1/")
    first = page.locator("input[type=radio]").first
    first.focus()
    page.keyboard.press("Space")
    assert first.is_checked()
    page.keyboard.press("Tab")  # to the next group of controls: the first button
    assert page.evaluate("document.activeElement.textContent.trim()") == "Save and continue"
    page.keyboard.press("Enter")
    page.wait_for_url("**/questions/2/")
    page.context.close()


def test_answer_and_share_without_javascript(browser, live_server, world):
    start(world)
    page = signed_in_page(
        browser,
        live_server,
        world.a.users[Role.YOUNG_PERSON],
        viewport={"width": 375, "height": 800},
        java_script_enabled=False,
    )
    page.goto(f"{live_server.url}/my-voice/")
    page.get_by_role("button", name="Start").click()
    page.get_by_role("link", name="Start the questions").click()
    page.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_text("Question 2 of").is_visible()
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Choose what to share").click()
    page.locator("input[name=share]").first.check()
    page.get_by_role("button", name="Share").click()
    assert page.get_by_text("You shared 1 answer").is_visible()
    page.context.close()
