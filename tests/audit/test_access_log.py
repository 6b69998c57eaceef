"""A child's access log for its Virtual School: who viewed or changed the record, who
tried and was refused; filters, CSV export, and who may read it."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from children.models import ChildAccessGrant
from children.permissions import resolve_actor
from epep.audit.models import AuditEvent
from epep.audit.selectors import child_access_log
from epep.audit.services import audit_record_refusal
from epep.exports import csv_safe
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context, authority_context, current_db_context
from epep.tenancy.roles import AUTHORITY_WIDE_ROLES, Role
from portal.virtual_school.access_log import person_key

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def log_url(child, **query) -> str:
    """The log page of a child (or of a bare id)."""
    url = f"/children/{getattr(child, 'public_id', child)}/access-log/"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def csv_url(child, **query) -> str:
    url = f"/children/{getattr(child, 'public_id', child)}/access-log.csv"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def events(**filters) -> list[AuditEvent]:
    with all_authorities_context():
        return list(AuditEvent.objects.filter(**filters).order_by("id"))


def add_event(child, user, *, at: datetime, action="view", role=Role.SOCIAL_WORKER, **fields):
    """An event by ``user`` about ``child``, written in its authority's context with
    ``user`` acting (the audit policy admits events only in the acting person's name)."""
    fields.setdefault("request_id", uuid.uuid4().hex)
    with authority_context(local_authority_ids=[child.local_authority_id], user_id=user.pk):
        return AuditEvent.objects.create(
            occurred_at=at,
            user=user,
            user_email=user.email,
            role=role,
            local_authority_id=child.local_authority_id,
            action=action,
            object_type="children.child",
            object_id=str(child.public_id),
            child_public_id=child.public_id,
            **fields,
        )


def table_rows(page: str) -> list[str]:
    """The access-log table's rows as plain text, one string per row."""
    body = page.split('data-testid="access-log-table"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, flags=re.S)[1:]
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()).replace(" @", "@")
        for row in rows
    ]


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- what the log shows -------------------------------------------------------------


def test_the_log_lists_a_view_by_another_user_with_their_name_email_and_role(client, world):
    sw = world.a.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    assert client.get(f"/children/{world.a.child.public_id}/").status_code == 200

    client.force_login(world.a.users[Role.VS_HEAD])
    response = client.get(log_url(world.a.child))
    assert response.status_code == 200
    [row] = table_rows(response.content.decode())
    assert sw.full_name in row
    assert sw.email in row
    assert "Social worker" in row
    assert "Viewed the record" in row
    [view] = events(action="view", user=sw)
    assert view.request_id in row.replace(" ", "")
    local = timezone.localtime(view.occurred_at, LONDON)
    assert f"{local.day} {local:%b %Y, %H:%M}" in row


def test_changes_and_grants_are_described_in_plain_english(client, world):
    vsh = world.a.users[Role.VS_HEAD]
    child = world.a.child
    now = timezone.now()
    add_event(
        child,
        vsh,
        at=now - timedelta(minutes=3),
        action="grant",
        role=Role.VS_HEAD,
        detail={"grantee": "iro.343@example.org", "expires_on": "2027-01-31"},
    )
    add_event(
        child,
        vsh,
        at=now - timedelta(minutes=2),
        action="revoke",
        role=Role.VS_HEAD,
        detail={"grantee": "iro.343@example.org"},
    )
    add_event(
        child,
        vsh,
        at=now - timedelta(minutes=1),
        action="update",
        role=Role.VS_HEAD,
        detail={"via": "admin", "fields": ["legal_last_name"]},
    )
    client.force_login(vsh)
    rows = table_rows(client.get(log_url(child)).content.decode())
    assert "Changed the record (legal last name) in the admin" in rows[0]
    assert "Withdrew access from iro.343@example.org" in rows[1]
    assert "Gave access to iro.343@example.org until 31 Jan 2027" in rows[2]


def test_the_log_is_newest_first_and_paginated_100_to_a_page_keeping_the_filters(client, world):
    sw = world.a.users[Role.SOCIAL_WORKER]
    start = timezone.now() - timedelta(days=1)
    with authority_context(local_authority_ids=[world.a.la.pk], user_id=sw.pk):
        AuditEvent.objects.bulk_create(
            AuditEvent(
                occurred_at=start + timedelta(seconds=i),
                user=sw,
                user_email=sw.email,
                role=Role.SOCIAL_WORKER,
                local_authority_id=world.a.la.pk,
                action="view",
                object_type="children.child",
                object_id=str(world.a.child.public_id),
                child_public_id=world.a.child.public_id,
                request_id=f"request{i:04d}",
            )
            for i in range(105)
        )
    client.force_login(world.a.users[Role.VS_HEAD])
    key = person_key(sw.pk)
    first = client.get(log_url(world.a.child, person=key)).content.decode()
    rows = [row.replace(" ", "") for row in table_rows(first)]
    assert len(rows) == 100
    assert "request0104" in rows[0] and "request0005" in rows[-1]
    assert "105 events matching the filters" in first
    assert f'href="?person={key}&amp;page=2"' in first
    assert f"access-log.csv?person={key}" in first
    second = client.get(log_url(world.a.child, person=key, page=2)).content.decode()
    rows = [row.replace(" ", "") for row in table_rows(second)]
    assert len(rows) == 5
    assert "request0004" in rows[0] and "request0000" in rows[-1]
    assert f'href="?person={key}&amp;page=1"' in second


def test_filter_by_person(client, world):
    sw, iro = world.a.users[Role.SOCIAL_WORKER], world.a.users[Role.IRO]
    for user in (sw, iro):
        client.force_login(user)
        assert client.get(f"/children/{world.a.child.public_id}/").status_code == 200

    client.force_login(world.a.users[Role.VS_HEAD])
    page = client.get(log_url(world.a.child)).content.decode()
    # The dropdown offers everyone who appears in the log, without ids or emails in values.
    assert f'<option value="{person_key(sw.pk)}"' in page
    assert f'<option value="{person_key(iro.pk)}"' in page
    assert f'value="{sw.pk}"' not in page
    rows = table_rows(client.get(log_url(world.a.child, person=person_key(sw.pk))).content.decode())
    assert len(rows) == 1 and sw.email in rows[0] and iro.email not in rows[0]


def test_an_unknown_person_in_the_filter_is_an_error_next_to_the_field(client, world):
    client.force_login(world.a.users[Role.VS_HEAD])
    page = html.unescape(client.get(log_url(world.a.child, person="nobody")).content.decode())
    assert 'id="id_person-error"' in page
    assert "Choose a person from the list" in page


def test_filter_by_date_includes_both_boundary_days_in_england(client, world):
    child, sw = world.a.child, world.a.users[Role.SOCIAL_WORKER]

    def at(*args):
        return datetime(*args, tzinfo=LONDON)

    # 1 July is in British Summer Time: 00:30 on 1 July is 23:30 on 30 June in UTC.
    add_event(child, sw, at=at(2026, 6, 30, 23, 59, 59))
    first = add_event(child, sw, at=at(2026, 7, 1, 0, 30))
    last = add_event(child, sw, at=at(2026, 7, 3, 23, 59, 59))
    add_event(child, sw, at=at(2026, 7, 4, 0, 0))

    client.force_login(world.a.users[Role.VS_HEAD])
    page = client.get(log_url(child, date_from="2026-07-01", date_to="2026-07-03")).content
    rows = table_rows(page.decode())
    assert len(rows) == 2
    assert last.request_id in rows[0].replace(" ", "")
    assert first.request_id in rows[1].replace(" ", "")
    assert "1 Jul 2026, 00:30" in rows[1]

    # The same day as from and to: that whole day.
    one_day = client.get(log_url(child, date_from="2026-07-04", date_to="2026-07-04")).content
    assert len(table_rows(one_day.decode())) == 1


def test_the_selector_filters_by_date_and_person(world):
    child, sw, iro = world.a.child, world.a.users[Role.SOCIAL_WORKER], world.a.users[Role.IRO]
    add_event(child, sw, at=datetime(2026, 3, 1, 9, tzinfo=LONDON))
    add_event(child, iro, at=datetime(2026, 3, 2, 9, tzinfo=LONDON), role=Role.IRO)
    with transaction.atomic():
        actor = resolve_actor(world.a.users[Role.VS_OFFICER])
        log = child_access_log(actor=actor, child=child, date_from=date(2026, 3, 2))
        assert [e.user for e in log.events] == [iro]
        assert {p.email for p in log.people} == {sw.email, iro.email}
        log = child_access_log(actor=actor, child=child, user_id=sw.pk)
        assert [e.user for e in log.events] == [sw]
        log = child_access_log(actor=actor, child=child, date_to=date(2026, 2, 28))
        assert list(log.events) == []


def test_the_selector_refuses_other_roles_and_authorities(world):
    from django.core.exceptions import PermissionDenied

    for user, child in [
        (world.a.users[Role.SOCIAL_WORKER], world.a.child),
        (world.b.users[Role.VS_HEAD], world.a.child),
    ]:
        with transaction.atomic(), pytest.raises(PermissionDenied):
            child_access_log(actor=resolve_actor(user), child=child)


def test_to_before_from_is_an_error_next_to_the_to_field(client, world):
    client.force_login(world.a.users[Role.VS_HEAD])
    response = client.get(log_url(world.a.child, date_from="2026-07-03", date_to="2026-07-01"))
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    message = "The 'to' date must be the same as or after the 'from' date"
    assert '<p id="id_date_to-error" class="govuk-error-message">' in page
    assert message in page.split('id="id_date_to-error"', 1)[1].split("</p>", 1)[0]
    assert '<a href="#id_date_to">' + message in page  # the error summary links to it
    assert "<title>Error: " in page
    assert 'data-testid="access-log-table"' not in page


# --- refusals -------------------------------------------------------------------------


def test_a_refused_attempt_by_another_authority_appears_in_the_childs_log(client, world):
    intruder = world.b.users[Role.SOCIAL_WORKER]
    client.force_login(intruder)
    refused = client.get(f"/children/{world.a.child.public_id}/")
    missing = client.get(f"/children/{uuid.uuid4()}/")
    # The same answer as for a child that does not exist.
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content

    client.force_login(world.a.users[Role.VS_HEAD])
    rows = table_rows(client.get(log_url(world.a.child)).content.decode())
    [row] = [r for r in rows if "refused" in r]
    assert intruder.email in row
    assert "Tried to open the record and was refused" in row
    assert "Social worker" in row

    # The refused person cannot read the event: it is in the child's authority, not theirs.
    with authority_context(local_authority_ids=[world.b.la.pk], user_id=intruder.pk):
        assert not AuditEvent.objects.filter(child_public_id=world.a.child.public_id).exists()
        assert (
            not AuditEvent.objects.filter(action="access_refused", user=intruder)
            .exclude(local_authority__isnull=True)
            .exists()
        )
    [event] = events(action="access_refused", child_public_id=world.a.child.public_id)
    assert event.local_authority_id == world.a.la.pk
    assert event.object_id == str(world.a.child.public_id)
    assert event.detail == {"reason": "outside circle"}


def test_a_refusal_on_an_id_that_is_no_child_is_recorded_without_an_authority(client, world):
    user = world.b.users[Role.VS_HEAD]
    client.force_login(user)
    missing = uuid.uuid4()
    assert client.get(log_url(missing)).status_code == 404
    # Outside any authority: readable only by the person it is about.
    assert events(action="access_refused", object_id=str(missing)) == []
    with authority_context(local_authority_ids=[], user_id=user.pk):
        [event] = AuditEvent.objects.filter(action="access_refused", object_id=str(missing))
    assert event.user == user
    assert event.local_authority_id is None
    assert event.child_public_id is None
    assert event.detail == {"reason": "no such child"}


@pytest.mark.parametrize("role", [r for r in Role if r not in AUTHORITY_WIDE_ROLES])
def test_other_roles_get_the_same_404_as_a_missing_child_for_both_urls(client, world, role):
    client.force_login(world.a.users[role])
    for url in (log_url, csv_url):
        response = client.get(url(world.a.child))
        missing = client.get(url(uuid.uuid4()))
        assert response.status_code == 404, (role, url)
        assert response.content == missing.content
    # Asking is a refusal like any other, visible to the child's Virtual School.
    refused = events(action="access_refused", child_public_id=world.a.child.public_id)
    assert len(refused) == 2
    assert {e.detail["reason"] for e in refused} == {"not open to their role"}
    assert all(e.role == role for e in refused)


def test_another_authoritys_virtual_school_head_gets_404_and_is_logged(client, world):
    client.force_login(world.b.users[Role.VS_HEAD])
    assert client.get(log_url(world.a.child)).status_code == 404
    assert client.get(csv_url(world.a.child)).status_code == 404
    client.force_login(world.a.users[Role.VS_HEAD])
    rows = table_rows(client.get(log_url(world.a.child)).content.decode())
    assert sum("Tried to open the access log and was refused" in r for r in rows) == 2


def test_a_grant_to_another_authoritys_child_does_not_open_its_log(client, world):
    """A Virtual School head may be given access to another authority's child by name;
    the record opens, the access log does not."""
    vsh_b = world.b.users[Role.VS_HEAD]
    with authority_context(local_authority_ids=[world.a.la.pk]):
        ChildAccessGrant.objects.create(
            content_object=world.a.child,
            user=vsh_b,
            permission=Permission.objects.get(codename="view_child"),
            local_authority=world.a.la,
            reason="Joint planning",
            granted_by=world.a.users[Role.VS_HEAD],
            expires_on=clock.today() + timedelta(days=30),
        )
    client.force_login(vsh_b)
    record = client.get(f"/children/{world.a.child.public_id}/")
    assert record.status_code == 200
    assert b"Who has viewed or changed this record" not in record.content
    assert client.get(log_url(world.a.child)).status_code == 404
    [event] = events(action="access_refused", user=vsh_b)
    assert event.detail == {"reason": "another authority's child"}
    assert event.local_authority_id == world.a.la.pk


# --- the database functions behind refusals ------------------------------------------


def test_the_application_role_cannot_append_events_to_another_authority_directly(world):
    """Why refusals go through audit_record_refusal: the append policy refuses them."""
    with pytest.raises(ProgrammingError, match="row-level security"):
        with authority_context(local_authority_ids=[world.b.la.pk]):
            AuditEvent.objects.create(local_authority_id=world.a.la.pk, action="access_refused")


def test_the_application_role_cannot_look_up_a_childs_authority(world):
    with pytest.raises(ProgrammingError, match="permission denied"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT audit_child_authority(%s::uuid)", [world.a.child.public_id])


def test_recording_a_refusal_restores_the_callers_context_and_reveals_nothing(world):
    sw = world.b.users[Role.SOCIAL_WORKER]
    with transaction.atomic():
        actor = resolve_actor(sw)
        before = current_db_context()
        audit_record_refusal(
            acting_user=sw, role=actor.role, requested_id=world.a.other_child.public_id
        )
        assert current_db_context() == before
        assert before.la_ids == {world.b.la.pk}
        # Nothing about the other authority's child is readable afterwards.
        assert not AuditEvent.objects.filter(action="access_refused").exists()
    [event] = events(action="access_refused")
    assert event.local_authority_id == world.a.la.pk
    assert event.child_public_id == world.a.other_child.public_id


# --- CSV ----------------------------------------------------------------------------


def test_the_csv_has_a_header_and_a_row_per_event_with_london_timestamps(client, world):
    sw = world.a.users[Role.SOCIAL_WORKER]
    summer = add_event(world.a.child, sw, at=datetime(2026, 7, 1, 14, 5, tzinfo=LONDON))
    winter = add_event(world.a.child, sw, at=datetime(2026, 1, 2, 9, 0, tzinfo=LONDON))
    client.force_login(world.a.users[Role.VS_HEAD])
    response = client.get(csv_url(world.a.child))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = clock.today().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="access-log-{world.a.child.public_id}-{today}.csv"'
    )
    assert world.a.child.legal_last_name not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    header, *rows = read_csv(response)
    assert header == ["When", "Name", "Email", "Role", "What", "Action", "Request id"]
    assert rows == [
        [
            "2026-07-01T14:05:00+01:00",
            sw.full_name,
            sw.email,
            "Social worker",
            "Viewed the record",
            "view",
            summer.request_id,
        ],
        [
            "2026-01-02T09:00:00+00:00",
            sw.full_name,
            sw.email,
            "Social worker",
            "Viewed the record",
            "view",
            winter.request_id,
        ],
    ]


def test_the_csv_applies_the_filters(client, world):
    sw, iro = world.a.users[Role.SOCIAL_WORKER], world.a.users[Role.IRO]
    add_event(world.a.child, sw, at=datetime(2026, 7, 1, 12, tzinfo=LONDON))
    add_event(world.a.child, iro, at=datetime(2026, 7, 2, 12, tzinfo=LONDON), role=Role.IRO)
    add_event(world.a.child, sw, at=datetime(2026, 7, 3, 12, tzinfo=LONDON))
    client.force_login(world.a.users[Role.VS_HEAD])
    response = client.get(csv_url(world.a.child, person=person_key(sw.pk), date_from="2026-07-02"))
    _, *rows = read_csv(response)
    assert [r[0] for r in rows] == ["2026-07-03T12:00:00+01:00"]
    # The page's link carries the same filters.
    page = client.get(log_url(world.a.child, person=person_key(sw.pk), date_from="2026-07-02"))
    assert (
        f"access-log.csv?person={person_key(sw.pk)}&amp;date_from=2026-07-02"
        in page.content.decode()
    )


def test_the_csv_with_invalid_filters_goes_back_to_the_page_showing_the_errors(client, world):
    client.force_login(world.a.users[Role.VS_HEAD])
    response = client.get(csv_url(world.a.child, date_from="2026-07-03", date_to="2026-07-01"))
    assert response.status_code == 302
    assert response["Location"] == log_url(
        world.a.child, date_from="2026-07-03", date_to="2026-07-01"
    )
    assert events(action="export_access_log") == []


def test_the_csv_neutralises_formulas(client, world):
    sneaky = UserFactory(email="-2+3@example.org", full_name='=HYPERLINK("http://x","y")')
    add_event(
        world.a.child,
        sneaky,
        at=timezone.now(),
        role="@SUM(1)",
        request_id="\tcmd",
    )
    client.force_login(world.a.users[Role.VS_HEAD])
    _, row = read_csv(client.get(csv_url(world.a.child)))
    assert row[1] == '\'=HYPERLINK("http://x","y")'
    assert row[2] == "'-2+3@example.org"
    assert row[3] == "'@SUM(1)"
    assert row[6] == "'\tcmd"


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Jo = Smith", "Jo = Smith"),
        ("", ""),
        (None, ""),
    ],
)
def test_csv_safe(value, safe):
    assert csv_safe(value) == safe


# --- auditing the log itself ----------------------------------------------------------


def test_viewing_and_exporting_the_log_are_audited_with_the_filters(client, world):
    vsh = world.a.users[Role.VS_HEAD]
    sw = world.a.users[Role.SOCIAL_WORKER]
    add_event(world.a.child, sw, at=timezone.now())
    client.force_login(vsh)
    response = client.get(log_url(world.a.child, person=person_key(sw.pk), date_from="2026-01-01"))
    client.get(csv_url(world.a.child))
    [viewed] = events(action="view_access_log")
    [exported] = events(action="export_access_log")
    for event in (viewed, exported):
        assert event.user == vsh
        assert event.role == Role.VS_HEAD
        assert event.local_authority_id == world.a.la.pk
        assert event.child_public_id == world.a.child.public_id
        assert event.object_id == str(world.a.child.public_id)
    assert viewed.request_id == response["X-Request-ID"]
    assert viewed.detail == {"filters": {"person": sw.email, "from": "2026-01-01"}, "page": 1}
    assert exported.detail == {"filters": {}, "rows": 2}  # the event and the view above
    # Opening the log is not also recorded as a view of the record.
    assert events(action="view", user=vsh) == []
    # The next reader sees both.
    rows = table_rows(client.get(log_url(world.a.child)).content.decode())
    assert "Downloaded this access log" in rows[0]
    assert "Viewed this access log" in rows[1]


# --- the way in, and cost -------------------------------------------------------------


# School staff see only children shared with them; a young person never opens the
# professionals' child page (tests/portal/test_young_person_access.py).
@pytest.mark.parametrize(
    "role", [r for r in Role if r not in (Role.SCHOOL_STAFF, Role.YOUNG_PERSON)]
)
def test_the_child_page_links_to_the_log_for_authority_wide_roles_only(client, world, role):
    client.force_login(world.a.users[role])
    response = client.get(f"/children/{world.a.child.public_id}/")
    assert response.status_code == 200
    linked = log_url(world.a.child).encode() in response.content
    assert linked == (role in AUTHORITY_WIDE_ROLES)


@pytest.mark.parametrize("role", sorted(AUTHORITY_WIDE_ROLES))
def test_every_authority_wide_role_can_read_and_export_the_log(client, world, role):
    client.force_login(world.a.users[role])
    assert client.get(log_url(world.a.child)).status_code == 200
    assert client.get(csv_url(world.a.child)).status_code == 200


def _queries_for_log_page(client, world, child, count) -> int:
    sw = world.a.users[Role.SOCIAL_WORKER]
    start = timezone.now() - timedelta(hours=1)
    for i in range(count):
        # Half by different people: neither the rows nor the people list add queries.
        add_event(child, UserFactory() if i % 2 else sw, at=start + timedelta(seconds=i))
    client.force_login(world.a.users[Role.VS_HEAD])
    client.get(log_url(child))  # warm up (session, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(log_url(child))
    assert response.status_code == 200
    assert len(table_rows(response.content.decode())) == count + 1  # and the warm-up view
    return len(queries)


def test_the_log_page_query_count_does_not_grow_with_events(client, world):
    few = _queries_for_log_page(client, world, world.a.child, 5)
    many = _queries_for_log_page(client, world, world.a.other_child, 50)
    assert few == many
