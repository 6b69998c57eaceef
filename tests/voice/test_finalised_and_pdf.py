"""My Voice after the PEP is finalised (read-only: the page says so kindly and offers the
next plan's; the services refuse a change), and the shared answers in the PEP's PDF in the
child's words exactly, with who helped and the professionals' notes; private answers never."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps.models import Pep
from peps.pdf import build_pep_html, render_pep_pdf
from tests.peps.conftest import acting
from tests.peps.test_cycle import next_term, start
from voice.models import MAX_ANSWER_CHARS, MyVoiceAnswer
from voice.questions import Band
from voice.services.my_voice import (
    CLOSED,
    my_voice_about,
    my_voice_answer,
    my_voice_answer_note,
    my_voice_share,
    my_voice_start,
)

from .test_services import _reload

pytestmark = pytest.mark.django_db

RTL_AND_EMOJI = "أحب المدرسة 😀 שלום 👍🏽"
PRIVATE = "I miss my brother and nobody knows"


def _shared(world):
    """A KS2 child answers three questions (one in Arabic and Hebrew with emoji, one of
    20,000 characters), shares two, and the designated teacher notes one."""
    pep = start(world)
    with acting(world.a.users[Role.YOUNG_PERSON]) as me:
        my_voice = my_voice_start(actor=me, pep=pep)
    my_voice = _reload(world, Role.YOUNG_PERSON, my_voice)
    with acting(world.a.users[Role.YOUNG_PERSON]) as me:
        my_voice_about(actor=me, my_voice=my_voice, band=Band.KS2, helped_by="My carer Sam")
        my_voice_answer(actor=me, my_voice=my_voice, question_key="school", value="4")
        my_voice_answer(actor=me, my_voice=my_voice, question_key="proud", text=RTL_AND_EMOJI)
        my_voice_answer(
            actor=me,
            my_voice=my_voice,
            question_key="helps",
            text=("word " * (MAX_ANSWER_CHARS // 5)).strip(),
        )
        my_voice_answer(actor=me, my_voice=my_voice, question_key="adults_know", text=PRIVATE)
        my_voice_share(
            actor=me,
            my_voice=my_voice,
            share=["school", "proud", "helps"],
            version=my_voice.version,
        )
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        with all_authorities_context():
            answer = MyVoiceAnswer.objects.select_related("my_voice__child").get(
                my_voice=my_voice, question="proud"
            )
        my_voice_answer_note(actor=dt, answer=answer, note="We will put it on the wall.")
    return pep, my_voice


def _finalise(pep):
    with all_authorities_context():
        Pep.objects.filter(pk=pep.pk).update(status="finalised")


def test_the_pdf_shows_the_shared_answers_as_typed_and_never_the_private_ones(world):
    pep, _ = _shared(world)
    with all_authorities_context():
        html = build_pep_html(pep, draft=True)
    section = html[html.index('id="section-child_views"') :]
    section = section[: section.index("</section>")]
    assert "What the child shared in My Voice" in section
    assert "My carer Sam" in section  # who helped
    assert RTL_AND_EMOJI in section and 'dir="auto"' in section
    assert "How do you feel about school?" in section
    assert "We will put it on the wall." in section  # the professional's note
    assert section.count("word ") >= MAX_ANSWER_CHARS // 5 - 1  # the whole long answer
    assert PRIVATE not in html


def test_the_pdf_renders_with_a_twenty_thousand_character_answer(world):
    pep, _ = _shared(world)
    with all_authorities_context():
        pdf = render_pep_pdf(pep, draft=True)
    assert pdf.startswith(b"%PDF-")


def test_without_shared_answers_the_pdf_has_no_my_voice_block(world):
    pep = start(world)
    with acting(world.a.users[Role.YOUNG_PERSON]) as me:
        my_voice = my_voice_start(actor=me, pep=pep)
        my_voice_answer(actor=me, my_voice=my_voice, question_key="school", value="4")
    with all_authorities_context():
        html = build_pep_html(pep, draft=True)
    assert "What the child shared in My Voice" not in html


def test_after_finalisation_the_services_refuse_a_change(world):
    pep, my_voice = _shared(world)
    _finalise(pep)
    my_voice = _reload(world, Role.YOUNG_PERSON, my_voice)
    with acting(world.a.users[Role.YOUNG_PERSON]) as me:
        with pytest.raises(ValidationError, match="plan is finished"):
            my_voice_answer(actor=me, my_voice=my_voice, question_key="school", value="1")
        with pytest.raises(ValidationError, match="plan is finished"):
            my_voice_share(actor=me, my_voice=my_voice, share=["school"], version=my_voice.version)
        with pytest.raises(ValidationError, match="plan is finished"):
            my_voice_about(actor=me, my_voice=my_voice, band=Band.KS3, helped_by="")
    with all_authorities_context():
        assert MyVoiceAnswer.objects.get(my_voice=my_voice, question="school").value == "4"
        assert MyVoiceAnswer.objects.filter(my_voice=my_voice, share=True).count() == 3


def test_after_finalisation_the_pages_are_read_only_and_offer_the_next_plan(client, world):
    pep, my_voice = _shared(world)
    _finalise(pep)
    client.force_login(world.a.users[Role.YOUNG_PERSON])
    overview = reverse("portal:my_voice:overview", kwargs={"my_voice_id": my_voice.public_id})
    page = client.get(overview).content.decode()
    assert "This plan is finished now" in page
    assert "Carry on" not in page and "Choose what to share" not in page
    assert 'id="next-plan"' not in page  # no next plan yet
    question = reverse(
        "portal:my_voice:question", kwargs={"my_voice_id": my_voice.public_id, "number": 6}
    )
    shown = client.get(question).content.decode()
    assert RTL_AND_EMOJI in shown and "Save and continue" not in shown
    refused = client.post(question, {"text": "changed", "go": "next"})
    assert refused.status_code == 400
    share = reverse("portal:my_voice:share", kwargs={"my_voice_id": my_voice.public_id})
    assert client.get(share)["Location"] == overview
    with all_authorities_context():
        assert MyVoiceAnswer.objects.get(my_voice=my_voice, question="proud").text == RTL_AND_EMOJI
    # a new PEP starts: the finished My Voice offers the next one
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        from peps import services

        services.pep_start(actor=sw, child=world.a.child, kind="termly", **next_term(pep))
    page = client.get(overview).content.decode()
    assert re.search(r'href="/my-voice/"[^>]*id="next-plan"', page)


def test_the_closed_message_is_kind(world):
    assert "finished" in CLOSED and "next plan" in CLOSED
