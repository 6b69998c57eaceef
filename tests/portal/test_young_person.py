"""The young person's page is safe for a child to open in a classroom: their plan in
their own words, their next meeting and who will be there, and one button to ask for
help. Never a compliance state, another child, a professional-only section or the words
a classmate could read over their shoulder ("CLA", "looked after", "in care")."""

import html
import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from children.models import Allocation
from children.permissions import can_ask_for_help
from epep.audit.models import AuditEvent
from epep.notifications.models import Notification
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps import services
from peps.models import Target

from ..meetings.test_meetings import schedule
from ..peps.conftest import acting
from ..peps.test_cycle import EDITOR_FOR, TARGET, start
from ..portal.test_young_person_page import deadline

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 10, 5)
EXPLAIN_LATER = "Your teacher will explain this one."
IN_MY_WORDS = "I will read a book each week with Ms Patel"

#: words a classmate glancing at the screen must never read, and compliance states
FORBIDDEN_WORDS = (
    "CLA",
    "looked after",
    "looked-after",
    "in care",
    "Overdue",
    "Due by",
    "Due soon",
    "Due today",
    "deadline",
    "status",
    "Draft",
    "Submitted",
    "Finalised",
)
#: professional-only sections (peps/sections.py) and their fields' labels
FORBIDDEN_SECTIONS = (
    "Needs and barriers to learning",
    "Learning needs and barriers",
    "Social, emotional and mental health",
    "Attachment, trauma and developmental needs",
    "The social worker's views",
)


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join(f"{title} {text}".split()))


def assert_safe_for_a_child(world, page: str) -> None:
    text = visible_text(page)
    for word in FORBIDDEN_WORDS:
        pattern = rf"\b{re.escape(word)}\b"
        flags = 0 if word.isupper() else re.I
        assert not re.search(pattern, text, flags), f"{word!r} on a young person's page"
    for title in FORBIDDEN_SECTIONS:
        assert title.lower() not in text.lower(), f"{title!r} on a young person's page"
    assert f"Out {world.a.other_child.legal_last_name}" not in text
    assert TARGET["description"] not in text  # the professional wording
    assert TARGET["success_measure"] not in text


def as_young_person(client, world):
    client.force_login(world.a.users[Role.YOUNG_PERSON])
    return client


@pytest.fixture
def full_plan(world, clock_at):
    """A plan with everything a professional could see: a deadline long missed, targets
    with and without the child's words, actions, the needs and the social worker's views
    filled in, and a meeting booked."""
    clock_at(TODAY)
    deadline(world, date(2021, 11, 16))
    pep = start(world)
    due = TODAY + timedelta(days=60)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        services.target_save(
            actor=dt, pep=pep, fields={**TARGET, "due_date": due, "child_summary": IN_MY_WORDS}
        )
        services.target_save(actor=dt, pep=pep, fields={**TARGET, "due_date": due})
        services.action_add(
            actor=dt,
            pep=pep,
            description="Find a quiet place to read",
            owner="Ms Patel",
            due_date=due,
        )
    schedule(world, pep, starts_at=datetime(2026, 10, 13, 16, 0, tzinfo=LONDON))
    return pep


def test_the_page_shows_the_plan_in_the_childs_words_and_the_next_meeting(client, world, full_plan):
    response = as_young_person(client, world).get("/my/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert text.startswith("My school plan – ePEP")
    assert IN_MY_WORDS in text
    assert EXPLAIN_LATER in text  # the target without the child's words
    assert "Ms Patel: Find a quiet place to read" in text
    assert "Tuesday 13 October 2026 at 4:00pm, Shared Academy, meeting room 2" in text
    assert "Who will be there" in text
    assert "school.nurse@example.org" in text
    assert "I need help or something is wrong" in text
    assert_safe_for_a_child(world, response.content.decode())


def test_no_young_person_page_shows_professional_words_or_sections(client, world, full_plan):
    for key, data in {
        "needs": {"learning": "Dyslexia", "attachment": "Attachment difficulties"},
        "social_worker_views": {"text": "Placement stable"},
    }.items():
        with acting(world.a.users[EDITOR_FOR[key]]) as editor:
            section = full_plan.sections.get(key=key)
            services.pep_section_save(
                actor=editor, pep=full_plan, key=key, data=data, base_version=section.version
            )
    client = as_young_person(client, world)
    pages = [client.get("/my/").content.decode()]
    after_help = client.post("/my/help/", {"tap": str(uuid.uuid4())}, follow=True)
    pages.append(after_help.content.decode())
    for page in pages:
        assert_safe_for_a_child(world, page)
        assert "Dyslexia" not in page and "Attachment difficulties" not in page
        assert "Placement stable" not in page
        assert "16 November 2021" not in page


def test_the_safety_check_would_catch_a_forbidden_word(world):
    with pytest.raises(AssertionError):
        assert_safe_for_a_child(world, "<title>CLA review</title><p>Hello</p>")
    with pytest.raises(AssertionError):
        assert_safe_for_a_child(world, "<title>x</title><p>Children in care</p>")
    with pytest.raises(AssertionError):
        assert_safe_for_a_child(world, "<title>x</title><h2>The social worker's views</h2>")


def test_a_professional_never_reaches_the_young_persons_page(client, world):
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    assert client.get("/my/").status_code == 404
    assert client.post("/my/help/", {"tap": str(uuid.uuid4())}).status_code == 404


def test_another_childs_url_is_a_404_for_a_young_person(client, world):
    client = as_young_person(client, world)
    assert client.get(f"/children/{world.a.other_child.public_id}/").status_code == 404
    assert client.get(f"/children/{world.b.child.public_id}/").status_code == 404


def _help_sent(world):
    with all_authorities_context():
        return list(
            Notification.objects.filter(dedupe_key__startswith="help:")
            .order_by("pk")
            .values_list("recipient__email", "subject")
        )


def _help_audited(world):
    with all_authorities_context():
        return AuditEvent.objects.filter(action="help_request").count()


def test_help_goes_to_the_social_worker_once_for_a_double_tap(client, world, clock_at):
    clock_at(TODAY)
    social_worker = world.a.users[Role.SOCIAL_WORKER]
    social_worker.full_name = "Priya Shah"
    social_worker.save()
    client = as_young_person(client, world)
    tap = str(uuid.uuid4())
    first = client.post("/my/help/", {"tap": tap}, follow=True)
    second = client.post("/my/help/", {"tap": tap}, follow=True)
    for response in (first, second):
        assert "We've told Priya. They will get in touch." in visible_text(
            response.content.decode()
        )
    assert _help_sent(world) == [(social_worker.email, "ePEP: In has asked for help")]
    assert _help_audited(world) == 1
    client.post("/my/help/", {"tap": str(uuid.uuid4())})  # asking again, later
    assert len(_help_sent(world)) == 2
    assert _help_audited(world) == 2


def test_help_goes_to_the_virtual_school_without_a_social_worker(client, world, clock_at):
    clock_at(TODAY)
    with all_authorities_context():
        Allocation.objects.filter(child=world.a.child, kind=Role.SOCIAL_WORKER).delete()
    response = as_young_person(client, world).post(
        "/my/help/", {"tap": str(uuid.uuid4())}, follow=True
    )
    page = visible_text(response.content.decode())
    assert "We've told the Virtual School. They will get in touch." in page
    assert sorted(email for email, _ in _help_sent(world)) == sorted(
        [world.a.users[Role.VS_HEAD].email, world.a.users[Role.VS_OFFICER].email]
    )
    assert _help_audited(world) == 1


def test_a_tap_with_a_broken_form_still_asks_for_help(client, world, clock_at):
    clock_at(TODAY)
    response = as_young_person(client, world).post("/my/help/", {"tap": "nonsense"})
    assert response.status_code == 302
    assert len(_help_sent(world)) == 1


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_only_the_young_person_may_ask_for_help_for_themself(world, role):
    from children.permissions import resolve_actor

    with all_authorities_context():
        actor = resolve_actor(world.a.users[role], role)
        assert can_ask_for_help(actor, world.a.child) is (role == Role.YOUNG_PERSON)
        assert can_ask_for_help(actor, world.a.other_child) is False


def test_the_designated_teacher_writes_the_target_in_the_childs_words(client, world, clock_at):
    clock_at(TODAY)
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    page = client.get(f"/peps/{pep.public_id}/").content.decode()
    assert "Write it so the child understands: &#x27;I will read a book each week" in page
    due = TODAY + timedelta(days=60)
    response = client.post(
        f"/peps/{pep.public_id}/targets/",
        {
            **{k: v for k, v in TARGET.items() if k != "ppplus_cost_pence"},
            "due_date": due.isoformat(),
            "child_summary": IN_MY_WORDS,
        },
    )
    assert response.status_code == 302
    with all_authorities_context():
        assert Target.objects.get(pep=pep).child_summary == IN_MY_WORDS


def test_the_accessibility_statement_is_public_and_in_every_footer(client, world):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    for part in (
        "This service is partially compliant",
        "signed out 12 hours after signing in",
        "Reporting accessibility problems with this service",
        "Equality and Human Rights Commission (EHRC)",
        "Equality Commission for Northern Ireland (ECNI)",
        "This statement was prepared on 7 December 2026",
    ):
        assert part in text
    for page in (client.get("/accounts/login/"), as_young_person(client, world).get("/my/")):
        assert 'href="/accessibility/">Accessibility statement</a>' in page.content.decode()


@pytest.mark.django_db
def test_the_young_persons_page_leads_to_my_voice(client, world):
    client.force_login(world.a.users[Role.YOUNG_PERSON])
    page = client.get("/my/").content.decode()
    assert 'href="/my-voice/"' in page and "Have your say" in page
