"""A child's record refuses dates it cannot hold, with the reason beside the field: born
after today, entering care before birth, entering care after today. "Today" is the
project clock's, so the rule holds on any day the tests are run."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from children.models import Child
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role

from ..factories import ChildFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 5)


def errors_of(child) -> dict[str, list[str]]:
    with authority_context(local_authority_ids=[child.local_authority_id]):
        with pytest.raises(ValidationError) as caught:
            child.full_clean()
    return caught.value.message_dict


@pytest.fixture
def child(world, clock_at):
    clock_at(TODAY)
    return world.a.child


def test_a_date_of_birth_after_today_is_refused_beside_the_field(child):
    child.date_of_birth = date(2026, 10, 6)
    child.entered_care_on = date(2026, 10, 6)
    errors = errors_of(child)
    assert errors["date_of_birth"] == ["Date of birth must be today or in the past."]
    assert errors["entered_care_on"] == [
        "The date the child entered care must be today or in the past."
    ]


def test_entering_care_before_birth_is_refused_beside_the_field(child):
    child.date_of_birth = date(2015, 3, 14)
    child.entered_care_on = date(2015, 3, 13)
    errors = errors_of(child)
    assert errors == {
        "entered_care_on": [
            "The date the child entered care must be on or after their date of birth."
        ]
    }


def test_entering_care_after_today_is_refused_beside_the_field(child):
    child.entered_care_on = date(2026, 10, 6)
    assert errors_of(child) == {
        "entered_care_on": ["The date the child entered care must be today or in the past."]
    }


def test_born_today_and_entering_care_today_is_accepted(child):
    child.date_of_birth = TODAY
    child.entered_care_on = TODAY
    with authority_context(local_authority_ids=[child.local_authority_id]):
        child.full_clean()


def test_today_follows_the_project_clock(world, clock_at):
    clock_at(date(2030, 1, 1))
    child = world.a.child
    child.date_of_birth = date(2029, 6, 1)
    child.entered_care_on = date(2029, 12, 1)
    with authority_context(local_authority_ids=[child.local_authority_id]):
        child.full_clean()  # in the past on 1 January 2030


def test_the_admin_refuses_a_future_date_of_birth_and_saves_nothing(client, world, clock_at):
    clock_at(TODAY)
    officer = world.a.users[Role.VS_OFFICER]
    client.force_login(officer)
    child = world.a.child
    url = f"/admin/children/child/{child.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: field.widget.format_value(form.initial.get(name, field.initial)) or ""
        for name, field in form.fields.items()
    }
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data["is_uasc"] = "on" if child.is_uasc else ""
    data.update(date_of_birth="01/03/2027", entered_care_on="01/03/2027")
    for prefix in ("enrolments", "placements", "allocations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with its errors
    page = response.content.decode()
    assert "Date of birth must be today or in the past." in page
    assert "The date the child entered care must be today or in the past." in page
    with authority_context(local_authority_ids=[child.local_authority_id]):
        assert Child.objects.get(pk=child.pk).date_of_birth == date(2015, 3, 14)


def test_a_child_already_saved_with_a_future_birth_date_can_be_corrected(world, clock_at):
    clock_at(TODAY)
    child = ChildFactory(
        local_authority=world.a.la,
        date_of_birth=date(2027, 3, 1),
        entered_care_on=date(2027, 3, 1),
    )
    child.date_of_birth = date(2017, 3, 1)
    child.entered_care_on = date(2026, 3, 1)
    with authority_context(local_authority_ids=[child.local_authority_id]):
        child.full_clean()
