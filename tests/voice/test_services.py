"""My Voice services: the child starts, answers and shares; what they keep private is
never shown to the carer or a professional; professionals add notes and the designated
teacher links a point to a target ("You said, we did")."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps import services as pep_services
from tests.peps.conftest import acting
from tests.peps.test_cycle import TARGET, start
from voice import selectors
from voice.models import MyVoice, MyVoiceAnswer, VoiceStatus
from voice.questions import Band
from voice.services.my_voice import (
    my_voice_about,
    my_voice_answer,
    my_voice_answer_link,
    my_voice_answer_note,
    my_voice_share,
    my_voice_start,
)

pytestmark = pytest.mark.django_db

RTL_AND_EMOJI = "أحب المدرسة 😀 שלום 👍🏽"


def _voice(world, user_role=Role.YOUNG_PERSON):
    pep = start(world)
    with acting(world.a.users[user_role]) as me:
        return my_voice_start(actor=me, pep=pep)


def _reload(world, role, my_voice):
    with acting(world.a.users[role]) as me:
        return selectors.access_my_voice_by_id(actor=me, my_voice_id=my_voice.public_id)


def _answered_and_shared(world):
    """A KS2 child answers three questions and shares two of them."""
    my_voice = _voice(world)
    my_voice = _reload(world, Role.YOUNG_PERSON, my_voice)
    with acting(world.a.users[Role.YOUNG_PERSON]) as me:
        my_voice_about(actor=me, my_voice=my_voice, band=Band.KS2, helped_by="")
        my_voice_answer(actor=me, my_voice=my_voice, question_key="school", value="4")
        my_voice_answer(actor=me, my_voice=my_voice, question_key="proud", text="My swimming badge")
        my_voice_answer(
            actor=me, my_voice=my_voice, question_key="adults_know", text="I miss my brother"
        )
        my_voice_share(
            actor=me, my_voice=my_voice, share=["school", "proud"], version=my_voice.version
        )
    return my_voice


def test_the_band_follows_the_child_s_year_group(world, clock_at):
    clock_at(date(2026, 10, 1))
    with all_authorities_context():
        type(world.a.child).objects.filter(pk=world.a.child.pk).update(
            date_of_birth=date(2017, 1, 5)
        )  # 9 on 31 August 2026: Year 5
    world.a.child.date_of_birth = date(2017, 1, 5)
    my_voice = _voice(world)
    assert my_voice.band == Band.KS2
    assert my_voice.status == VoiceStatus.DRAFT


def test_the_carer_helping_may_start_and_change_the_band(world):
    my_voice = _voice(world, Role.CARER)
    my_voice = _reload(world, Role.CARER, my_voice)
    with acting(world.a.users[Role.CARER]) as me:
        my_voice_about(actor=me, my_voice=my_voice, band=Band.KS1, helped_by="Mum")
    with all_authorities_context():
        saved = MyVoice.objects.get(pk=my_voice.pk)
    assert (saved.band, saved.helped_by) == (Band.KS1, "Mum")


def test_a_professional_may_not_answer_for_the_child(world):
    pep = start(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        with pytest.raises(PermissionDenied):
            my_voice_start(actor=dt, pep=pep)


def test_a_child_cannot_reach_another_child_s_my_voice(world):
    my_voice = _voice(world)
    with acting(world.b.users[Role.YOUNG_PERSON]) as other:
        with pytest.raises(Http404):
            selectors.access_my_voice_by_id(actor=other, my_voice_id=my_voice.public_id)


def test_emoji_and_right_to_left_text_are_kept_as_typed(world):
    my_voice = _voice(world)
    my_voice = _reload(world, Role.YOUNG_PERSON, my_voice)
    with acting(world.a.users[Role.YOUNG_PERSON]) as me:
        my_voice_answer(
            actor=me, my_voice=my_voice, question_key="adults_know", text=f"  {RTL_AND_EMOJI}\n"
        )
    with all_authorities_context():
        assert MyVoiceAnswer.objects.get().text == f"  {RTL_AND_EMOJI}\n"


def test_twenty_thousand_characters_are_saved_and_one_more_is_refused_clearly(world):
    my_voice = _voice(world)
    my_voice = _reload(world, Role.YOUNG_PERSON, my_voice)
    with acting(world.a.users[Role.YOUNG_PERSON]) as me:
        my_voice_answer(actor=me, my_voice=my_voice, question_key="proud", text="a" * 20_000)
        with pytest.raises(ValidationError) as error:
            my_voice_answer(actor=me, my_voice=my_voice, question_key="proud", text="b" * 20_001)
    assert error.value.message_dict["text"] == [
        "Your answer is too long. It can be up to 20,000 letters. It has 20,001."
    ]
    with all_authorities_context():
        assert MyVoiceAnswer.objects.get().text == "a" * 20_000


def test_a_value_not_on_the_scale_is_refused(world):
    my_voice = _voice(world)
    my_voice = _reload(world, Role.YOUNG_PERSON, my_voice)
    with acting(world.a.users[Role.YOUNG_PERSON]) as me:
        my_voice_about(actor=me, my_voice=my_voice, band=Band.KS2, helped_by="")
        with pytest.raises(ValidationError) as error:
            my_voice_answer(actor=me, my_voice=my_voice, question_key="school", value="9")
    assert "value" in error.value.message_dict


def test_sharing_nothing_asks_to_confirm(world):
    my_voice = _voice(world)
    my_voice = _reload(world, Role.YOUNG_PERSON, my_voice)
    with acting(world.a.users[Role.YOUNG_PERSON]) as me:
        my_voice_answer(actor=me, my_voice=my_voice, question_key="proud", text="Football")
        with pytest.raises(ValidationError) as error:
            my_voice_share(actor=me, my_voice=my_voice, share=[], version=my_voice.version)
        assert "not picked anything" in error.value.message_dict["share"][0]
        my_voice_share(
            actor=me, my_voice=my_voice, share=[], version=my_voice.version, confirm_none=True
        )
    with all_authorities_context():
        assert MyVoice.objects.get().status == VoiceStatus.SHARED
        assert not MyVoiceAnswer.objects.filter(share=True).exists()


def test_a_share_page_opened_before_a_later_answer_is_refused(world):
    my_voice = _voice(world)
    my_voice = _reload(world, Role.YOUNG_PERSON, my_voice)
    seen = my_voice.version
    with acting(world.a.users[Role.YOUNG_PERSON]) as me:
        my_voice_answer(actor=me, my_voice=my_voice, question_key="proud", text="Football")
        with pytest.raises(ValidationError) as error:
            my_voice_share(actor=me, my_voice=my_voice, share=["proud"], version=seen)
    assert "has changed since you opened" in error.value.message_dict["share"][0]
    with all_authorities_context():
        assert MyVoice.objects.get().status == VoiceStatus.DRAFT


def test_only_the_child_chooses_what_to_share(world):
    my_voice = _voice(world)
    my_voice = _reload(world, Role.CARER, my_voice)
    with acting(world.a.users[Role.CARER]) as carer:
        with pytest.raises(PermissionDenied):
            my_voice_share(actor=carer, my_voice=my_voice, share=[], version=my_voice.version)


@pytest.mark.parametrize(
    "role", [Role.CARER, Role.DESIGNATED_TEACHER, Role.SOCIAL_WORKER, Role.VS_OFFICER]
)
def test_private_answers_are_never_shown_to_the_carer_or_professionals(world, role):
    my_voice = _answered_and_shared(world)
    mv = _reload(world, role, my_voice)
    with acting(world.a.users[role]) as me:
        shown = {
            a.question: a.text or a.value for a in selectors.visible_answers(actor=me, my_voice=mv)
        }
    assert shown == {"school": "4", "proud": "My swimming badge"}


def test_the_child_sees_every_answer_of_their_own(world):
    my_voice = _answered_and_shared(world)
    mv = _reload(world, Role.YOUNG_PERSON, my_voice)
    with acting(world.a.users[Role.YOUNG_PERSON]) as me:
        keys = {a.question for a in selectors.visible_answers(actor=me, my_voice=mv)}
    assert keys == {"school", "proud", "adults_know"}


def test_nothing_is_shown_to_professionals_before_the_child_shares(world):
    my_voice = _voice(world)
    mv = _reload(world, Role.YOUNG_PERSON, my_voice)
    with acting(world.a.users[Role.YOUNG_PERSON]) as me:
        my_voice_answer(actor=me, my_voice=mv, question_key="proud", text="Football")
    mv = _reload(world, Role.DESIGNATED_TEACHER, my_voice)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as me:
        assert not selectors.visible_answers(actor=me, my_voice=mv).exists()


def test_a_note_sits_beside_the_child_s_words_without_changing_them(world):
    my_voice = _answered_and_shared(world)
    mv = _reload(world, Role.SOCIAL_WORKER, my_voice)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        answer = selectors.visible_answers(actor=sw, my_voice=mv).get(question="proud")
        my_voice_answer_note(actor=sw, answer=answer, note="We will celebrate this at the meeting")
    with all_authorities_context():
        saved = MyVoiceAnswer.objects.get(question="proud")
    assert (saved.text, saved.note) == (
        "My swimming badge",
        "We will celebrate this at the meeting",
    )


def test_a_private_answer_cannot_be_noted_or_linked(world):
    my_voice = _answered_and_shared(world)
    with all_authorities_context():
        private = MyVoiceAnswer.objects.select_related("my_voice__child").get(
            question="adults_know"
        )
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        with pytest.raises(ValidationError):
            my_voice_answer_note(actor=dt, answer=private, note="Seen")
        with pytest.raises(ValidationError):
            my_voice_answer_link(actor=dt, answer=private)
    assert my_voice


def test_the_designated_teacher_links_a_point_to_a_target_of_the_pep(world):
    my_voice = _answered_and_shared(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        pep = my_voice.pep
        target = pep_services.target_save(actor=dt, pep=pep, fields=TARGET)
    mv = _reload(world, Role.DESIGNATED_TEACHER, my_voice)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        answer = selectors.visible_answers(actor=dt, my_voice=mv).get(question="school")
        my_voice_answer_link(actor=dt, answer=answer, target=target)
    with all_authorities_context():
        assert MyVoiceAnswer.objects.get(question="school").target_id == target.pk


def test_only_the_designated_teacher_links(world):
    my_voice = _answered_and_shared(world)
    mv = _reload(world, Role.SOCIAL_WORKER, my_voice)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        answer = selectors.visible_answers(actor=sw, my_voice=mv).get(question="school")
        with pytest.raises(PermissionDenied):
            my_voice_answer_link(actor=sw, answer=answer)
