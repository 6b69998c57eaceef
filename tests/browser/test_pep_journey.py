"""The PEP in real Chromium: a full journey from a new PEP to finalised through every role
that takes part, concurrent saves (different sections both stand; the same section shows a
conflict and loses nothing), and a long entry surviving a network failure."""

from datetime import timedelta

import pytest

from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps.models import Pep, PepSection

from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(browser, live_server, user, **context_kwargs):
    """A browser context and page signed in as ``user``."""
    page = signed_in_page(browser, live_server, user, **context_kwargs)
    return page.context, page


def field(page, label):
    """The form control labelled ``label`` (a section with the same name is not it)."""
    return page.get_by_label(label, exact=True).and_(page.locator("input, textarea, select"))


def section_data(pep, key):
    with all_authorities_context():
        return PepSection.objects.get(pep=pep, key=key).data


def wait_saved(page, key):
    page.wait_for_selector(f'[data-testid="saved-{key}"]', timeout=10000)


def test_from_a_new_pep_to_finalised_through_every_role(browser, live_server, world):
    a = world.a
    # The social worker starts the PEP from the child's page.
    ctx, sw = as_user(browser, live_server, a.users[Role.SOCIAL_WORKER])
    sw.goto(f"{live_server.url}/children/{a.child.public_id}/")
    sw.get_by_role("link", name="Start a PEP").click()
    field(sw, "What kind of PEP is this?").select_option("termly")
    sw.get_by_role("button", name="Start the PEP").click()
    sw.get_by_role("heading", level=1, name="Personal Education Plan").wait_for()
    pep_url = sw.url
    assert axe_violations(sw) == []
    field(sw, "The social worker's views").fill("Placement is stable; contact with mum monthly.")
    wait_saved(sw, "social_worker_views")
    ctx.close()

    # The designated teacher fills in the school's sections; they save as she types.
    ctx, dt = as_user(browser, live_server, a.users[Role.DESIGNATED_TEACHER])
    dt.goto(pep_url)
    field(dt, "Attendance this term (%)").fill("96.5")
    field(dt, "Sessions missed this term").fill("4")
    field(dt, "Is the child in full-time education?").select_option("yes")
    wait_saved(dt, "education")
    fills = {
        "achievements": (
            "What has the child achieved and what are they good at?",
            "Star of the week.",
        ),
        "needs": ("Learning needs and barriers", "Reading fluency below age expectations."),
        "support": ("Catch-up and learning support", "Daily 1:1 reading."),
        "aspirations": ("What does the child want to do in the future?", "A vet."),
        "activities": ("Clubs, hobbies, study support and interests", "Football club."),
        "child_views": ("What the child says about school and their plan", "I like maths."),
        "designated_teacher_views": ("The designated teacher's views", "Good progress."),
    }
    for key, (label, text) in fills.items():
        field(dt, label).fill(text)
        wait_saved(dt, key)
    dt.get_by_text("Add a target").click()
    field(dt, "What will be achieved?").fill("Read a 100-page book independently")
    field(dt, "How will success be measured?").fill("Reading age up 6 months")
    field(dt, "Who is responsible?").fill("Ms Patel, class teacher")
    field(dt, "By when?").fill((clock.today() + timedelta(days=60)).isoformat())
    field(dt, "Intervention or strategy").fill("Daily 1:1 reading")
    field(dt, "Expected outcome").fill("Reads fluently")
    field(dt, "Pupil Premium Plus cost (optional)").fill("450")
    dt.get_by_role("button", name="Add target").click()
    dt.get_by_test_id("targets-table").wait_for()
    assert "£450.00" in dt.get_by_test_id("targets-table").inner_text()
    ctx.close()

    # The carer adds her views.
    ctx, carer = as_user(browser, live_server, a.users[Role.CARER])
    carer.goto(pep_url)
    field(carer, "How is the child settling at home?").fill("Much more settled this term.")
    field(carer, "How do they get on with school and homework?").fill("Homework after tea.")
    wait_saved(carer, "carer_views")
    assert axe_violations(carer) == []
    ctx.close()

    # The social worker records the meeting.
    ctx, sw = as_user(browser, live_server, a.users[Role.SOCIAL_WORKER])
    sw.goto(pep_url)
    field(sw, "Date of the PEP meeting").fill(clock.today().isoformat())
    sw.get_by_role("button", name="Record that the meeting was held").click()
    assert sw.get_by_test_id("pep-status").inner_text() == "Meeting held"
    ctx.close()

    # The designated teacher submits.
    ctx, dt = as_user(browser, live_server, a.users[Role.DESIGNATED_TEACHER])
    dt.goto(pep_url)
    dt.get_by_role("button", name="Submit to the Virtual School").click()
    assert dt.get_by_test_id("pep-status").inner_text() == "Submitted to the Virtual School"
    ctx.close()

    # The Virtual School returns it once, the teacher resubmits, then it is approved and
    # finalised.
    ctx, vs = as_user(browser, live_server, a.users[Role.VS_OFFICER])
    vs.goto(pep_url)
    field(vs, "What needs to change?").fill("Add the maths baseline, please.")
    vs.get_by_role("button", name="Return for amendments").click()
    assert vs.get_by_test_id("pep-status").inner_text() == "Returned for amendments"
    ctx.close()
    ctx, dt = as_user(browser, live_server, a.users[Role.DESIGNATED_TEACHER])
    dt.goto(pep_url)
    assert "Add the maths baseline, please." in dt.content()
    dt.get_by_role("button", name="Submit again to the Virtual School").click()
    ctx.close()
    ctx, vs = as_user(browser, live_server, a.users[Role.VS_OFFICER])
    vs.goto(pep_url)
    vs.get_by_role("button", name="Approve").click()
    vs.get_by_role("button", name="Finalise and lock").click()
    assert vs.get_by_test_id("pep-status").inner_text() == "Finalised"
    assert axe_violations(vs) == []
    screenshot(vs, "pep-finalised")
    ctx.close()
    with all_authorities_context():
        pep = Pep.objects.get(child=a.child)
        assert [t.to_status for t in pep.transitions.all()] == [
            "meeting_held",
            "submitted",
            "returned",
            "submitted",
            "approved",
            "finalised",
        ]


def test_two_people_editing_at_once(browser, live_server, world):
    from ..peps.test_cycle import start

    pep = start(world)
    url = f"{live_server.url}/peps/{pep.public_id}/"
    ctx1, dt = as_user(browser, live_server, world.a.users[Role.DESIGNATED_TEACHER])
    ctx2, carer = as_user(browser, live_server, world.a.users[Role.CARER])
    dt.goto(url)
    carer.goto(url)
    # Different sections: both saves stand.
    field(dt, "Learning needs and barriers").fill("Teacher's text")
    field(carer, "How is the child settling at home?").fill("Carer's text")
    wait_saved(dt, "needs")
    wait_saved(carer, "carer_views")
    assert section_data(pep, "needs")["learning"] == "Teacher's text"
    assert section_data(pep, "carer_views")["settling"] == "Carer's text"
    # The same section: the second save is a conflict showing both texts; nothing is lost.
    label = "What has the child achieved and what are they good at?"
    field(dt, label).fill("Teacher: star of the week")
    wait_saved(dt, "achievements")
    field(carer, label).fill("Carer: learnt to swim")
    carer.get_by_test_id("conflict-achievements").wait_for(timeout=10000)
    assert "Teacher: star of the week" in carer.get_by_test_id("theirs-achievements").inner_text()
    assert field(carer, label).input_value() == "Carer: learnt to swim"
    assert section_data(pep, "achievements")["text"] == "Teacher: star of the week"
    screenshot(carer, "pep-conflict")
    assert axe_violations(carer) == []
    carer.get_by_role("button", name="Replace their version with mine").click()
    carer.wait_for_timeout(1000)
    assert section_data(pep, "achievements")["text"] == "Carer: learnt to swim"
    ctx1.close()
    ctx2.close()


def test_a_long_entry_survives_a_network_failure(browser, live_server, world):
    from ..peps.test_cycle import start

    pep = start(world)
    ctx, dt = as_user(browser, live_server, world.a.users[Role.DESIGNATED_TEACHER])
    dt.goto(f"{live_server.url}/peps/{pep.public_id}/")
    long_text = "A long account of the term. " * 200
    ctx.set_offline(True)
    field(dt, "Learning needs and barriers").fill(long_text)
    status = dt.locator("#meta-needs .epep-saved-status")
    status.filter(has_text="Not saved").wait_for(timeout=10000)
    assert field(dt, "Learning needs and barriers").input_value() == long_text
    assert section_data(pep, "needs") == {}
    screenshot(dt, "pep-offline")
    ctx.set_offline(False)
    dt.wait_for_selector('[data-testid="saved-needs"]', timeout=15000)
    assert section_data(pep, "needs")["learning"] == long_text.strip()
    ctx.close()
