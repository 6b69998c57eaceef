"""A target's "By when?" date: in the PEP's term or later. A date years in the past is
shown again with a message beside the field, and nothing is added."""

from datetime import date

import pytest

from epep.audit.models import AuditEvent
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps.terms import term_window_start

from ..peps.test_cycle import TARGET, start
from .test_ppplus_cost_page import field_error

pytestmark = pytest.mark.django_db


def target_data(due: date) -> dict:
    data = {k: v for k, v in TARGET.items() if k != "ppplus_cost_pence"}
    return {**data, "due_date": due.isoformat(), "ppplus_cost": ""}


def test_a_target_due_years_ago_is_refused_beside_the_date_and_adds_nothing(client, world):
    pep = start(world)
    earliest = min(term_window_start(pep.academic_year, pep.term), clock.today())
    message = (
        f"The date must be in this PEP&#x27;s term or later: on or after "
        f"{earliest.day} {earliest:%B %Y}."
    )
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    with all_authorities_context():
        changes_before = AuditEvent.objects.exclude(action="view").count()

    response = client.post(f"/peps/{pep.public_id}/targets/", target_data(date(2001, 5, 1)))

    assert response.status_code == 400
    page = response.content.decode()
    assert field_error(page, "due_date") == message
    assert f'<a href="#id_due_date">{message}</a>' in page  # the error summary
    with all_authorities_context():
        assert not pep.targets.exists()
        assert AuditEvent.objects.exclude(action="view").count() == changes_before


def test_a_target_due_on_the_first_day_of_the_peps_term_is_added(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    earliest = min(term_window_start(pep.academic_year, pep.term), clock.today())
    response = client.post(f"/peps/{pep.public_id}/targets/", target_data(earliest))
    assert response.status_code == 302
    with all_authorities_context():
        assert pep.targets.get().due_date == earliest
