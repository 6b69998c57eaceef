"""The accessibility sweep of the young person's and the carer's portals in real Chromium:
every page and state (My Voice's steps, sharing nothing, "I need help", "You said, we
did", the sign-in, set-up and "make it safer" pages; the carer's home, views page and its
error, helping with My Voice) at 320, 375 and 1280 pixels: axe finds nothing and nothing
scrolls sideways; at 640 CSS pixels (a 1280-pixel window at 200 % zoom) text reflows with
no sideways scroll. Each state is reached once and checked at every width by resizing,
so the module stays quick. One keyboard-only journey: the child signs in and reaches My
Voice with Tab and Enter alone."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator

from epep.accounts.context import account_context
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from voice.models import MyVoiceAnswer
from voice.services.my_voice import my_voice_answer_link

from ..accounts.test_invitations import invite
from ..peps.conftest import acting
from ..portal.test_carer_portal import finalised_then_open
from .conftest import axe_violations, screenshot, signed_in_page
from .test_young_person import plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_WIDTHS = (320, 375, 1280)
#: A 1280-pixel window at 200 % zoom shows 640 CSS pixels.
ZOOMED = 640
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
#: What a classmate glancing at a child's screen must not read (the carer's own pages,
#: on the carer's device, keep the service's banner; their My Voice pages are checked).
FORBIDDEN = (r"\bCLA\b", r"(?i)looked after", r"(?i)\bin care\b")
LONG_ANSWER = "I like art 🎨 and drawing. أحب الرسم. " * 50


class Sweep:
    """Checks the page's current state at every width; collects what it finds so one run
    names every problem."""

    def __init__(self):
        self.problems: list = []
        self.checked: list[str] = []

    def __call__(self, page, name: str, *, words: bool = True) -> None:
        page.wait_for_load_state()
        if words:
            text = page.inner_text("body")
            for word in FORBIDDEN:
                if re.search(word, text):
                    self.problems.append((name, "says", word))
        for width in (*AXE_WIDTHS, ZOOMED):
            page.set_viewport_size({"width": width, "height": 800})
            if not page.evaluate(NO_SIDEWAYS_SCROLL):
                self.problems.append((name, width, "scrolls sideways"))
            if width in AXE_WIDTHS:
                found = axe_violations(page)
                if found:
                    self.problems.append((name, width, found))
        screenshot(page, f"yp-sweep-{name}")
        page.set_viewport_size({"width": 375, "height": 800})
        self.checked.append(name)


def _without_two_step(user) -> None:
    with account_context(user_id=user.pk):
        Authenticator.objects.filter(user_id=user.pk).delete()


def _helped_invitation(world):
    """The child's invitation sent to their carer, to help them set up."""
    return invite(
        world,
        inviter=Role.SOCIAL_WORKER,
        email="",
        full_name="In Circle",
        role=Role.YOUNG_PERSON,
        child=world.a.child,
        helper=world.a.users[Role.CARER],
    )


def _you_said_we_did(world, pep) -> None:
    """The designated teacher links the first shared answer to the PEP's first target."""
    with all_authorities_context():
        answer = MyVoiceAnswer.objects.filter(my_voice__pep=pep, share=True).first()
        target = pep.targets.first()
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        my_voice_answer_link(actor=dt, answer=answer, target=target)


def test_every_young_person_page_is_accessible(browser, live_server, world):
    pep = plan(world)
    sweep = Sweep()
    page = signed_in_page(
        browser, live_server, world.a.users[Role.YOUNG_PERSON], is_mobile=True, has_touch=True
    )
    page.goto(f"{live_server.url}/my/")
    sweep(page, "home")
    page.get_by_role("button", name="I need help or something is wrong").click()
    page.get_by_text("They will get in touch.").wait_for()
    sweep(page, "help-sent")

    page.get_by_role("link", name="Have your say").click()
    sweep(page, "my-voice-start")
    page.get_by_role("button", name="Start").click()
    sweep(page, "my-voice-about")
    page.get_by_label("Years 3 to 6").check()
    page.get_by_role("button", name="Save").click()
    sweep(page, "my-voice-overview")
    page.get_by_role("link", name="Start the questions").click()
    sweep(page, "my-voice-question-scale")
    page.get_by_label("Good", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Very good").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Question 3 of 9").wait_for()
    page.get_by_label("What is your best lesson? Why?").fill(LONG_ANSWER)
    sweep(page, "my-voice-question-text")
    page.get_by_role("button", name="Save and come back later").click()
    sweep(page, "my-voice-progress")
    page.get_by_role("link", name="Choose what to share").click()
    sweep(page, "my-voice-share")
    page.get_by_role("button", name="Share").click()
    page.get_by_text("You have not picked anything to share.").first.wait_for()
    sweep(page, "my-voice-share-confirm-empty")
    page.get_by_label("How do you feel about school?").check()
    page.get_by_role("button", name="Share").click()
    page.get_by_text("You shared 1 answer").wait_for()
    sweep(page, "my-voice-shared")
    _you_said_we_did(world, pep)
    page.goto(f"{live_server.url}/my-voice/")
    page.locator("#we-did").wait_for()
    sweep(page, "my-voice-you-said-we-did")
    page.context.close()

    # Signing in, setting up an account (alone or with a carer), making it safer.
    visitor = browser.new_page(viewport={"width": 375, "height": 800})
    visitor.goto(f"{live_server.url}/accounts/login/")
    sweep(visitor, "sign-in")
    visitor.get_by_label("Email address").fill("nobody@example.org")
    visitor.get_by_label("Password").fill("not the password")
    visitor.get_by_role("button", name="Sign in").click()
    visitor.locator(".govuk-error-summary").wait_for()
    sweep(visitor, "sign-in-error")
    _, token = invite(
        world,
        inviter=Role.SOCIAL_WORKER,
        email="in.own@example.org",
        full_name="In Circle",
        role=Role.YOUNG_PERSON,
        child=world.a.child,
    )
    _, helped = _helped_invitation(world)
    for name, link in (("set-up", token), ("set-up-helped", helped)):
        visitor.goto(f"{live_server.url}/invitations/{link}/")
        sweep(visitor, name)
        visitor.get_by_role("button", name="Make").click()
        visitor.locator(".govuk-error-summary").wait_for()
        sweep(visitor, f"{name}-error")
    visitor.goto(f"{live_server.url}/invitations/not-a-real-link/")
    sweep(visitor, "set-up-unusable")
    visitor.close()

    child = signed_in_page(browser, live_server, world.a.users[Role.YOUNG_PERSON])
    child.goto(f"{live_server.url}/accounts/make-it-safer/")
    sweep(child, "make-it-safer")
    child.goto(f"{live_server.url}/accessibility/")
    sweep(child, "accessibility-statement", words=False)
    child.context.close()
    assert sweep.problems == []
    assert len(sweep.checked) == 21


def test_every_carer_page_is_accessible(browser, live_server, world, settings, tmp_path):
    settings.PEP_PDF_ROOT = str(tmp_path / "pep-pdfs")
    finalised_then_open(world)
    _helped_invitation(world)
    sweep = Sweep()
    page = signed_in_page(browser, live_server, world.a.users[Role.CARER])
    page.goto(f"{live_server.url}/carer/")
    page.get_by_test_id("help-invitation").wait_for()
    sweep(page, "carer-home", words=False)
    page.get_by_role("link", name="Give your views").click()
    sweep(page, "carer-views", words=False)
    page.get_by_role("button", name="Save your views").click()
    page.locator(".govuk-error-summary").wait_for()
    sweep(page, "carer-views-error", words=False)
    page.goto(f"{live_server.url}/carer/")
    page.get_by_role("link", name="Help with My Voice").click()
    sweep(page, "carer-my-voice-start")
    page.get_by_role("button", name="Start").click()
    sweep(page, "carer-my-voice-about")
    page.get_by_label("Years 1 and 2").check()
    page.get_by_role("button", name="Save").click()
    sweep(page, "carer-my-voice-overview")
    page.get_by_role("link", name="Start the questions").click()
    sweep(page, "carer-my-voice-faces")
    page.get_by_label("Happy").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Question 3 of 7").wait_for()
    sweep(page, "carer-my-voice-pictures")
    page.context.close()
    assert sweep.problems == []
    assert len(sweep.checked) == 8


def test_the_child_signs_in_and_reaches_my_voice_by_keyboard_alone(browser, live_server, world):
    plan(world)
    person = world.a.users[Role.YOUNG_PERSON]
    _without_two_step(person)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")

    def tab_to(locator, limit=40):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if locator.evaluate("e => e === document.activeElement"):
                return
        pytest.fail(f"Tab never reached {locator}")

    tab_to(page.get_by_label("Email address"))
    page.keyboard.type(person.email)
    tab_to(page.get_by_label("Password"))
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/my/")
    tab_to(page.get_by_test_id("my-voice-link"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/my-voice/")
    assert page.title() == "My Voice – ePEP"
    page.close()
