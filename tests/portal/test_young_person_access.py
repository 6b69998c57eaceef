"""A young person reaches their own record only through their own pages (/my/ and My
Voice). Every professional page about it (the child's page, the PEP and its sections, the
PDF, history, documents, meetings, access log, PP+) is the same 404 as another child's page,
the refusal recorded in the child's authority, decided in one place
(``children.permissions.can_open_professional_record`` through ``children_for``). Every
page a young person can reach by following links is safe for a child."""

import re
import uuid
from collections import deque

import pytest
from django.urls import reverse

from children.permissions import can_open_professional_record
from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps import services

from ..peps.conftest import acting
from ..permission_matrix import allowed
from ..urlwalk import all_routes
from .test_young_person import as_young_person, assert_safe_for_a_child, full_plan, visible_text

__all__ = ["full_plan"]  # the fixture, used below

pytestmark = pytest.mark.django_db

#: what the brief (issue 13 point 3) says a young person's page never shows
NEVER_ON_A_CHILDS_PAGE = (
    "looked after",
    "CLA",
    "Overdue",
    "overdue",
    "compliance",
    "QA",
    "grade",
    "Needs and barriers",
    "Attachment",
    "Social worker's views",
)
#: the young person's own pages, where the walk starts
OWN_PAGES = ("/my/", "/my-voice/")
#: links the walk does not follow: signing out, and files that are not pages
NOT_FOLLOWED = ("/accounts/logout/", "/static/", "/session/")


def test_only_the_young_person_is_kept_from_the_professional_record():
    assert allowed(can_open_professional_record) == set(Role) - {Role.YOUNG_PERSON}
    assert not can_open_professional_record(None)


@pytest.fixture
def my_record(world, full_plan):
    """The plan of ``full_plan`` with professional-only sections written, and My Voice
    started and shared by the child (so every kind of id points at something real)."""
    for key, data in {
        "needs": {"learning": "Dyslexia", "attachment": "Attachment difficulties"},
        "social_worker_views": {"text": "Placement stable"},
    }.items():
        role = Role.DESIGNATED_TEACHER if key == "needs" else Role.SOCIAL_WORKER
        with acting(world.a.users[role]) as editor:
            section = full_plan.sections.get(key=key)
            services.pep_section_save(
                actor=editor, pep=full_plan, key=key, data=data, base_version=section.version
            )
    return full_plan


def _ids(world, pep) -> dict:
    with all_authorities_context():
        meeting = pep.meetings.first()
        target = pep.targets.first()
        return {
            "child_id": world.a.child.public_id,
            "pep_id": pep.public_id,
            "meeting_id": meeting.public_id,
            "target_id": target.public_id,
            "key": "needs",
        }


def _professional_routes():
    """Every URL about a child's record that is not one of the young person's own pages."""
    return [
        r
        for r in all_routes()
        if {"child_id", "pep_id"} & set(r.kwargs)
        and not r.pattern.startswith(("my/", "my-voice/<uuid:my_voice_id>"))
    ]


def _refusals(world) -> int:
    with all_authorities_context():
        return AuditEvent.objects.filter(
            action="access_refused", child_public_id=world.a.child.public_id
        ).count()


def test_every_professional_page_about_my_own_record_is_the_404_of_another_childs(
    client, world, my_record
):
    client = as_young_person(client, world)
    real = _ids(world, my_record)
    routes = _professional_routes()
    assert {r.name for r in routes} >= {
        "child_detail",
        "pep_history",
        "pep_detail",
        "pep_section_save",
        "pep_pdf",
        "meeting_detail",
        "meeting_ics",
        "child_access_log",
        "attachment_upload",
        "ppplus:pep_lines",
        "my_voice:pep",
        "my_voice:start_for_child",
    }
    for route in routes:
        kwargs = {k: real.get(k, uuid.uuid4()) for k in route.kwargs}
        missing = {k: (v if k == "key" else uuid.uuid4()) for k, v in kwargs.items()}
        url = reverse(f"portal:{route.name}", kwargs=kwargs)
        before = _refusals(world)
        refused = client.get(url)
        absent = client.get(reverse(f"portal:{route.name}", kwargs=missing))
        assert refused.status_code in (404, 405), f"{url} answers a young person"
        assert (refused.status_code, refused.content) == (absent.status_code, absent.content), url
        if refused.status_code == 404 and getattr(route.callback, "allowed_roles", None) is None:
            # (the pages of other roles are refused by role alone, before any look-up)
            assert _refusals(world) > before, f"{url}: refusal not recorded"
        post = client.post(url)
        assert post.status_code in (404, 405), f"POST {url}"


def test_my_own_pages_still_work(client, world, my_record):
    client = as_young_person(client, world)
    assert client.get("/my/").status_code == 200
    assert client.get("/my-voice/").status_code == 200
    started = client.post("/my-voice/", follow=True)
    assert started.status_code == 200
    assert started.context["my_voice"].pep_id == my_record.pk


def _links(page: str) -> set[str]:
    hrefs = {m for m in re.findall(r'href="([^"#]+)', page)}
    return {h for h in hrefs if h.startswith("/") and not h.startswith(NOT_FOLLOWED)}


#: The accessibility statement's "Compliance status" is the heading the law's model
#: statement requires, about the service (not the child's plan): allowed there only (and
#: the page is checked against this list alone, not the "status" of a plan).
ALLOWED_ON = {"/accessibility/": {"compliance"}}


def _assert_never(world, url: str, page: str) -> None:
    text = visible_text(page)
    for word in set(NEVER_ON_A_CHILDS_PAGE) - ALLOWED_ON.get(url, set()):
        flags = 0 if word != word.lower() or word.isupper() else re.I
        assert not re.search(rf"\b{re.escape(word)}\b", text, flags), f"{word!r} on {url}"
    for other in (world.a.other_child, world.b.child):
        name = f"{other.legal_first_name} {other.legal_last_name}"
        assert name not in text, f"another child's name on {url}"
    assert world.b.child.legal_last_name not in text, f"another child's name on {url}"
    if url not in ALLOWED_ON:
        assert_safe_for_a_child(world, page)


def test_every_page_a_young_person_can_reach_is_safe_for_a_child(client, world, my_record):
    client = as_young_person(client, world)
    # My Voice started, answered and shared, so its pages and links exist.
    overview = client.post("/my-voice/", follow=True)
    my_voice = overview.context["my_voice"]
    question = reverse(
        "portal:my_voice:question", kwargs={"my_voice_id": my_voice.public_id, "number": 1}
    )
    client.post(question, {"value": "4", "go": "next"})
    share = reverse("portal:my_voice:share", kwargs={"my_voice_id": my_voice.public_id})
    version = client.get(share).context["form"]["version"].value()
    client.post(share, {"share": ["school"], "version": version})

    seen, queue = set(), deque(OWN_PAGES)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        assert response.status_code == 200, f"{url} is a link on a young person's page"
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        _assert_never(world, url, page)
        queue.extend(_links(page) - seen)
    # the walk went through the plan, My Voice's questions and sharing, and the statement
    assert len(seen) >= 8
    assert any("/questions/" in url for url in seen)
    assert share in seen and "/accessibility/" in seen


def test_the_walk_would_catch_a_professional_word(world):
    for page in (
        "<title>x</title><p>QA grade: Green</p>",
        "<title>x</title><p>Needs and barriers</p>",
        f"<title>x</title><p>{world.b.child.legal_last_name}</p>",
    ):
        with pytest.raises(AssertionError):
            _assert_never(world, "/x/", page)
