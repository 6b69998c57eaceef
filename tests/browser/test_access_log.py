"""The access log in real Chromium: the Virtual School head opens a child's log from the
child's page, filters it, sees errors next to the fields; no accessibility violations."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from epep.audit.models import AuditEvent
from epep.tenancy import clock
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role

from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


def a_few_events(world):
    """A week of ordinary use of Kent's child's record, and one refused attempt."""
    child, a = world.a.child, world.a.users
    start = datetime(2026, 11, 16, 9, 30, tzinfo=LONDON)
    entries = [
        (a[Role.SOCIAL_WORKER], Role.SOCIAL_WORKER, "view", {}),
        (a[Role.DESIGNATED_TEACHER], Role.DESIGNATED_TEACHER, "view", {}),
        (
            a[Role.VS_OFFICER],
            Role.VS_OFFICER,
            "grant",
            {"grantee": "iro.343@example.org", "expires_on": "2027-02-28"},
        ),
        (a[Role.IRO], Role.IRO, "view", {}),
        (a[Role.VS_OFFICER], Role.VS_OFFICER, "revoke", {"grantee": "iro.343@example.org"}),
    ]
    for i, (user, role, action, detail) in enumerate(entries):
        # Each in its person's name: the audit policy admits nothing else.
        with authority_context(local_authority_ids=[world.a.la.pk], user_id=user.pk):
            AuditEvent.objects.create(
                occurred_at=start + timedelta(days=i, minutes=35 * i),
                user=user,
                user_email=user.email,
                role=role,
                local_authority_id=world.a.la.pk,
                action=action,
                object_type="children.childaccessgrant"
                if action in ("grant", "revoke")
                else "children.child",
                object_id=str(child.public_id),
                child_public_id=child.public_id,
                request_id=f"{i:02d}c6d2a8e0b94f4b7aa1f3e5d9{i:06d}",
                detail=detail,
            )


def test_the_virtual_school_head_reads_and_filters_a_childs_access_log(browser, live_server, world):
    a_few_events(world)
    # Someone from another authority tries the child's record and is refused.
    intruder = Client()
    intruder.force_login(world.b.users[Role.SOCIAL_WORKER])
    assert intruder.get(f"/children/{world.a.child.public_id}/").status_code == 404

    page = signed_in_page(browser, live_server, world.a.users[Role.VS_HEAD])
    page.goto(f"{live_server.url}/children/{world.a.child.public_id}/")
    page.get_by_role("link", name="Who has viewed or changed this record").click()
    page.get_by_role("heading", level=1, name="Who has viewed or changed this record").wait_for()
    table = page.get_by_test_id("access-log-table")
    text = table.inner_text()
    assert "Tried to open the record and was refused" in text
    assert "social_worker.343@example.org" in text
    assert "Gave access to iro.343@example.org until 28 Feb 2027" in text
    assert axe_violations(page) == []
    assert page.csp_violations == []
    screenshot(page, "access-log")

    # Filter by person and dates, without JavaScript help.
    sw = world.a.users[Role.SOCIAL_WORKER]
    page.get_by_label("Person", exact=True).select_option(label=f"{sw.full_name} ({sw.email})")
    page.get_by_label("From", exact=True).fill("2026-11-16")
    page.get_by_label("To", exact=True).fill("2026-11-16")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_text("1 event matching the filters").wait_for()
    filtered = page.get_by_test_id("access-log-table").inner_text().replace("\xa0", " ")
    assert "16 Nov 2026, 09:30" in filtered
    assert axe_violations(page) == []

    # A 'to' date before the 'from' date: the error is next to the field.
    page.get_by_label("From", exact=True).fill("2026-11-20")
    page.get_by_role("button", name="Apply filters").click()
    summary = page.get_by_role("alert")
    message = "The 'to' date must be the same as or after the 'from' date"
    assert message in summary.inner_text()
    assert message in page.locator("#id_date_to-error").inner_text()
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    screenshot(page, "access-log-error")

    # The download keeps the filters.
    page.get_by_role("link", name="Clear filters").click()
    with page.expect_download() as download:
        page.get_by_test_id("access-log-csv").click()
    assert download.value.suggested_filename == (
        f"access-log-{world.a.child.public_id}-{clock.today().isoformat()}.csv"
    )
