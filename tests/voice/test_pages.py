"""My Voice pages: a KS2 child answers one question a page, saves and comes back where
they stopped, chooses what to share (sharing nothing asks to confirm); the designated
teacher reads exactly what was shared, adds a note and links a point to a target. Another
child's My Voice is a 404, and no page shows a classmate the words they must not read."""

import re

import pytest
from django.urls import reverse

from epep.tenancy.roles import Role
from peps import services as pep_services

from ..peps.conftest import acting
from ..peps.test_cycle import TARGET, start
from ..portal.test_young_person import assert_safe_for_a_child

pytestmark = pytest.mark.django_db

RTL_AND_EMOJI = "أحب المدرسة 😀 שלום"


def _start(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.YOUNG_PERSON])
    page = client.get(reverse("portal:my_voice:start"))
    assert page.status_code == 200
    assert_safe_for_a_child(world, page.content.decode())
    overview = client.post(reverse("portal:my_voice:start"), follow=True)
    my_voice = overview.context["my_voice"]
    client.post(
        reverse("portal:my_voice:overview", kwargs={"my_voice_id": my_voice.public_id}),
        {"band": "ks2", "helped_by": "My carer Sam"},
    )
    return pep, my_voice


def _q(my_voice, n):
    return reverse(
        "portal:my_voice:question", kwargs={"my_voice_id": my_voice.public_id, "number": n}
    )


def _answer_three_and_share_two(client, world):
    pep, my_voice = _start(client, world)
    client.post(_q(my_voice, 1), {"value": "4", "go": "next"})
    client.post(_q(my_voice, 6), {"text": "My swimming badge", "go": "next"})
    client.post(_q(my_voice, 9), {"text": "I miss my brother", "go": "next"})
    share = reverse("portal:my_voice:share", kwargs={"my_voice_id": my_voice.public_id})
    version = client.get(share).context["form"]["version"].value()
    done = client.post(share, {"share": ["school", "proud"], "version": version}, follow=True)
    assert "You shared 2 answers" in done.content.decode()
    return pep, my_voice


def test_one_question_a_page_with_progress_save_and_come_back(client, world):
    pep, my_voice = _start(client, world)
    page = client.get(_q(my_voice, 1))
    text = page.content.decode()
    assert "Question 1 of 9" in text and "How do you feel about school?" in text
    assert_safe_for_a_child(world, text)
    after = client.post(_q(my_voice, 1), {"value": "4", "go": "next"})
    assert after.url == _q(my_voice, 2)
    later = client.post(_q(my_voice, 2), {"value": "5", "go": "later"}, follow=True)
    body = later.content.decode()
    assert "You have answered 2 of 9 questions." in body
    assert "You can come back and carry on any time." in body
    assert later.context["next_url"] == _q(my_voice, 3)
    # coming back: the answer given is there
    assert 'value="4" checked' in client.get(_q(my_voice, 1)).content.decode()


def test_text_is_kept_as_typed_and_twenty_thousand_and_one_is_refused_beside_the_field(
    client, world
):
    pep, my_voice = _start(client, world)
    client.post(_q(my_voice, 3), {"text": RTL_AND_EMOJI, "go": "next"})
    assert RTL_AND_EMOJI in client.get(_q(my_voice, 3)).content.decode()
    refused = client.post(_q(my_voice, 3), {"text": "a" * 20_001, "go": "next"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert body.count("Your answer is too long. It can be up to 20,000 letters.") == 2
    assert "There is a problem" in body


def test_sharing_nothing_asks_to_confirm_then_shares_nothing(client, world):
    pep, my_voice = _start(client, world)
    client.post(_q(my_voice, 6), {"text": "Football", "go": "next"})
    share = reverse("portal:my_voice:share", kwargs={"my_voice_id": my_voice.public_id})
    version = client.get(share).context["form"]["version"].value()
    asked = client.post(share, {"version": version})
    assert asked.status_code == 400
    assert "I do not want to share anything" in asked.content.decode()
    done = client.post(share, {"version": version, "share_nothing": "on"}, follow=True)
    assert "You chose not to share anything" in done.content.decode()


def test_the_designated_teacher_sees_exactly_the_shared_part_and_links_a_target(client, world):
    pep, my_voice = _answer_three_and_share_two(client, world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        target = pep_services.target_save(actor=dt, pep=pep, fields=TARGET)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    detail = client.get(reverse("portal:pep_detail", kwargs={"pep_id": pep.public_id}))
    url = reverse("portal:my_voice:pep", kwargs={"pep_id": pep.public_id})
    assert url in detail.content.decode()
    body = client.get(url).content.decode()
    assert re.findall(r'data-answer="(\w+)"', body) == ["school", "proud"]
    assert "My swimming badge" in body and "Good" in body
    assert "I miss my brother" not in body
    assert "My carer Sam" in body
    rows = client.get(url).context["rows"]
    proud = next(r["answer"] for r in rows if r["answer"].question == "proud")
    post = reverse(
        "portal:my_voice:pep_answer",
        kwargs={"pep_id": pep.public_id, "answer_id": proud.public_id},
    )
    client.post(post, {"form": "link", f"l{proud.pk}-link": f"t:{target.public_id}"})
    client.post(post, {"form": "note", f"n{proud.pk}-note": "Well done!"})
    body = client.get(url).content.decode()
    assert "You said, we did:</strong> target “Read a book of 100 pages independently”" in body
    assert "Well done!" in body and "My swimming badge" in body


@pytest.mark.parametrize("role", [Role.CARER, Role.SOCIAL_WORKER])
def test_no_one_else_links_and_the_carer_has_no_professional_page(client, world, role):
    pep, my_voice = _answer_three_and_share_two(client, world)
    client.force_login(world.a.users[role])
    page = client.get(reverse("portal:my_voice:pep", kwargs={"pep_id": pep.public_id}))
    if role == Role.CARER:
        assert page.status_code == 404
    else:
        assert page.status_code == 200
        assert all(row["link_form"] is None for row in page.context["rows"])


def test_another_child_s_my_voice_is_a_404(client, world):
    pep, my_voice = _start(client, world)
    client.force_login(world.b.users[Role.YOUNG_PERSON])
    for url in (
        reverse("portal:my_voice:overview", kwargs={"my_voice_id": my_voice.public_id}),
        _q(my_voice, 1),
        reverse("portal:my_voice:share", kwargs={"my_voice_id": my_voice.public_id}),
    ):
        assert client.get(url).status_code == 404


def test_the_carer_helping_never_sees_the_child_s_private_answers(client, world):
    pep, my_voice = _start(client, world)
    client.post(_q(my_voice, 9), {"text": "I miss my brother", "go": "next"})
    client.force_login(world.a.users[Role.CARER])
    page = client.get(_q(my_voice, 9)).content.decode()
    assert "I miss my brother" not in page
    assert "Only the child can see it." in page
    # the carer cannot overwrite it either
    client.post(_q(my_voice, 9), {"text": "", "go": "next"})
    assert my_voice.answers.get(question="adults_know").text == "I miss my brother"
    # nor open the share page
    share = reverse("portal:my_voice:share", kwargs={"my_voice_id": my_voice.public_id})
    assert client.get(share).status_code == 404


def test_the_child_sees_you_said_we_did_in_their_own_words(client, world):
    pep, my_voice = _answer_three_and_share_two(client, world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        target = pep_services.target_save(
            actor=dt,
            pep=pep,
            fields={**TARGET, "child_summary": "We will go swimming every Friday"},
        )
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    proud = my_voice.answers.get(question="proud")
    client.post(
        reverse(
            "portal:my_voice:pep_answer",
            kwargs={"pep_id": pep.public_id, "answer_id": proud.public_id},
        ),
        {"form": "link", f"l{proud.pk}-link": f"t:{target.public_id}"},
    )
    client.force_login(world.a.users[Role.YOUNG_PERSON])
    page = client.get(
        reverse("portal:my_voice:overview", kwargs={"my_voice_id": my_voice.public_id})
    )
    body = page.content.decode()
    assert "You said, we did" in body
    assert "You said: My swimming badge" in body
    assert "What happens now: We will go swimming every Friday" in body
    assert TARGET["description"] not in body
    assert_safe_for_a_child(world, body)


def test_a_carer_cannot_open_a_child_not_placed_with_them(client, world):
    pep, my_voice = _start(client, world)
    client.force_login(world.b.users[Role.CARER])
    assert (
        client.get(
            reverse("portal:my_voice:start_for_child", kwargs={"child_id": world.a.child.public_id})
        ).status_code
        == 404
    )
    assert client.get(_q(my_voice, 1)).status_code == 404
