"""Attendance and attainment from a school, by UPN (imports.school_data)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from epep.audit.models import AuditEvent
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from imports.school_data.services import (
    NOT_ON_LIST,
    school_data_apply,
    school_data_preview,
)
from peps.models import AttainmentEntry, PepSection
from peps.services import attainment_save, pep_section_save, pep_start

from ..factories import make_upn

TODAY = date(2026, 11, 2)
HEADER = (
    "UPN,Sessions possible,Sessions attended,Suspensions,Absence by code,Subject,Current,Target\n"
)


def start_pep(world, child, authority):
    with acting_as(authority.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        return pep_start(actor=actor, child=child)


def education(pep) -> PepSection:
    with acting_as_vs(pep):
        return PepSection.objects.get(pep=pep, key="education")


def acting_as_vs(pep):
    """Read as the PEP's authority's system context."""
    return authority_context(local_authority_ids=[pep.local_authority_id])


def upload(user, role, text, apply=True):
    data = text.encode("utf-8")
    with acting_as(user, role) as actor:
        plan = school_data_preview(actor=actor, data=data)
    if not apply or not plan.ok:
        return plan, None
    with acting_as(user, role) as actor:
        return plan, school_data_apply(actor=actor, data=data, versions=plan.versions())


def test_designated_teacher_writes_attendance_and_attainment_into_current_pep(world, clock_at):
    clock_at(TODAY)
    pep = start_pep(world, world.a.child, world.a)
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    text = HEADER + (
        f"{world.a.child.upn},120,114,1,I:4; M:1; C2:1,English,5,6\n"
        f"{world.a.child.upn},,,,,Mathematics,Grade 4,5\n"
    )
    plan, done = upload(dt, Role.DESIGNATED_TEACHER, text)
    assert plan.ok, plan.problems
    assert [c.child.pk for c in plan.changes] == [world.a.child.pk]
    assert done.applied and done.ok
    section = education(pep)
    assert section.data["sessions_possible"] == "120"
    assert section.data["sessions_missed"] == "6"
    assert section.data["attendance_percent"] == "95.0"
    assert section.data["suspensions"] == "1"
    assert section.version == 1
    with acting_as_vs(pep):
        rows = {e.subject: (e.current, e.target) for e in AttainmentEntry.objects.filter(pep=pep)}
        assert rows["English"] == ("5", "6")
        assert rows["Mathematics"] == ("4", "5")
        event = AuditEvent.objects.get(action="school_data_upload")
    assert event.detail["children"][0]["absence_by_code"] == {"I": 4, "M": 1, "C2": 1}


def test_percent_rounds_to_one_decimal_and_keeps_other_fields(world, clock_at):
    clock_at(TODAY)
    pep = start_pep(world, world.a.child, world.a)
    with acting_as(world.a.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        pep_section_save(
            actor=actor,
            pep=pep,
            key="education",
            data={"full_time": "yes", "exclusions": "None"},
            base_version=0,
        )
    text = f"UPN,Sessions possible,Sessions attended\n{world.a.child.upn},150,137\n"
    plan, done = upload(world.a.users[Role.DESIGNATED_TEACHER], Role.DESIGNATED_TEACHER, text)
    assert done.applied
    data = education(pep).data
    assert data["attendance_percent"] == "91.3"  # 137 / 150 = 91.33
    assert (data["full_time"], data["exclusions"]) == ("yes", "None")


def test_retired_code_is_refused_with_a_message_naming_it(world, clock_at):
    clock_at(TODAY)
    pep = start_pep(world, world.a.child, world.a)
    text = HEADER + f"{world.a.child.upn},120,110,0,I:4; H:6\n"
    plan, done = upload(world.a.users[Role.DESIGNATED_TEACHER], Role.DESIGNATED_TEACHER, text)
    assert done is None
    assert [(p.row, p.column) for p in plan.problems] == [(2, "Absence by code")]
    assert plan.problems[0].message.startswith("H (holiday authorised) is no longer used")
    assert education(pep).version == 0
    for code, words in (("J", "use J1"), ("Y", "Y1 to Y7"), ("/", "counts as attending")):
        plan, _ = upload(
            world.a.users[Role.DESIGNATED_TEACHER],
            Role.DESIGNATED_TEACHER,
            HEADER + f"{world.a.child.upn},120,110,0,{code}:2\n",
            apply=False,
        )
        assert words in plan.problems[0].message
    for code in ("C1", "C2", "J1", "Q", "Y3"):
        plan, _ = upload(
            world.a.users[Role.DESIGNATED_TEACHER],
            Role.DESIGNATED_TEACHER,
            HEADER + f"{world.a.child.upn},120,110,0,{code}:2\n",
            apply=False,
        )
        assert plan.ok, (code, plan.problems)


def test_out_of_reach_upn_gets_the_same_message_as_an_unknown_one(world, clock_at):
    clock_at(TODAY)
    start_pep(world, world.a.child, world.a)
    start_pep(world, world.b.child, world.b)  # on roll at the same school, Sefton's child
    unknown = make_upn("886")
    text = HEADER + f"{world.b.child.upn},120,110\n{unknown},120,110\n"
    plan, done = upload(world.a.users[Role.DESIGNATED_TEACHER], Role.DESIGNATED_TEACHER, text)
    assert done is None
    messages = [p.message for p in plan.problems]
    assert messages == [
        NOT_ON_LIST.format(upn=world.b.child.upn),
        NOT_ON_LIST.format(upn=unknown),
    ]
    assert messages[0].replace(world.b.child.upn, "X") == messages[1].replace(unknown, "X")
    # nor does Kent's Virtual School reach Sefton's child
    plan, _ = upload(world.a.users[Role.VS_HEAD], Role.VS_HEAD, text, apply=False)
    assert plan.problems[0].message == NOT_ON_LIST.format(upn=world.b.child.upn)


def test_stale_section_since_the_preview_is_an_error_and_nothing_is_written(world, clock_at):
    clock_at(TODAY)
    pep = start_pep(world, world.a.child, world.a)
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    text = HEADER + f"{world.a.child.upn},120,114,0,,English,5,6\n"
    data = text.encode()
    with acting_as(dt, Role.DESIGNATED_TEACHER) as actor:
        plan = school_data_preview(actor=actor, data=data)
    with acting_as(world.a.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        pep_section_save(
            actor=actor, pep=pep, key="education", data={"full_time": "yes"}, base_version=0
        )
    with acting_as(dt, Role.DESIGNATED_TEACHER) as actor:
        done = school_data_apply(actor=actor, data=data, versions=plan.versions())
    assert not done.applied
    assert (
        "changed" in done.problems[0].message and "since your preview" in done.problems[0].message
    )
    assert education(pep).data.get("sessions_possible", "") == ""
    with acting_as_vs(pep):
        english = AttainmentEntry.objects.get(pep=pep, subject="English")
        assert english.current == ""  # all or nothing


def test_attainment_changed_since_the_preview_is_an_error(world, clock_at):
    clock_at(TODAY)
    pep = start_pep(world, world.a.child, world.a)
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    data = (HEADER + f"{world.a.child.upn},,,,,English,5,6\n").encode()
    with acting_as(dt, Role.DESIGNATED_TEACHER) as actor:
        plan = school_data_preview(actor=actor, data=data)
    with acting_as(dt, Role.DESIGNATED_TEACHER) as actor:
        attainment_save(actor=actor, pep=pep, rows=[{"subject": "Science", "current": "3"}])
    with acting_as(dt, Role.DESIGNATED_TEACHER) as actor:
        done = school_data_apply(actor=actor, data=data, versions=plan.versions())
    assert not done.applied and "attainment" in done.problems[0].message


def test_every_bad_row_is_listed_by_spreadsheet_row(world, clock_at):
    clock_at(TODAY)
    start_pep(world, world.a.child, world.a)
    upn = world.a.child.upn
    text = HEADER + (
        f"{upn},120,130\n"  # row 2: more attended than possible
        f"{upn},,,,,English,Working at greater depth,6\n"  # row 3: not on the KS3 scale
        f"not-a-upn,120,110\n"  # row 4
        f"{upn},0,0\n"  # row 5
        f"{upn},120,100,0,I:30\n"  # row 6: more absences than missed
    )
    plan, done = upload(world.a.users[Role.DESIGNATED_TEACHER], Role.DESIGNATED_TEACHER, text)
    assert done is None
    assert [(p.row, p.column) for p in plan.problems] == [
        (2, "Sessions attended"),
        (3, "Current"),
        (4, "UPN"),
        (5, "Sessions possible"),
        (6, "Absence by code"),
    ]
    assert "KS3 scale" in plan.problems[1].message


def test_virtual_school_uploads_for_many_schools_in_constant_queries(world, clock_at):
    clock_at(TODAY)
    vs = world.a.users[Role.VS_HEAD]
    start_pep(world, world.a.child, world.a)
    start_pep(world, world.a.other_child, world.a)  # at another school
    one = HEADER + f"{world.a.child.upn},120,114,,,English,5,6\n"
    two = one + f"{world.a.other_child.upn},100,90,,,English,4,5\n"
    counts = []
    for text in (one, two):
        with acting_as(vs, Role.VS_HEAD) as actor, CaptureQueriesContext(connection) as q:
            school_data_preview(actor=actor, data=text.encode())
        counts.append(len(q))
    assert counts[0] == counts[1]
    plan, done = upload(vs, Role.VS_HEAD, two)
    assert done.applied and len(done.changes) == 2


def test_a_file_without_attendance_or_subject_columns_is_refused(world, clock_at):
    clock_at(TODAY)
    plan, _ = upload(
        world.a.users[Role.DESIGNATED_TEACHER], Role.DESIGNATED_TEACHER, "Name,UPN\nA,B\n", False
    )
    assert [(p.row, p.message[:20]) for p in plan.problems] == [(1, "The file has neither")]


# --- The pages ---------------------------------------------------------------------------


def test_pages_upload_preview_confirm(client, world, clock_at):
    from django.core.files.uploadedfile import SimpleUploadedFile

    clock_at(TODAY)
    pep = start_pep(world, world.a.child, world.a)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    home = client.get("/designated-teacher/").content.decode()
    assert 'href="/data/school-data/"' in home and "children.csv" not in home
    text = HEADER + f"{world.a.child.upn},120,114,1,I:6,English,5,6\n"
    upload_file = SimpleUploadedFile("attendance.csv", text.encode(), content_type="text/csv")
    preview = client.post("/data/school-data/", {"file": upload_file})
    page = preview.content.decode()
    assert preview.status_code == 200 and "Check the changes – ePEP" in page
    assert "95.0%" in page and "I: 6" in page and "English: Grade 5, Grade 6" in page
    assert education(pep).version == 0  # the preview writes nothing
    token = preview.context["confirm_form"].initial["token"]
    done = client.post("/data/school-data/confirm/", {"token": token})
    assert done.status_code == 302
    assert education(pep).data["attendance_percent"] == "95.0"


def test_page_lists_every_problem_beside_the_field_and_in_the_summary(client, world, clock_at):
    from django.core.files.uploadedfile import SimpleUploadedFile

    clock_at(TODAY)
    start_pep(world, world.a.child, world.a)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    text = HEADER + f"{world.a.child.upn},120,110,0,H:2\n{world.b.child.upn},120,110\n"
    response = client.post(
        "/data/school-data/", {"file": SimpleUploadedFile("a.csv", text.encode())}
    )
    page = response.content.decode()
    assert "Error: Upload attendance and attainment – ePEP" in page
    assert "govuk-error-summary" in page and 'id="id_file-error"' in page
    assert "The file has 2 problems: nothing has been changed" in page
    assert "H (holiday authorised) is no longer used" in page
    assert escape(NOT_ON_LIST.format(upn=world.b.child.upn)) in page
    empty = client.post("/data/school-data/", {})
    assert "Select a CSV file" in empty.content.decode()
    forged = client.post("/data/school-data/confirm/", {"token": "x"})
    assert "This preview has expired" in forged.content.decode()


@pytest.mark.parametrize("role", [Role.LA_ADMIN, Role.SOCIAL_WORKER, Role.SCHOOL_STAFF])
def test_other_roles_cannot_reach_the_upload(client, world, role):
    client.force_login(world.a.users[role])
    assert client.get("/data/school-data/").status_code == 404
