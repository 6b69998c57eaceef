"""A young person's own page tells them, kindly and in the present, about their next PEP
meeting: when it is if one is booked, or that it will be arranged. Never the
professionals' deadline, nor whether it was missed ("Overdue")."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deadlines.models import Deadline
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role

from ..meetings.test_meetings import schedule
from ..peps.test_cycle import start

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 10, 5)  # a Monday; the child entered care in 2022, deadlines long missed
NOT_ARRANGED = (
    "Your next PEP meeting hasn't been arranged yet. "
    "Your social worker or teacher will tell you when it is."
)


def my_page(client, world) -> str:
    client.force_login(world.a.users[Role.YOUNG_PERSON])
    response = client.get("/my/")
    assert response.status_code == 200
    return response.content.decode()


def assert_no_compliance_state(page: str) -> None:
    for word in ("Overdue", "Due by", "Due soon", "Due today"):
        assert word not in page
    next_meeting = re.search(r'data-testid="next-meeting">(.*?)</div>', page, re.S).group(1)
    assert "govuk-tag" not in next_meeting


def deadline(world, due: date) -> None:
    with all_authorities_context():
        Deadline.objects.create(
            local_authority=world.a.la,
            child=world.a.child,
            kind="termly_review",
            trigger_date=due - timedelta(days=70),
            due_date=due,
            source="test",
        )


def test_a_missed_deadline_is_not_shown_to_the_child(client, world, clock_at):
    clock_at(TODAY)
    deadline(world, date(2021, 11, 16))
    client.force_login(world.a.users[Role.YOUNG_PERSON])
    [row] = client.get("/my/").context["rows"]
    assert row["next_deadline"]["state"].label == "Overdue"  # what professionals see
    page = my_page(client, world)
    assert NOT_ARRANGED in page
    assert "16 November 2021" not in page
    assert_no_compliance_state(page)


def test_a_deadline_still_ahead_is_not_shown_either(client, world, clock_at):
    clock_at(TODAY)
    deadline(world, date(2026, 11, 16))
    page = my_page(client, world)
    assert NOT_ARRANGED in page
    assert "16 November 2026" not in page
    assert_no_compliance_state(page)


def test_with_no_meeting_booked_the_child_is_told_it_will_be_arranged(client, world, clock_at):
    clock_at(TODAY)
    page = my_page(client, world)
    assert NOT_ARRANGED in page
    assert_no_compliance_state(page)


def test_a_meeting_booked_for_later_is_shown_with_its_day_and_time(client, world, clock_at):
    clock_at(TODAY)
    pep = start(world)
    schedule(world, pep, starts_at=datetime(2026, 10, 13, 16, 0, tzinfo=LONDON))
    page = my_page(client, world)
    assert "Tuesday 13 October 2026 at 4:00pm" in page
    assert "Shared Academy, meeting room 2" in page
    assert NOT_ARRANGED not in page
    assert_no_compliance_state(page)


def test_a_meeting_time_that_has_passed_is_not_shown_as_next(client, world, clock_at):
    clock_at(TODAY)
    pep = start(world)
    schedule(world, pep, starts_at=datetime(2026, 10, 13, 16, 0, tzinfo=LONDON))
    clock_at(date(2026, 10, 20))  # held, not yet recorded
    page = my_page(client, world)
    assert "13 October 2026" not in page
    assert NOT_ARRANGED in page
    assert_no_compliance_state(page)
