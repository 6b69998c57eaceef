"""The PEP page in the portal: works without JavaScript, saves with htmx, never loses an
edit, and only the child's circle reaches it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps.models import Pep, PepSection

from ..peps.test_cycle import COMPLETE, TARGET, fill, finalise, start

pytestmark = pytest.mark.django_db


def url(pep, suffix=""):
    return f"/peps/{pep.public_id}/{suffix}"


def section_version(pep, key):
    with all_authorities_context():
        return PepSection.objects.get(pep=pep, key=key).version


def test_social_worker_starts_a_pep_from_the_child_page(client, world):
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    page = client.get(f"/children/{world.a.child.public_id}/").content.decode()
    assert "Start a PEP" in page
    response = client.post(f"/children/{world.a.child.public_id}/peps/new/", {"kind": "termly"})
    assert response.status_code == 302
    with all_authorities_context():
        pep = Pep.objects.get(child=world.a.child)
    assert response["Location"] == url(pep)
    page = client.get(url(pep)).content.decode()
    for title in ("Education details", "My Voice: the child", "SMART targets", "Attainment"):
        assert title in page


def test_a_section_saves_without_javascript(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    response = client.post(
        url(pep, "sections/needs/"),
        {"needs-learning": "Dyslexia screening requested", "needs-base_version": "0"},
    )
    assert response.status_code == 302
    assert response["Location"] == url(pep) + "#section-needs"
    page = client.get(url(pep)).content.decode()
    assert "Dyslexia screening requested" in page
    assert "Last changed by Designated teacher 886" in page


def test_a_section_saves_with_htmx_and_returns_only_its_status(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    response = client.post(
        url(pep, "sections/needs/"),
        {"needs-learning": "Typed text", "needs-base_version": "0"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith('<div id="meta-needs"')
    assert 'name="needs-base_version" value="1"' in body
    assert "Saved at" in body
    assert "<textarea" not in body  # the text being typed is never replaced


def test_saving_the_same_section_twice_from_old_pages_shows_a_conflict_with_both_texts(
    client, world
):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    client.post(
        url(pep, "sections/achievements/"),
        {"achievements-text": "DT wrote this", "achievements-base_version": "0"},
    )
    client.force_login(world.a.users[Role.CARER])
    response = client.post(
        url(pep, "sections/achievements/"),
        {"achievements-text": "Carer wrote this", "achievements-base_version": "0"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "saved this section" in page
    assert "DT wrote this" in page  # theirs
    assert "Carer wrote this" in page  # yours, still in the box
    with all_authorities_context():
        assert PepSection.objects.get(pep=pep, key="achievements").data["text"] == "DT wrote this"
    # Choosing to replace theirs is deliberate and then works.
    response = client.post(
        url(pep, "sections/achievements/"),
        {
            "achievements-text": "Carer wrote this",
            "achievements-base_version": "0",
            "achievements-override_version": "1",
        },
    )
    assert response.status_code == 302
    with all_authorities_context():
        assert (
            PepSection.objects.get(pep=pep, key="achievements").data["text"] == "Carer wrote this"
        )


def test_htmx_conflict_keeps_refusing_until_the_person_chooses(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    client.post(
        url(pep, "sections/achievements/"),
        {"achievements-text": "First", "achievements-base_version": "0"},
    )
    client.force_login(world.a.users[Role.CARER])
    response = client.post(
        url(pep, "sections/achievements/"),
        {"achievements-text": "Second", "achievements-base_version": "0"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert 'data-testid="conflict-achievements"' in body
    assert 'name="achievements-base_version" value="0"' in body  # not silently moved on
    assert "Replace their version with mine" in body


def test_bad_input_is_shown_next_to_the_field_and_nothing_changes(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    response = client.post(
        url(pep, "sections/education/"),
        {"education-attendance_percent": "140", "education-base_version": "0"},
    )
    assert response.status_code == 400
    assert "Attendance must be between 0 and 100." in response.content.decode()
    assert section_version(pep, "education") == 0


def test_a_carer_cannot_edit_the_schools_section(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.CARER])
    page = client.get(url(pep)).content.decode()
    assert f'action="/peps/{pep.public_id}/sections/education/"' not in page
    response = client.post(
        url(pep, "sections/education/"),
        {"education-attendance_percent": "90", "education-base_version": "0"},
    )
    assert response.status_code == 404
    assert section_version(pep, "education") == 0


def test_targets_are_added_with_pounds_turned_into_pence(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    data = {**TARGET, "due_date": TARGET["due_date"].isoformat(), "ppplus_cost": "£1,250.50"}
    data.pop("ppplus_cost_pence")
    assert client.post(url(pep, "targets/"), data).status_code == 302
    with all_authorities_context():
        assert pep.targets.get().ppplus_cost_pence == 125050
    page = client.get(url(pep)).content.decode()
    assert "£1,250.50" in page and "1 of at most 4 targets" in page


def test_a_bad_target_gets_specific_messages_and_is_not_added(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    response = client.post(
        url(pep, "targets/"), {"description": "Read more", "ppplus_cost": "12.345"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say how success will be measured." in page
    assert "Enter the cost with no more than 2 digits of pence, like 250.50." in page
    with all_authorities_context():
        assert not pep.targets.exists()


def test_submission_shows_what_is_missing(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    client.post(
        url(pep, "move/"),
        {
            "target_status": "meeting_held",
            "state_version": "1",
            "meeting_date": clock.today().isoformat(),
        },
    )
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    page = client.get(url(pep)).content.decode()
    assert "Before you submit, complete:" in page
    response = client.post(url(pep, "move/"), {"target_status": "submitted", "state_version": "2"})
    assert response.status_code == 400
    assert "Targets: add at least one SMART target." in response.content.decode()


def test_a_double_click_on_a_move_is_harmless(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    data = {
        "target_status": "meeting_held",
        "state_version": "1",
        "meeting_date": clock.today().isoformat(),
    }
    assert client.post(url(pep, "move/"), data).status_code == 302
    second = client.post(url(pep, "move/"), data)
    assert second.status_code == 302
    with all_authorities_context():
        assert pep.transitions.count() == 1


def test_history_lists_past_peps_with_target_outcomes_and_a_section_over_time(client, world):
    first = start(world)
    fill(world, first)
    finalise(world, first)
    client.force_login(world.a.users[Role.VS_OFFICER])
    page = client.get(f"/children/{world.a.child.public_id}/peps/").content.decode()
    assert TARGET["description"] in page
    over_time = client.get(
        f"/children/{world.a.child.public_id}/peps/sections/needs/"
    ).content.decode()
    assert COMPLETE["needs"]["learning"] in over_time


def test_pep_urls_are_404_outside_the_childs_circle(client, world):
    pep = start(world)
    for user in (
        world.b.users[Role.VS_HEAD],
        world.a.users[Role.SCHOOL_STAFF],
        world.b.users[Role.CARER],
    ):
        client.force_login(user)
        for suffix in ("", "pdf/"):
            assert client.get(url(pep, suffix)).status_code == 404
        assert (
            client.post(url(pep, "sections/needs/"), {"needs-base_version": "0"}).status_code == 404
        )
        assert (
            client.post(
                url(pep, "move/"), {"target_status": "meeting_held", "state_version": "1"}
            ).status_code
            == 404
        )


def test_pep_page_query_count_does_not_grow_with_targets_subjects_or_past_peps(client, world):
    first = start(world)
    fill(world, first)
    finalise(world, first)
    pep = start(world, term="spring")
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    client.get(url(pep))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(pep)).status_code == 200
        return len(queries)

    before = count()
    from peps import services

    from ..peps.conftest import acting

    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        for i in range(3):
            services.target_save(
                actor=dt,
                pep=pep,
                fields={**TARGET, "due_date": clock.today() + timedelta(days=i + 1)},
            )
        services.attainment_save(
            actor=dt,
            pep=pep,
            rows=[
                {"subject": f"Subject {i}", "baseline": "", "current": "", "target": ""}
                for i in range(12)
            ],
        )
        services.action_add(
            actor=dt, pep=pep, description="Call", owner="DT", due_date=clock.today()
        )
    assert count() == before


def test_pdf_download_gives_a_draft_then_the_archived_file(
    client, world, django_capture_on_commit_callbacks
):
    import hashlib
    from unittest import mock

    from peps.tasks import render_finalised_pep_pdf

    pep = start(world)
    fill(world, pep)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    draft = client.get(url(pep, "pdf/"))
    assert draft.status_code == 200
    assert draft["Content-Type"] == "application/pdf"
    assert draft.content.startswith(b"%PDF-")
    assert "DRAFT" in draft["Content-Disposition"]

    with mock.patch.object(render_finalised_pep_pdf, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            pep = finalise(world, pep)
    delay.assert_called_once_with(pep.pk, pep.local_authority_id)
    not_ready = client.get(url(pep, "pdf/"))
    assert not_ready.status_code == 302
    render_finalised_pep_pdf.run(pep.pk, pep.local_authority_id)
    first = client.get(url(pep, "pdf/"))
    second = client.get(url(pep, "pdf/"))
    assert first.status_code == 200 and first.content == second.content
    with all_authorities_context():
        recorded = Pep.objects.get(pk=pep.pk).pdf_sha256
    assert hashlib.sha256(first.content).hexdigest() == recorded
