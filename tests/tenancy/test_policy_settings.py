"""``local_authority_policy_update``: the authority's PEP policy as its LA administrator
and Virtual School Head set it in the portal."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deadlines.models import Deadline, DeadlineKind
from epep.audit.models import AuditEvent
from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority
from epep.tenancy.roles import Role
from epep.tenancy.services import STALE_POLICY_MESSAGE, local_authority_policy_update

from ..deadlines.test_deadlines import add_terms, new_child, refresh
from ..peps.conftest import acting

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 3)


def update(user, la, role=None, **fields):
    with acting(user, role) as actor:
        version = LocalAuthority.objects.get(pk=la.pk).policy_version
        return local_authority_policy_update(
            actor=actor, authority=la, expected_version=fields.pop("version", version), **fields
        )


def first_pep_due(child) -> date:
    with authority_context(local_authority_ids=[child.local_authority_id]):
        return Deadline.objects.get(child=child, kind=DeadlineKind.FIRST_PEP).due_date


@pytest.mark.parametrize("role", [Role.VS_HEAD, Role.LA_ADMIN])
def test_the_head_and_la_admin_change_the_policy_and_it_is_audited(world, role):
    la = world.a.la
    authority, changed = update(
        world.a.users[role], la, max_targets_per_term=6, finalising_needs_second_person=True
    )
    assert changed == ["max_targets_per_term", "finalising_needs_second_person"]
    stored = LocalAuthority.objects.get(pk=la.pk)
    assert (stored.max_targets_per_term, stored.finalising_needs_second_person) == (6, True)
    assert stored.policy_version == la.policy_version + 1
    with authority_context(local_authority_ids=[la.pk]):
        event = AuditEvent.objects.get(object_type="tenancy.localauthority", action="update")
    assert event.detail["before"] == {
        "max_targets_per_term": 4,
        "finalising_needs_second_person": False,
    }
    assert event.detail["after"] == {
        "max_targets_per_term": 6,
        "finalising_needs_second_person": True,
    }
    assert event.local_authority_id == la.pk


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.VS_HEAD, Role.LA_ADMIN)])
def test_no_one_else_changes_the_policy(world, role):
    with pytest.raises(PermissionDenied):
        update(world.a.users[role], world.a.la, max_targets_per_term=6)
    assert LocalAuthority.objects.get(pk=world.a.la.pk).max_targets_per_term == 4


def test_a_head_cannot_change_another_authoritys_policy(world):
    with pytest.raises(PermissionDenied):
        update(world.a.users[Role.VS_HEAD], world.b.la, first_pep_limit=20)
    assert LocalAuthority.objects.get(pk=world.b.la.pk).first_pep_limit == 10


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"first_pep_limit": 0}, "first_pep_limit", "from 1 to 60"),
        ({"first_pep_limit": 61}, "first_pep_limit", "from 1 to 60"),
        ({"max_targets_per_term": 11}, "max_targets_per_term", "from 1 to 10"),
        ({"first_pep_unit": "weeks"}, "first_pep_unit", "Choose one of the options"),
        ({"review_cadence": "yearly"}, "review_cadence", "Choose one of the options"),
    ],
)
def test_bad_values_are_refused_beside_the_field_and_change_nothing(world, fields, field, message):
    la = world.a.la
    with pytest.raises(ValidationError) as error:
        update(world.a.users[Role.VS_HEAD], la, **{"first_pep_limit": 20, **fields})
    assert message in error.value.message_dict[field][0]
    stored = LocalAuthority.objects.get(pk=la.pk)
    assert (stored.first_pep_limit, stored.policy_version) == (10, la.policy_version)


def test_a_stale_form_is_refused_and_changes_nothing(world):
    la = world.a.la
    head, admin = world.a.users[Role.VS_HEAD], world.a.users[Role.LA_ADMIN]
    opened_at = la.policy_version
    update(admin, la, max_targets_per_term=3)
    with pytest.raises(ValidationError) as error:
        update(head, la, version=opened_at, max_targets_per_term=8, first_pep_limit=15)
    assert error.value.messages == [STALE_POLICY_MESSAGE]
    stored = LocalAuthority.objects.get(pk=la.pk)
    assert (stored.max_targets_per_term, stored.first_pep_limit) == (3, 10)


def test_saving_the_same_values_changes_nothing(world):
    la = world.a.la
    _, changed = update(world.a.users[Role.VS_HEAD], la, first_pep_limit=10)
    assert changed == []
    assert LocalAuthority.objects.get(pk=la.pk).policy_version == la.policy_version


def test_a_new_first_pep_limit_moves_the_due_date_at_once(world, clock_at):
    clock_at(DAY)
    add_terms(world.a.la)
    child = new_child(world.a.la)
    assert refresh(child, DAY)[DeadlineKind.FIRST_PEP].due_date == date(2026, 11, 16)
    update(
        world.a.users[Role.VS_HEAD], world.a.la, first_pep_limit=20, first_pep_unit="school_days"
    )
    assert first_pep_due(child) == date(2026, 11, 30)
