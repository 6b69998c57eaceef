"""Periods of care: adding a child (with the duplicate check and the first period),
leaving care with an SSDA903 reason, entering care again. A former child in care is
seen by the Virtual School only and has no PEP deadlines or tasks; after entering care
again only the new period's obligations count. Bad input changes nothing."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from children import services
from children.models import Allocation, CarePeriod, Child
from children.selectors import children_for, former_children, possible_duplicates
from deadlines.models import Deadline, Task
from epep.audit.models import AuditEvent
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role

from ..factories import make_upn

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 2)


@pytest.fixture
def w(world, clock_at):
    clock_at(TODAY)
    return world


def _new_child(**overrides):
    fields = {
        "legal_first_name": "Amara",
        "legal_last_name": "Okafor",
        "date_of_birth": date(2016, 4, 1),
        "gender": Child.Gender.FEMALE,
        "upn": make_upn("886"),
        "legal_status": Child.LegalStatus.C2,
        "entered_care_on": date(2026, 10, 20),
    }
    return fields | overrides


def _add(w, role=Role.SOCIAL_WORKER, **kwargs):
    with acting_as(w.a.users[role], role) as actor:
        return services.child_add(actor=actor, **kwargs)


def _reload(child):
    with authority_context(local_authority_ids=[child.local_authority_id]):
        child.refresh_from_db()


def _periods(child):
    with authority_context(local_authority_ids=[child.local_authority_id]):
        return list(
            CarePeriod.objects.filter(child=child)
            .order_by("started_on")
            .values_list("started_on", "ended_on", "reason_ended")
        )


def _children_of_a(w):
    with authority_context(local_authority_ids=[w.a.la.pk]):
        return Child.objects.filter(local_authority=w.a.la).count()


def test_a_social_worker_adds_a_child_and_becomes_their_social_worker(w):
    child = _add(w, **_new_child())
    assert child.local_authority_id == w.a.la.pk
    assert _periods(child) == [(date(2026, 10, 20), None, "")]
    with authority_context(local_authority_ids=[w.a.la.pk]):
        allocation = Allocation.objects.get(child=child)
        assert (allocation.worker, allocation.kind, allocation.start_date) == (
            w.a.users[Role.SOCIAL_WORKER],
            Role.SOCIAL_WORKER,
            date(2026, 10, 20),
        )
        assert AuditEvent.objects.filter(action="create", object_id=str(child.public_id)).exists()
        # The first PEP deadline is worked out at once.
        assert Deadline.objects.filter(child=child, kind="first_pep").exists()


def test_the_virtual_school_may_name_a_social_worker_of_the_authority_only(w):
    outsider = w.b.users[Role.SOCIAL_WORKER]
    before = _children_of_a(w)
    with pytest.raises(ValidationError) as caught:
        _add(w, Role.VS_OFFICER, social_worker=outsider, **_new_child())
    assert "social_worker" in caught.value.message_dict
    assert _children_of_a(w) == before
    child = _add(w, Role.VS_OFFICER, social_worker=w.a.users[Role.SOCIAL_WORKER], **_new_child())
    with authority_context(local_authority_ids=[w.a.la.pk]):
        assert Allocation.objects.get(child=child).worker == w.a.users[Role.SOCIAL_WORKER]


@pytest.mark.parametrize("role", [Role.DESIGNATED_TEACHER, Role.CARER, Role.IRO])
def test_other_roles_cannot_add_a_child(w, role):
    with pytest.raises(PermissionDenied):
        _add(w, role, **_new_child())


def test_the_same_upn_or_the_same_names_and_birthday_is_a_possible_duplicate(w):
    existing = w.a.child
    same_upn = _new_child(upn=existing.upn.lower())
    same_names = _new_child(
        legal_first_name=existing.legal_first_name.upper(),
        legal_last_name=existing.legal_last_name.lower(),
        date_of_birth=existing.date_of_birth,
    )
    before = _children_of_a(w)
    for fields in (same_upn, same_names):
        with pytest.raises(ValidationError) as caught:
            _add(w, **fields)
        assert "confirmed_not_duplicate" in caught.value.message_dict
    assert _children_of_a(w) == before
    # Another authority's children are not looked at.
    with acting_as(w.b.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        assert possible_duplicates(actor=actor, upn=existing.upn) == []
    # Confirmed a different child: created (the UPN itself must still be unique).
    child = _add(w, confirmed_not_duplicate=True, **same_names)
    assert child.pk
    with pytest.raises(ValidationError) as caught:
        _add(w, confirmed_not_duplicate=True, **same_upn)
    assert caught.value.message_dict["upn"] == ["Another child in this authority has this UPN."]


def test_bad_dates_on_adding_are_said_beside_the_field_and_change_nothing(w):
    before = _children_of_a(w)
    with pytest.raises(ValidationError) as caught:
        _add(w, **_new_child(entered_care_on=date(2026, 11, 3)))
    assert "entered_care_on" in caught.value.message_dict
    assert _children_of_a(w) == before


def _leave(w, child, role=Role.VS_OFFICER, **kwargs):
    with acting_as(w.a.users[role], role) as actor:
        return services.care_leave(actor=actor, child=child, **kwargs)


def _enter(w, child, role=Role.VS_OFFICER, **kwargs):
    with acting_as(w.a.users[role], role) as actor:
        return services.care_enter_again(actor=actor, child=child, **kwargs)


def _visible_to(w, role):
    with acting_as(w.a.users[role], role) as actor:
        return set(children_for(actor=actor).values_list("pk", flat=True))


def test_leaving_care_makes_a_former_child_seen_by_the_virtual_school_only(w):
    child = w.a.child
    assert child.pk in _visible_to(w, Role.DESIGNATED_TEACHER)
    _leave(w, child, role=Role.SOCIAL_WORKER, left_on=date(2026, 10, 30), reason="E13")
    _reload(child)
    assert child.left_care_on == date(2026, 10, 30)
    assert _periods(child) == [(date(2022, 5, 1), date(2026, 10, 30), "E13")]
    for role in (Role.VS_OFFICER, Role.VS_HEAD, Role.LA_ADMIN):
        assert child.pk in _visible_to(w, role)
    for role in (Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.CARER, Role.IRO):
        assert child.pk not in _visible_to(w, role)
    with acting_as(w.a.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        former = list(former_children(actor=actor))
        assert [(c.pk, c.reason_ended) for c in former] == [(child.pk, "E13")]
    with authority_context(local_authority_ids=[w.a.la.pk]):
        assert not Deadline.objects.filter(child=child, met_on__isnull=True).exists()
        assert not Task.objects.filter(child=child, closed_at__isnull=True).exists()
        assert AuditEvent.objects.filter(action="update", detail__reason_ended="E13").exists()


@pytest.mark.parametrize(
    ("left_on", "reason", "field", "message"),
    [
        (None, "E13", "left_on", "Enter the date the child left care."),
        (date(2026, 11, 3), "E13", "left_on", "must be today or in the past"),
        (date(2022, 5, 1), "E13", "left_on", "must be after the date they entered care"),
        (date(2026, 10, 30), "X1", "reason", "X1 is not a reason for leaving care"),
        (date(2026, 10, 30), "", "reason", "Choose the reason the child left care."),
    ],
)
def test_bad_leaving_care_is_said_beside_the_field_and_changes_nothing(
    w, left_on, reason, field, message
):
    child = w.a.child
    with pytest.raises(ValidationError) as caught:
        _leave(w, child, left_on=left_on, reason=reason)
    assert message in " ".join(caught.value.message_dict[field])
    _reload(child)
    assert child.left_care_on is None
    # (The world's children were made without periods; the one made on the way is gone.)
    assert _periods(child) in ([], [(date(2022, 5, 1), None, "")])


def test_only_the_childs_own_social_worker_records_their_care(w):
    other_sw_child = w.a.other_child  # allocated to another social worker
    with pytest.raises(PermissionDenied):
        _leave(w, other_sw_child, role=Role.SOCIAL_WORKER, left_on=date(2026, 10, 30), reason="E8")
    with pytest.raises(PermissionDenied):
        _leave(w, w.a.child, role=Role.DESIGNATED_TEACHER, left_on=date(2026, 10, 30), reason="E8")
    with acting_as(w.b.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        with pytest.raises(PermissionDenied):
            services.care_leave(actor=actor, child=w.a.child, left_on=TODAY, reason="E8")


def test_entering_care_again_starts_a_new_period_whose_obligations_alone_count(w):
    child = w.a.child
    _leave(w, child, left_on=date(2026, 6, 1), reason="E4A")
    with pytest.raises(ValidationError) as caught:
        _enter(w, child, entered_on=date(2026, 6, 1))
    assert "after the date they left care" in caught.value.message_dict["entered_on"][0]
    with pytest.raises(ValidationError):
        _enter(w, child, entered_on=date(2026, 11, 3))
    assert len(_periods(child)) == 1
    _enter(w, child, entered_on=date(2026, 10, 26))
    _reload(child)
    assert (child.entered_care_on, child.left_care_on) == (date(2026, 10, 26), None)
    assert _periods(child) == [
        (date(2022, 5, 1), date(2026, 6, 1), "E4A"),
        (date(2026, 10, 26), None, ""),
    ]
    with authority_context(local_authority_ids=[w.a.la.pk]):
        first_peps = list(
            Deadline.objects.filter(child=child, kind="first_pep").values_list(
                "trigger_date", flat=True
            )
        )
    assert first_peps == [date(2026, 10, 26)]
    assert child.pk in _visible_to(w, Role.VS_OFFICER)
    with pytest.raises(ValidationError) as caught:
        _enter(w, child, entered_on=date(2026, 10, 27))
    assert caught.value.message_dict["entered_on"] == ["This child is already in care."]


def test_child_create_records_the_first_period(w):
    with authority_context(local_authority_ids=[w.a.la.pk]):
        child = services.child_create(actor=None, local_authority=w.a.la, **_new_child())
    assert _periods(child) == [(date(2026, 10, 20), None, "")]
