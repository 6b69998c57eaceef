"""Finishing a PEP: the designated teacher asks the carer or the social worker for their
section (a request in their in-tray and an email in the outbox), the request closes when
they write it, and a section that could not be obtained is recorded with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epep.audit.models import AuditEvent
from epep.notifications.models import Notification, NotificationKind
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps import selectors, services
from peps.models import PepSection, SectionRequest, SectionRequestStatus

from .conftest import acting
from .test_cycle import start

pytestmark = pytest.mark.django_db


def _ask(world, pep, person, section="carer_views", message="Could you add your views?"):
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        return services.section_request_send(
            actor=dt, pep=pep, section=section, person=person, message=message
        )


def _requests(pep):
    with all_authorities_context():
        return list(SectionRequest.objects.filter(pep=pep).order_by("id"))


def _outbox():
    with all_authorities_context():
        return list(Notification.objects.filter(kind=NotificationKind.SECTION_REQUEST))


def test_the_designated_teacher_asks_the_carer_and_an_email_goes_in_the_outbox(world):
    pep = start(world)
    carer = world.a.users[Role.CARER]
    request = _ask(world, pep, carer)
    assert request.status == SectionRequestStatus.OPEN
    assert (request.requested_from, request.requested_from_role) == (carer, Role.CARER)
    [email] = _outbox()
    assert email.recipient == carer and email.local_authority_id == pep.local_authority_id
    assert "The carer's views" in email.subject
    assert "Could you add your views?" in email.body
    assert f"/peps/{pep.public_id}/#section-carer_views" in email.body
    # The child's name stays out of emails (initials only).
    assert world.a.child.legal_last_name not in email.subject + email.body
    with all_authorities_context():
        assert AuditEvent.objects.filter(object_type="peps.sectionrequest").count() == 1


def test_the_writers_of_a_section_are_the_childs_carer_and_workers_who_write_it(world):
    pep = start(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]):
        carer_views = {
            (w.user, w.role) for w in selectors.section_writers(pep=pep, key="carer_views")
        }
        sw_views = {
            (w.user, w.role) for w in selectors.section_writers(pep=pep, key="social_worker_views")
        }
    users = world.a.users
    assert carer_views == {
        (users[Role.CARER], Role.CARER),
        (users[Role.SOCIAL_WORKER], Role.SOCIAL_WORKER),
        (users[Role.PERSONAL_ADVISER], Role.PERSONAL_ADVISER),
    }
    assert sw_views == {
        (users[Role.SOCIAL_WORKER], Role.SOCIAL_WORKER),
        (users[Role.PERSONAL_ADVISER], Role.PERSONAL_ADVISER),
    }


@pytest.mark.parametrize(
    "who", ["the Virtual School officer", "another child's carer", "the carer, for the SW's views"]
)
def test_asking_someone_who_does_not_write_the_section_is_refused_and_changes_nothing(world, who):
    pep = start(world)
    person, section = {
        "the Virtual School officer": (world.a.users[Role.VS_OFFICER], "carer_views"),
        "another child's carer": (world.b.users[Role.CARER], "carer_views"),
        "the carer, for the SW's views": (world.a.users[Role.CARER], "social_worker_views"),
    }[who]
    with pytest.raises(ValidationError) as error:
        _ask(world, pep, person, section=section)
    assert "Choose someone who writes" in error.value.message_dict["person"][0]
    assert _requests(pep) == [] and _outbox() == []


def test_one_open_request_per_section_and_person(world):
    pep = start(world)
    _ask(world, pep, world.a.users[Role.CARER])
    with pytest.raises(ValidationError) as error:
        _ask(world, pep, world.a.users[Role.CARER])
    assert "has already been asked" in error.value.message_dict["person"][0]
    assert len(_requests(pep)) == 1 and len(_outbox()) == 1


def test_a_too_long_message_is_refused_and_changes_nothing(world):
    pep = start(world)
    with pytest.raises(ValidationError) as error:
        _ask(world, pep, world.a.users[Role.CARER], message="x" * 2001)
    assert "too long" in error.value.message_dict["message"][0]
    assert _requests(pep) == [] and _outbox() == []


def test_only_whoever_finishes_the_pep_may_ask(world):
    pep = start(world)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        with pytest.raises(PermissionDenied):
            services.section_request_send(
                actor=sw, pep=pep, section="carer_views", person=world.a.users[Role.CARER]
            )
    assert _requests(pep) == []


def test_the_request_closes_when_the_person_asked_writes_the_section(world):
    pep = start(world)
    carer = world.a.users[Role.CARER]
    _ask(world, pep, carer)
    _ask(world, pep, world.a.users[Role.SOCIAL_WORKER])
    with acting(carer) as actor:
        services.pep_section_save(
            actor=actor, pep=pep, key="carer_views", data={"text": "Happy."}, base_version=0
        )
        assert selectors.open_section_requests_for(actor=actor) == []
    mine, sw = _requests(pep)
    assert mine.status == SectionRequestStatus.DONE and mine.answered_at is not None
    assert sw.status == SectionRequestStatus.OPEN  # asked separately: still waiting


def test_the_person_asked_sees_the_request_and_no_one_else_does(world):
    pep = start(world)
    request = _ask(world, pep, world.a.users[Role.CARER])
    with acting(world.a.users[Role.CARER]) as carer:
        assert selectors.open_section_requests_for(actor=carer) == [request]
    for role in (Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER):
        with acting(world.a.users[role]) as other:
            assert selectors.open_section_requests_for(actor=other) == []
    with acting(world.b.users[Role.CARER]) as elsewhere:
        assert selectors.open_section_requests_for(actor=elsewhere) == []


def test_a_request_can_be_withdrawn_once(world):
    pep = start(world)
    request = _ask(world, pep, world.a.users[Role.CARER])
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        services.section_request_withdraw(actor=dt, pep=pep, request=request)
        with pytest.raises(ValidationError, match="no longer open"):
            services.section_request_withdraw(actor=dt, pep=pep, request=request)
    [row] = _requests(pep)
    assert row.status == SectionRequestStatus.WITHDRAWN and row.withdrawn_at is not None
    # Asking again after a withdrawal is allowed.
    _ask(world, pep, world.a.users[Role.CARER])


def test_a_section_could_not_be_obtained_needs_a_reason_and_then_counts_as_complete(world):
    pep = start(world)
    missing = "The social worker's views: The social worker's views is missing."
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        assert missing in services.pep_completeness(pep)
        with pytest.raises(ValidationError) as error:
            services.section_mark_not_obtained(
                actor=dt, pep=pep, section="social_worker_views", reason="   "
            )
        assert error.value.message_dict["reason"] == [
            "Say why “The social worker's views” could not be obtained."
        ]
        assert not PepSection.objects.get(pep=pep, key="social_worker_views").not_obtained_reason
        services.section_mark_not_obtained(
            actor=dt, pep=pep, section="social_worker_views", reason="On long-term leave."
        )
        row = PepSection.objects.get(pep=pep, key="social_worker_views")
        assert (row.not_obtained_reason, row.not_obtained_by) == ("On long-term leave.", dt.user)
        assert missing not in services.pep_completeness(pep)
        services.section_unmark_not_obtained(actor=dt, pep=pep, section="social_worker_views")
        assert missing in services.pep_completeness(pep)


def test_recording_a_section_as_not_obtained_withdraws_whoever_was_asked_for_it(world):
    pep = start(world)
    carer = world.a.users[Role.CARER]
    _ask(world, pep, carer)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        services.section_mark_not_obtained(
            actor=dt, pep=pep, section="carer_views", reason="The carer is in hospital."
        )
    [row] = _requests(pep)
    assert row.status == SectionRequestStatus.WITHDRAWN
    with acting(carer) as person:
        assert selectors.open_section_requests_for(actor=person) == []


def test_only_whoever_finishes_the_pep_marks_a_section_someone_else_writes(world):
    pep = start(world)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        with pytest.raises(PermissionDenied):
            services.section_mark_not_obtained(
                actor=sw, pep=pep, section="social_worker_views", reason="Busy."
            )
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        with pytest.raises(PermissionDenied):  # their own section: they write it
            services.section_mark_not_obtained(
                actor=dt, pep=pep, section="designated_teacher_views", reason="Busy."
            )


def test_a_request_of_another_pep_is_not_found(world):
    from django.http import Http404

    pep = start(world)
    request = _ask(world, pep, world.a.users[Role.CARER])
    with acting(world.b.users[Role.VS_OFFICER]) as other:
        with pytest.raises(Http404):
            selectors.access_pep_by_id(actor=other, pep_id=pep.public_id)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        assert (
            selectors.access_section_request_by_id(actor=dt, pep=pep, request_id=request.public_id)
            == request
        )
        with pytest.raises(Http404):
            selectors.access_section_request_by_id(actor=dt, pep=pep, request_id=pep.public_id)


def test_the_pdf_shows_why_a_section_could_not_be_obtained(world):
    from peps.pdf import pep_context

    pep = start(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        services.section_mark_not_obtained(
            actor=dt, pep=pep, section="carer_views", reason="No carer in place this term."
        )
        sections = {s["key"]: s for s in pep_context(pep, draft=True)["sections"]}
    assert sections["carer_views"]["not_obtained"] == "No carer in place this term."
    assert sections["social_worker_views"]["not_obtained"] == ""


def test_requests_on_a_submitted_pep_leave_the_in_tray_until_it_comes_back(world):
    from peps.models import Pep, Status

    pep = start(world)
    request = _ask(world, pep, world.a.users[Role.CARER])
    for status, expected in ((Status.SUBMITTED, []), (Status.RETURNED, [request])):
        with all_authorities_context():
            Pep.objects.filter(pk=pep.pk).update(status=status)
        with acting(world.a.users[Role.CARER]) as carer:
            assert selectors.open_section_requests_for(actor=carer) == expected
