"""A target's Pupil Premium Plus cost on the PEP page: only finite pounds and pence up to
the maximum; anything else is shown again with the message beside the field."""

import re

import pytest

from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role

from ..peps.test_cycle import TARGET, start

pytestmark = pytest.mark.django_db

LIKE = "Enter the cost in pounds and pence, like 250 or 250.50."
TOO_MUCH = "The cost must be £100,000 or less."


def target_data(cost: str) -> dict:
    data = {k: v for k, v in TARGET.items() if k != "ppplus_cost_pence"}
    return {**data, "due_date": TARGET["due_date"].isoformat(), "ppplus_cost": cost}


def field_error(page: str, field: str) -> str:
    match = re.search(
        rf'<p id="id_{field}-error" class="govuk-error-message">'
        r'<span class="govuk-visually-hidden">Error:</span> (.*?)</p>',
        page,
    )
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    ("cost", "message"),
    [
        ("NaN", LIKE),
        ("Infinity", LIKE),
        ("-Infinity", LIKE),
        ("1e9", LIKE),
        ("1e308", LIKE),
        ("1000000000", TOO_MUCH),
        ("100000.01", TOO_MUCH),
        ("9" * 5000, TOO_MUCH),
        ("-5", "The cost must be £0 or more."),
        ("12.345", "Enter the cost with no more than 2 digits of pence, like 250.50."),
    ],
)
def test_a_cost_that_is_not_pounds_and_pence_is_shown_beside_the_field_and_adds_nothing(
    client, world, cost, message
):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    with all_authorities_context():
        changes_before = AuditEvent.objects.exclude(action="view").count()

    response = client.post(f"/peps/{pep.public_id}/targets/", target_data(cost))

    assert response.status_code == 400  # the PEP page again, as for every invalid form
    page = response.content.decode()
    assert field_error(page, "ppplus_cost") == message
    assert f'<a href="#id_ppplus_cost">{message}</a>' in page  # the error summary
    for other in ("description", "success_measure", "responsible", "due_date"):
        assert field_error(page, other) == ""
    with all_authorities_context():
        assert not pep.targets.exists()
        assert AuditEvent.objects.exclude(action="view").count() == changes_before


def test_the_largest_cost_allowed_is_added(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    response = client.post(f"/peps/{pep.public_id}/targets/", target_data("£100,000.00"))
    assert response.status_code == 302
    with all_authorities_context():
        assert pep.targets.get().ppplus_cost_pence == 100_000_00
    assert "£100,000.00" in client.get(f"/peps/{pep.public_id}/").content.decode()


def test_no_cost_is_allowed(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    response = client.post(f"/peps/{pep.public_id}/targets/", target_data("  "))
    assert response.status_code == 302
    with all_authorities_context():
        assert pep.targets.get().ppplus_cost_pence is None
