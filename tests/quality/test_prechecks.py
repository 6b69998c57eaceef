"""The automatic pre-checks: each one both ways, and a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from calendars.models import SchoolTerm
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from meetings.models import Meeting
from peps.models import Action, Pep, PepSection, Target
from quality.prechecks import prechecks, term_began
from tests.peps.test_cycle import TARGET, fill, start

pytestmark = pytest.mark.django_db


def checks(pep) -> dict:
    with all_authorities_context():
        return {c.key: c for c in prechecks(pep=pep)}


def filled(world):
    pep = start(world)
    fill(world, pep)
    return pep


def set_section(pep, key, **data):
    with all_authorities_context():
        section = PepSection.objects.get(pep=pep, key=key)
        section.data = {**section.data, **data}
        section.save(update_fields=["data"])


def add_target(pep, **fields):
    with all_authorities_context():
        return Target.objects.create(
            local_authority_id=pep.local_authority_id,
            pep=pep,
            **{**TARGET, "due_date": clock.today() + timedelta(days=30), **fields},
        )


def book_meeting(pep, starts_at, status="scheduled"):
    with all_authorities_context():
        return Meeting.objects.create(
            local_authority_id=pep.local_authority_id,
            pep=pep,
            starts_at=starts_at,
            location="School library",
            ical_uid=f"{starts_at.isoformat()}-{status}@test",
            status=status,
            organiser=pep.created_by,
        )


def test_the_checks_have_the_rubrics_keys_in_order(world):
    pep = filled(world)
    assert list(checks(pep)) == [
        "child_voice",
        "targets_owner_date",
        "ppplus_linked",
        "next_meeting",
        "attendance_support",
    ]


def test_the_childs_voice_written_this_term_passes(world):
    pep = filled(world)
    check = checks(pep)["child_voice"]
    assert check.passed
    assert f"{clock.today():%-d %B %Y}" in check.detail


def test_no_childs_voice_needs_attention_and_says_the_reason_given(world):
    pep = filled(world)
    set_section(pep, "child_views", views="", absent_reason="Did not want to take part.")
    check = checks(pep)["child_voice"]
    assert not check.passed
    assert check.detail == (
        "The child's views are not recorded. The reason given: Did not want to take part."
    )


def test_a_childs_voice_last_written_before_the_term_began_needs_attention(world):
    pep = filled(world)
    began = term_began(pep)
    with all_authorities_context():
        PepSection.objects.filter(pep=pep, key="child_views").update(
            updated_at=clock.moment_of(began - timedelta(days=3))
        )
    check = checks(pep)["child_voice"]
    assert not check.passed
    assert "before this term began" in check.detail


def test_the_term_begins_on_the_authoritys_first_term_day(world):
    pep = filled(world)
    first = int(pep.academic_year[:4])
    day = {
        "autumn": date(first, 9, 4),
        "spring": date(first + 1, 1, 6),
        "summer": date(first + 1, 4, 20),
    }[pep.term]
    with all_authorities_context():
        SchoolTerm.objects.create(
            local_authority=world.a.la,
            academic_year=pep.academic_year,
            name="This term",
            start_date=day,
            end_date=day + timedelta(days=40),
        )
        assert term_began(pep) == day


def test_targets_with_owner_and_date_pass(world):
    pep = filled(world)
    check = checks(pep)["targets_owner_date"]
    assert check.passed
    assert check.detail == "1 target and 0 actions, each with an owner and a date."


def test_no_targets_needs_attention(world):
    pep = start(world)
    check = checks(pep)["targets_owner_date"]
    assert not check.passed and check.detail == "The PEP has no targets."


def test_a_target_without_who_is_responsible_needs_attention(world):
    pep = filled(world)
    add_target(pep, responsible="  ")
    check = checks(pep)["targets_owner_date"]
    assert not check.passed
    assert check.detail == "1 target without who is responsible or by when."


def test_an_action_without_an_owner_needs_attention(world):
    pep = filled(world)
    with all_authorities_context():
        Action.objects.create(
            local_authority_id=pep.local_authority_id,
            pep=pep,
            description="Send the reading log home",
            owner="",
            due_date=clock.today(),
        )
    check = checks(pep)["targets_owner_date"]
    assert not check.passed and "1 action without an owner or a date" in check.detail


def test_ppplus_on_a_target_with_its_strategy_and_measure_passes(world):
    pep = filled(world)
    check = checks(pep)["ppplus_linked"]
    assert check.passed
    assert check.detail == (
        "PP+ is asked for on 1 target, each saying what the money pays for and how success "
        "will be measured."
    )


def test_no_ppplus_asked_for_passes(world):
    pep = filled(world)
    with all_authorities_context():
        Target.objects.filter(pep=pep).update(ppplus_cost_pence=None)
    assert checks(pep)["ppplus_linked"].detail == "No PP+ is asked for in this PEP."


def test_ppplus_on_a_target_that_says_nothing_of_what_it_buys_needs_attention(world):
    pep = filled(world)
    add_target(pep, strategy="", ppplus_cost_pence=20000)
    check = checks(pep)["ppplus_linked"]
    assert not check.passed
    assert check.detail.startswith("1 of 2 PP+ amounts do not say what the money pays for")


def test_a_next_meeting_booked_passes(world):
    pep = filled(world)
    book_meeting(pep, clock.now() + timedelta(days=70))
    check = checks(pep)["next_meeting"]
    assert check.passed
    assert f"{(clock.now() + timedelta(days=70)):%-d %B %Y}" in check.detail


def test_no_next_meeting_needs_attention_past_and_cancelled_ones_do_not_count(world):
    pep = filled(world)
    book_meeting(pep, clock.now() - timedelta(days=2), status="held")
    book_meeting(pep, clock.now() + timedelta(days=70), status="cancelled")
    check = checks(pep)["next_meeting"]
    assert not check.passed and check.detail == "No next PEP meeting is booked."


def test_good_attendance_passes(world):
    pep = filled(world)  # 96.5 %
    check = checks(pep)["attendance_support"]
    assert check.passed and check.detail == "Attendance is 96.5%."


def test_low_attendance_without_support_needs_attention(world):
    pep = filled(world)
    set_section(pep, "education", attendance_percent="85")
    check = checks(pep)["attendance_support"]
    assert not check.passed
    assert check.detail == ("Attendance is 85% (below 90%) and no attendance support is recorded.")


def test_low_attendance_with_support_recorded_passes(world):
    pep = filled(world)
    set_section(pep, "education", attendance_percent="89.9")
    set_section(pep, "support", attendance_behaviour="Morning check-in with the mentor.")
    assert checks(pep)["attendance_support"].passed


def test_attendance_not_recorded_needs_attention(world):
    pep = start(world)
    check = checks(pep)["attendance_support"]
    assert not check.passed and check.detail == "Attendance this term is not recorded."


def test_the_checks_take_the_same_few_queries_however_many_targets(
    world, django_assert_max_num_queries
):
    pep = filled(world)
    with all_authorities_context():
        with django_assert_max_num_queries(5):
            prechecks(pep=pep)
    for _ in range(12):
        add_target(pep)
    with all_authorities_context():
        with django_assert_max_num_queries(5):
            prechecks(pep=pep)


def test_an_early_years_pep_has_no_attendance_to_check(world):
    pep = filled(world)
    with all_authorities_context():
        Pep.objects.filter(pk=pep.pk).update(variant="early_years")
        pep.refresh_from_db()
    check = checks(pep)["attendance_support"]
    assert check.passed and check.detail == "An early years PEP records no attendance."


def test_a_post_16_pep_reads_attendance_from_its_course(world):
    pep = filled(world)
    with all_authorities_context():
        Pep.objects.filter(pk=pep.pk).update(variant="post_16")
        pep.refresh_from_db()
        PepSection.objects.create(
            local_authority_id=pep.local_authority_id,
            pep=pep,
            key="p16_course",
            data={"attendance_percent": "82"},
        )
    check = checks(pep)["attendance_support"]
    assert not check.passed
    assert check.detail == "Attendance is 82% (below 90%) and no attendance support is recorded."
