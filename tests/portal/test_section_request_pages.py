"""The designated teacher finishing a PEP from its page: who must act on each section
written by someone else, asking them, recording a section that could not be obtained,
and the completeness summary linking to each missing field."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epep.notifications.models import Notification, NotificationKind
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps.models import PepSection, SectionRequest, SectionRequestStatus

from ..peps.test_cycle import move, start

pytestmark = pytest.mark.django_db


def url(pep, suffix=""):
    return f"/peps/{pep.public_id}/{suffix}"


def _requests(pep):
    with all_authorities_context():
        return list(SectionRequest.objects.filter(pep=pep))


def test_the_completeness_summary_links_to_each_missing_field_on_the_page(client, world):
    pep = start(world)
    move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=clock.today())
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    page = client.get(url(pep)).content.decode()
    summary = page[page.index('data-testid="completeness"') :]
    summary = summary[: summary.index("</ul>")]
    links = re.findall(r'<a href="#([^"]+)">', summary)
    assert "govuk-error-summary" in page and len(links) > 5
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert set(links) <= ids, set(links) - ids
    # Their own section: the field itself; someone else's: the section.
    assert "id_designated_teacher_views-text" in links
    assert "section-carer_views" in links and "targets" in links


def test_the_designated_teacher_sees_who_must_act_and_asks_the_carer(client, world):
    pep = start(world)
    carer = world.a.users[Role.CARER]
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    page = client.get(url(pep)).content.decode()
    assert "Written by the carer or the personal adviser or the social worker." in page
    ask = url(pep, "sections/carer_views/ask/")
    assert f'href="{ask}"' in page
    form = client.get(ask)
    assert carer.full_name in form.content.decode()
    # No one chosen: a message beside the field, nothing sent.
    response = client.post(ask, {"person": "", "message": "Please"})
    assert response.status_code == 400
    assert 'id="id_person-error"' in response.content.decode()
    assert "Choose who to ask." in response.content.decode()
    assert _requests(pep) == []
    response = client.post(ask, {"person": str(carer.public_id), "message": "By Friday, please."})
    assert response.status_code == 302
    [asked] = _requests(pep)
    assert (asked.requested_from, asked.message) == (carer, "By Friday, please.")
    with all_authorities_context():
        assert Notification.objects.filter(
            kind=NotificationKind.SECTION_REQUEST, recipient=carer
        ).exists()
    page = client.get(url(pep)).content.decode()
    assert f"Waiting for {carer.full_name}" in page
    # Asking the same person again: the message beside the field.
    response = client.post(ask, {"person": str(carer.public_id)})
    assert response.status_code == 400
    assert "has already been asked for this section" in response.content.decode()
    assert len(_requests(pep)) == 1


def test_the_carer_sees_the_request_in_their_tasks_and_writing_the_section_closes_it(client, world):
    pep = start(world)
    carer = world.a.users[Role.CARER]
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    client.post(url(pep, "sections/carer_views/ask/"), {"person": str(carer.public_id)})
    client.force_login(carer)
    home = client.get("/carer/").content.decode()
    assert "Write “The carer&#x27;s views” for" in home
    assert f'href="/peps/{pep.public_id}/#section-carer_views"' in home
    with all_authorities_context():
        version = PepSection.objects.get(pep=pep, key="carer_views").version
    response = client.post(
        url(pep, "sections/carer_views/"),
        {"carer_views-text": "Settled.", "carer_views-base_version": str(version)},
    )
    assert response.status_code == 302
    assert _requests(pep)[0].status == SectionRequestStatus.DONE
    assert 'data-testid="section-request-link"' not in client.get("/carer/").content.decode()


def test_a_request_can_be_withdrawn_from_the_pep_page(client, world):
    pep = start(world)
    carer = world.a.users[Role.CARER]
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    client.post(url(pep, "sections/carer_views/ask/"), {"person": str(carer.public_id)})
    [asked] = _requests(pep)
    response = client.post(url(pep, f"requests/{asked.public_id}/withdraw/"))
    assert response.status_code == 302
    assert _requests(pep)[0].status == SectionRequestStatus.WITHDRAWN


def test_not_obtained_needs_a_reason_and_everyone_reading_the_pep_sees_it(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    mark = url(pep, "sections/social_worker_views/not-obtained/")
    response = client.post(mark, {"reason": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_reason-error"' in page
    assert "Say why “The social worker&#x27;s views” could not be obtained." in page
    with all_authorities_context():
        assert not PepSection.objects.get(pep=pep, key="social_worker_views").not_obtained_reason
    assert client.post(mark, {"reason": "On long-term leave."}).status_code == 302
    for role in (Role.VS_OFFICER, Role.CARER, Role.DESIGNATED_TEACHER):
        client.force_login(world.a.users[role])
        page = client.get(url(pep)).content.decode()
        assert 'data-testid="not-obtained-social_worker_views"' in page
        assert "On long-term leave." in page
    # Undo: to be written again.
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    assert (
        client.post(url(pep, "sections/social_worker_views/not-obtained/undo/")).status_code == 302
    )
    with all_authorities_context():
        assert not PepSection.objects.get(pep=pep, key="social_worker_views").not_obtained_reason


@pytest.mark.parametrize(
    "who,path",
    [
        ("the social worker", "sections/carer_views/ask/"),
        ("the social worker", "sections/social_worker_views/not-obtained/"),
        ("another authority's officer", "sections/carer_views/ask/"),
        ("the designated teacher", "sections/designated_teacher_views/not-obtained/"),
        ("the designated teacher", "sections/no_such_section/ask/"),
    ],
)
def test_pages_others_may_not_use_are_not_found(client, world, who, path):
    pep = start(world)
    user = {
        "the social worker": world.a.users[Role.SOCIAL_WORKER],
        "another authority's officer": world.b.users[Role.VS_OFFICER],
        "the designated teacher": world.a.users[Role.DESIGNATED_TEACHER],
    }[who]
    client.force_login(user)
    assert client.get(url(pep, path)).status_code == 404
    assert client.post(url(pep, path), {"reason": "x", "person": "x"}).status_code == 404
    assert _requests(pep) == []


def test_the_pep_page_takes_the_same_queries_however_many_requests(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(pep)).status_code == 200
        return len(ctx.captured_queries)

    queries()
    before = queries()
    for key in ("carer_views", "achievements", "activities", "aspirations"):
        client.post(
            url(pep, f"sections/{key}/ask/"), {"person": str(world.a.users[Role.CARER].public_id)}
        )
    client.post(url(pep, "sections/social_worker_views/not-obtained/"), {"reason": "On leave."})
    assert len(_requests(pep)) == 4
    assert queries() == before
