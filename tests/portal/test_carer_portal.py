"""The carer's portal: the children placed with them now, each child's next PEP meeting
with its .ics, the actions the PEP gives the carer, a task to give their views before the
meeting (saved into the PEP's "The carer's views" with no lost edits), the latest
finalised PEP to download; a child no longer placed, or another carer's child, is a 404."""

import re
from datetime import date, timedelta
from unittest import mock

import pytest

from children.models import Placement
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps import services
from peps.models import Action, Pep, PepSection
from peps.tasks import render_finalised_pep_pdf

from ..factories import ChildFactory, EnrolmentFactory, PlacementFactory
from ..meetings.test_meetings import next_on, schedule
from ..peps.conftest import acting
from ..peps.test_cycle import fill, finalise, next_term, start

pytestmark = pytest.mark.django_db

HOME = "/carer/"


@pytest.fixture
def archive(settings, tmp_path):
    settings.PEP_PDF_ROOT = str(tmp_path / "pep-pdfs")


def finalised_then_open(world) -> tuple[Pep, Pep]:
    """Last term's PEP finalised (its PDF archived), this term's open with a meeting
    booked and three actions: one for "Foster carer", one by the carer's name, one for the
    school."""
    first = start(world)
    fill(world, first)
    with mock.patch.object(render_finalised_pep_pdf, "delay"):
        first = finalise(world, first)
    render_finalised_pep_pdf.run(first.pk, first.local_authority_id)
    pep = start(world, **next_term(first))
    schedule(world, pep, starts_at=next_on(7, 15, 16, 30), location="Shared Academy, room 2")
    carer_name = world.a.users[Role.CARER].full_name
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        for description, owner in (
            ("Read with her for 10 minutes each evening", "Foster carer"),
            ("Bring the reading record to the meeting", carer_name.upper()),
            ("Book the reading tutor", "Designated teacher"),
        ):
            services.action_add(
                actor=dt,
                pep=pep,
                description=description,
                owner=owner,
                due_date=clock.today() + timedelta(days=20),
            )
    return first, pep


def home(client, world) -> str:
    client.force_login(world.a.users[Role.CARER])
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def views_url(pep) -> str:
    return f"/carer/peps/{pep.public_id}/your-views/"


def section_version(pep) -> int:
    with all_authorities_context():
        return PepSection.objects.get(pep=pep, key="carer_views").version


def the_meeting(pep):
    with all_authorities_context():
        return pep.meetings.get()


def carer_answers(pep) -> dict:
    """The carer's answers saved in the PEP, without the questions left empty."""
    with all_authorities_context():
        data = PepSection.objects.get(pep=pep, key="carer_views").data
    return {key: value for key, value in data.items() if value}


#: the carer's answers to the questions councils ask (peps.sections: "carer_views")
ANSWERS = {
    "settling": "Much more settled 😊 — she sleeps well now. مرحبا",
    "school": "She reads every night; homework at the kitchen table.",
    "going_well": "Her swimming badge.",
    "worries": "",
    "helps": "A quiet corner and a timer.",
    "school_should_know": "Her brother moved away last month.",
    "text": "",
}


def test_the_home_shows_the_next_meeting_actions_views_task_and_finalised_pep(
    client, world, archive
):
    first, pep = finalised_then_open(world)
    page = home(client, world)
    meeting = the_meeting(pep)
    day = meeting.starts_at.astimezone(next_on(7, 15).tzinfo)
    assert world.a.child.display_name in page
    assert f"{day:%A} {day.day} {day:%B %Y} at 4:30pm" in page
    assert "Shared Academy, room 2" in page
    assert f"/peps/{pep.public_id}/meetings/{meeting.public_id}/pep-meeting.ics" in page
    assert "Read with her for 10 minutes each evening" in page
    assert "Bring the reading record to the meeting" in page
    assert "Book the reading tutor" not in page  # the school's action, not the carer's
    assert 'Give your views<span class="govuk-visually-hidden"> about' in page
    assert f"before the meeting on {day.day} {day:%B %Y}" in page
    assert f"/peps/{first.public_id}/pdf/" in page
    assert world.a.other_child.display_name not in page  # placed with someone else
    my_voice = f"/my-voice/children/{world.a.child.public_id}/"
    assert my_voice in page  # helping the child with My Voice (its own pages)
    assert client.get(my_voice).status_code == 200


def test_the_meeting_ics_and_the_finalised_pdf_download_for_the_carer(client, world, archive):
    first, pep = finalised_then_open(world)
    client.force_login(world.a.users[Role.CARER])
    meeting = the_meeting(pep)
    ics = client.get(f"/peps/{pep.public_id}/meetings/{meeting.public_id}/pep-meeting.ics")
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"Shared Academy\\, room 2" in ics.content.replace(b"\r\n ", b"")
    pdf = client.get(f"/peps/{first.public_id}/pdf/")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    assert "DRAFT" not in pdf["Content-Disposition"]


def test_with_nothing_arranged_the_home_says_so(client, world):
    page = home(client, world)
    assert "Not arranged yet" in page
    assert "No actions for you." in page
    assert "No finalised PEP yet." in page
    assert "Give your views" not in page


def test_the_carer_gives_their_views_and_an_empty_answer_is_refused_beside_the_field(
    client, world, archive
):
    _, pep = finalised_then_open(world)
    client.force_login(world.a.users[Role.CARER])
    page = client.get(views_url(pep)).content.decode()
    # the questions councils ask carers, each its own box
    for question in (
        "How is the child settling at home?",
        "How do they get on with school and homework?",
        "What is going well, and what are they proud of?",
        "Does anything worry you or them?",
        "What helps them learn and feel settled?",
        "Is there anything the school should know?",
    ):
        assert f">{question}</label>" in page.replace("&#x27;", "'")
    version = section_version(pep)
    empty = client.post(
        views_url(pep), {**ANSWERS, "settling": "   ", "school": "", "base_version": version}
    )
    assert empty.status_code == 400
    body = empty.content.decode()
    assert 'class="govuk-error-summary"' in body
    assert 'id="id_settling-error"' in body and "Say how the child is settling at home" in body
    assert 'id="id_school-error"' in body and "Say how they get on with school and homework" in body
    assert 'id="id_worries-error"' not in body  # the others are up to the carer
    assert carer_answers(pep) == {}
    saved = client.post(views_url(pep), {**ANSWERS, "base_version": version})
    assert saved.status_code == 302 and saved["Location"] == HOME
    assert carer_answers(pep) == {k: v for k, v in ANSWERS.items() if v}  # as typed
    page = client.get(HOME).content.decode()
    assert "are saved" in page
    assert "Views given" in page and "Change your views" in page


def test_a_stale_save_changes_nothing_and_shows_both_texts(client, world, archive):
    _, pep = finalised_then_open(world)
    client.force_login(world.a.users[Role.CARER])
    version = section_version(pep)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        services.pep_section_save(
            actor=sw,
            pep=pep,
            key="carer_views",
            data={"settling": "From the visit"},
            base_version=version,
        )
    stale = client.post(views_url(pep), {**ANSWERS, "settling": "Mine", "base_version": version})
    assert stale.status_code == 409
    body = stale.content.decode()
    assert "From the visit" in body and "Mine" in body
    assert carer_answers(pep) == {"settling": "From the visit"}


def test_twenty_thousand_characters_are_too_many(client, world, archive):
    _, pep = finalised_then_open(world)
    client.force_login(world.a.users[Role.CARER])
    version = section_version(pep)
    response = client.post(
        views_url(pep), {**ANSWERS, "helps": "a" * 20001, "base_version": version}
    )
    assert response.status_code == 400
    assert 'id="id_helps-error"' in response.content.decode()
    assert "keep it under 20,000 characters" in response.content.decode()
    assert carer_answers(pep) == {}


def test_a_finalised_pep_shows_the_views_but_no_form(client, world, archive):
    first, _ = finalised_then_open(world)
    client.force_login(world.a.users[Role.CARER])
    response = client.get(views_url(first))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This PEP can no longer be changed" in body
    # each answer under its question (tests/peps/test_cycle.py COMPLETE)
    assert re.search(r"settling at home\?</dt>\s*<dd[^>]*>Settled at home\.</dd>", body)
    assert re.search(r"school and homework\?</dt>\s*<dd[^>]*>Happy at school\.</dd>", body)
    assert "Save your views" not in body


def test_a_child_no_longer_placed_is_a_404_on_every_carer_url(client, world, archive):
    first, pep = finalised_then_open(world)
    meeting = the_meeting(pep)
    with all_authorities_context():
        Placement.objects.filter(child=world.a.child).update(end_date=clock.today())
    client.force_login(world.a.users[Role.CARER])
    page = client.get(HOME).content.decode()
    assert world.a.child.display_name not in page
    assert "No children are placed with you" in page
    for url in (
        views_url(pep),
        f"/peps/{pep.public_id}/meetings/{meeting.public_id}/pep-meeting.ics",
        f"/peps/{first.public_id}/pdf/",
    ):
        assert client.get(url).status_code == 404, url
    version = section_version(pep)
    post = client.post(views_url(pep), {**ANSWERS, "base_version": version})
    assert post.status_code == 404
    assert carer_answers(pep) == {}


def test_another_carers_child_is_a_404(client, world):
    with acting(world.b.users[Role.SOCIAL_WORKER]) as sw:
        other = services.pep_start(actor=sw, child=world.b.child)
    client.force_login(world.a.users[Role.CARER])
    assert client.get(views_url(other)).status_code == 404
    with all_authorities_context():
        other_in_kent = Pep.objects.create(
            local_authority=world.a.la,
            child=world.a.other_child,
            academic_year="2024-25",
            term="autumn",
            status="draft",
            created_by=world.a.users[Role.VS_OFFICER],
        )
    assert client.get(views_url(other_in_kent)).status_code == 404


def test_only_carers_reach_the_carer_pages(client, world, archive):
    _, pep = finalised_then_open(world)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    assert client.get(views_url(pep)).status_code == 404
    assert client.get(HOME).status_code == 404


def _place_more_children(world, count: int) -> None:
    """``count`` more children placed with the carer, each with a finalised PEP, a
    meeting booked on an open PEP and an action for the carer."""
    la = world.a.la
    carer = world.a.users[Role.CARER]
    with all_authorities_context():
        for i in range(count):
            child = ChildFactory(
                local_authority=la, legal_first_name="Placed", legal_last_name=f"Child{i}"
            )
            EnrolmentFactory(child=child, school=world.shared_school)
            PlacementFactory(child=child, carers=[carer])
            Pep.objects.create(
                local_authority=la,
                child=child,
                academic_year="2024-25",
                term="autumn",
                status="finalised",
                finalised_at=clock.now(),
                created_by=world.a.users[Role.VS_OFFICER],
            )
            open_pep = Pep.objects.create(
                local_authority=la,
                child=child,
                academic_year="2025-26",
                term="autumn",
                created_by=world.a.users[Role.VS_OFFICER],
            )
            Action.objects.create(
                local_authority=la,
                pep=open_pep,
                description=f"Action {i}",
                owner="Carer",
                due_date=clock.today() + timedelta(days=5),
            )


def test_the_home_runs_the_same_queries_for_one_child_as_for_four(
    client, world, archive, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    finalised_then_open(world)
    client.force_login(world.a.users[Role.CARER])
    client.get(HOME)  # warm the session
    with CaptureQueriesContext(connection) as one:
        page = client.get(HOME).content.decode()
    assert page.count('data-testid="carer-child"') == 1
    _place_more_children(world, 3)
    with CaptureQueriesContext(connection) as four:
        page = client.get(HOME).content.decode()
    assert page.count('data-testid="carer-child"') == 4
    assert "Action 2" in page
    assert len(four) == len(one)
    with django_assert_max_num_queries(15):
        client.get(HOME)


def test_the_date_of_a_meeting_already_past_is_not_shown(client, world, archive, clock_at):
    _, pep = finalised_then_open(world)
    meeting = the_meeting(pep)
    clock_at(date.fromordinal(meeting.starts_at.date().toordinal() + 1))
    page = home(client, world)
    assert "Not arranged yet" in page
