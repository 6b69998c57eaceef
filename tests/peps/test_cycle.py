"""The PEP itself: starting from the last one, sections, targets, the termly cycle."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps import services
from peps.models import Pep, Status, Target, Transition

from .conftest import acting

pytestmark = pytest.mark.django_db

COMPLETE = {
    "education": {
        "attendance_percent": "96.5",
        "sessions_missed": "4",
        "exclusions": "None",
        "full_time": "yes",
    },
    "achievements": {"text": "Star of the week for kindness."},
    "needs": {"learning": "Needs help with reading fluency."},
    "support": {"catch_up": "Daily 1:1 reading with a teaching assistant."},
    "aspirations": {"aspirations": "Wants to be a vet."},
    "activities": {"text": "Football club on Tuesdays."},
    "child_views": {"views": "I like maths and my teacher."},
    "carer_views": {"settling": "Settled at home.", "school": "Happy at school."},
    "social_worker_views": {"text": "Placement is stable."},
    "designated_teacher_views": {"text": "Good progress this term."},
}

EDITOR_FOR = {
    "education": Role.DESIGNATED_TEACHER,
    "achievements": Role.DESIGNATED_TEACHER,
    "needs": Role.DESIGNATED_TEACHER,
    "support": Role.DESIGNATED_TEACHER,
    "aspirations": Role.DESIGNATED_TEACHER,
    "activities": Role.DESIGNATED_TEACHER,
    "child_views": Role.DESIGNATED_TEACHER,
    "carer_views": Role.CARER,
    "social_worker_views": Role.SOCIAL_WORKER,
    "designated_teacher_views": Role.DESIGNATED_TEACHER,
}

TARGET = {
    "description": "Read a book of 100 pages independently",
    "success_measure": "Reading age rises by 6 months on the school's test",
    "responsible": "Ms Patel (class teacher)",
    "due_date": clock.today() + timedelta(days=60),
    "strategy": "Daily 1:1 reading, 15 minutes",
    "expected_outcome": "Reads fluently at age-related expectations",
    "ppplus_cost_pence": 45000,
}


def start(world, **kwargs):
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        return services.pep_start(actor=sw, child=world.a.child, **kwargs)


def next_term(pep) -> dict:
    """The term (and academic year) after ``pep``'s, for starting the next PEP: a fixed
    "spring" clashes with the first PEP whenever today is in the spring term."""
    if pep.term == "summer":
        year = int(pep.academic_year[:4]) + 1
        return {"term": "autumn", "academic_year": f"{year}-{(year + 1) % 100:02d}"}
    return {"term": {"autumn": "spring", "spring": "summer"}[pep.term]}


def fill(world, pep):
    for key, data in COMPLETE.items():
        with acting(world.a.users[EDITOR_FOR[key]]) as actor:
            section = pep.sections.get(key=key)
            services.pep_section_save(
                actor=actor, pep=pep, key=key, data=data, base_version=section.version
            )
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        # Due 60 days from the clock's today when filled (TARGET's date is from import).
        due = clock.today() + timedelta(days=60)
        services.target_save(actor=dt, pep=pep, fields={**TARGET, "due_date": due})


def move(world, pep, role, target, **kwargs):
    with acting(world.a.users[role]) as actor:
        with all_authorities_context():
            pep = Pep.objects.get(pk=pep.pk)
        return services.pep_transition(
            actor=actor, pep=pep, target_status=target, state_version=pep.state_version, **kwargs
        )


def finalise(world, pep):
    pep = move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=clock.today())
    pep = move(world, pep, Role.DESIGNATED_TEACHER, "submitted")
    pep = move(world, pep, Role.VS_OFFICER, "approved")
    return move(world, pep, Role.VS_OFFICER, "finalised")


def test_a_child_has_at_most_one_open_pep(world):
    start(world)
    with pytest.raises(ValidationError, match="already has a PEP in progress"):
        start(world, kind="new_school")


def test_the_full_cycle_from_draft_to_finalised_is_recorded(world):
    pep = start(world)
    fill(world, pep)
    pep = finalise(world, pep)
    assert pep.status == Status.FINALISED and pep.finalised_at is not None
    with all_authorities_context():
        steps = list(Transition.objects.filter(pep=pep).values_list("to_status", "role"))
    assert steps == [
        ("meeting_held", "social_worker"),
        ("submitted", "designated_teacher"),
        ("approved", "vs_officer"),
        ("finalised", "vs_officer"),
    ]


def test_a_finalised_pep_is_locked(world):
    pep = start(world)
    fill(world, pep)
    pep = finalise(world, pep)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        with pytest.raises(
            ValidationError, match="Changes after finalisation go into the next PEP"
        ):
            services.pep_section_save(
                actor=dt, pep=pep, key="needs", data={"learning": "x"}, base_version=1
            )


def test_submission_lists_everything_missing(world):
    pep = start(world)
    move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=clock.today())
    with pytest.raises(ValidationError) as error:
        move(world, pep, Role.DESIGNATED_TEACHER, "submitted")
    messages = error.value.messages
    assert "Education details: Attendance this term (%) is missing." in messages
    assert "Targets: add at least one SMART target." in messages
    assert "My Voice: record the child's views, or say why they are not recorded." in messages
    assert "The carer's views: How is the child settling at home? is missing." in messages


def test_the_childs_views_may_be_replaced_by_the_reason_they_are_absent(world):
    pep = start(world)
    fill(world, pep)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        section = pep.sections.get(key="child_views")
        services.pep_section_save(
            actor=dt,
            pep=pep,
            key="child_views",
            data={"absent_reason": "Too unwell to take part this term."},
            base_version=section.version,
        )
        assert services.pep_completeness(pep) == ["Meeting: enter the date of the PEP meeting."]


@pytest.mark.parametrize(
    ("status_path", "role", "target", "allowed"),
    [
        ([], Role.SOCIAL_WORKER, "meeting_held", True),
        ([], Role.CARER, "meeting_held", False),
        ([], Role.DESIGNATED_TEACHER, "submitted", False),  # not from draft
        (["meeting_held"], Role.SOCIAL_WORKER, "submitted", False),  # only the DT submits
        (["meeting_held"], Role.DESIGNATED_TEACHER, "submitted", True),
        (["meeting_held", "submitted"], Role.DESIGNATED_TEACHER, "approved", False),
        (["meeting_held", "submitted"], Role.VS_OFFICER, "approved", True),
        (["meeting_held", "submitted"], Role.VS_HEAD, "returned", True),
        (["meeting_held", "submitted"], Role.SOCIAL_WORKER, "returned", False),
        (["meeting_held", "submitted", "approved"], Role.VS_OFFICER, "finalised", True),
        (["meeting_held", "submitted", "approved"], Role.DESIGNATED_TEACHER, "finalised", False),
        (["meeting_held", "submitted", "returned"], Role.DESIGNATED_TEACHER, "submitted", True),
    ],
)
def test_each_transition_is_allowed_or_refused_by_role_and_state(
    world, status_path, role, target, allowed
):
    pep = start(world)
    fill(world, pep)
    roles = {
        "meeting_held": Role.SOCIAL_WORKER,
        "submitted": Role.DESIGNATED_TEACHER,
        "approved": Role.VS_OFFICER,
        "returned": Role.VS_OFFICER,
    }
    for step in status_path:
        pep = move(
            world,
            pep,
            roles[step],
            step,
            meeting_date=clock.today() if step == "meeting_held" else None,
            reason="Targets need dates" if step == "returned" else "",
        )
    kwargs = {"reason": "Please add a target for maths"} if target == "returned" else {}
    if target == "meeting_held":
        kwargs["meeting_date"] = clock.today()
    if allowed:
        assert move(world, pep, role, target, **kwargs).status == target
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            move(world, pep, role, target, **kwargs)


def test_returning_needs_a_reason(world):
    pep = start(world)
    fill(world, pep)
    pep = move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=clock.today())
    pep = move(world, pep, Role.DESIGNATED_TEACHER, "submitted")
    with pytest.raises(ValidationError) as error:
        move(world, pep, Role.VS_OFFICER, "returned", reason="  ")
    assert error.value.message_dict == {
        "reason": ["Say what needs to change, so the school can amend it."]
    }
    pep = move(world, pep, Role.VS_OFFICER, "returned", reason="Add a maths target")
    assert pep.return_reason == "Add a maths target"


def test_a_double_click_cannot_make_the_same_move_twice(world):
    pep = start(world)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        seen = pep.state_version
        services.pep_transition(
            actor=sw,
            pep=pep,
            target_status="meeting_held",
            state_version=seen,
            meeting_date=clock.today(),
        )
        stale = Pep.objects.get(pk=pep.pk)
        stale.status = "draft"  # the second click was made from the old page
        with pytest.raises(services.StaleState):
            services.pep_transition(
                actor=sw,
                pep=stale,
                target_status="meeting_held",
                state_version=seen,
                meeting_date=clock.today(),
            )
        assert Transition.objects.filter(pep=pep).count() == 1


def test_targets_are_limited_to_the_authoritys_number_per_term(world):
    pep = start(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        for _ in range(4):
            services.target_save(actor=dt, pep=pep, fields=TARGET)
        with pytest.raises(ValidationError) as error:
            services.target_save(actor=dt, pep=pep, fields=TARGET)
        assert error.value.messages == [
            "A PEP can have at most 4 targets a term. Review or remove one first."
        ]
        assert pep.targets.count() == 4


def test_a_target_needs_every_smart_part(world):
    pep = start(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        with pytest.raises(ValidationError) as error:
            services.target_save(actor=dt, pep=pep, fields={**TARGET, "success_measure": ""})
        assert "success_measure" in error.value.message_dict
        assert pep.targets.count() == 0


def test_a_new_pep_starts_from_the_last_one(world):
    first = start(world)
    fill(world, first)
    first = finalise(world, first)
    second = start(world, kind="termly", **next_term(first))
    assert second.previous == first
    with acting(world.a.users[Role.DESIGNATED_TEACHER]):
        sections = {s.key: {k: v for k, v in s.data.items() if v} for s in second.sections.all()}
        # Stable content is copied to edit; this term's views and attendance start empty.
        assert sections["needs"] == COMPLETE["needs"]
        assert sections["aspirations"] == COMPLETE["aspirations"]
        assert sections["activities"] == COMPLETE["activities"]
        assert sections["support"] == COMPLETE["support"]
        assert sections["child_views"] == {}
        assert sections["education"] == {}
        from peps.selectors import previous_targets

        [old_target] = previous_targets(pep=second)
        assert old_target.description == TARGET["description"]
        assert second.targets.count() == 0
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        services.target_review(
            actor=dt, pep=second, target=old_target, outcome="partly", comment="Nearly there"
        )
    with all_authorities_context():
        reviewed = Target.objects.get(pk=old_target.pk)
    assert (reviewed.outcome, reviewed.reviewed_in_id) == ("partly", second.pk)


def test_two_people_saving_different_sections_both_stand(world):
    pep = start(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        base_needs = pep.sections.get(key="needs").version
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        base_views = pep.sections.get(key="social_worker_views").version
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        services.pep_section_save(
            actor=dt, pep=pep, key="needs", data={"learning": "DT text"}, base_version=base_needs
        )
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        services.pep_section_save(
            actor=sw,
            pep=pep,
            key="social_worker_views",
            data={"text": "SW text"},
            base_version=base_views,
        )
    with all_authorities_context():
        data = {s.key: s.data for s in pep.sections.all()}
    assert data["needs"]["learning"] == "DT text"
    assert data["social_worker_views"]["text"] == "SW text"


def test_two_people_saving_the_same_section_get_a_conflict_with_both_versions(world):
    pep = start(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        base = pep.sections.get(key="achievements").version
        services.pep_section_save(
            actor=dt, pep=pep, key="achievements", data={"text": "First"}, base_version=base
        )
    with acting(world.a.users[Role.CARER]) as carer:
        with pytest.raises(services.EditConflict) as conflict:
            services.pep_section_save(
                actor=carer,
                pep=pep,
                key="achievements",
                data={"text": "Second"},
                base_version=base,
            )
    assert conflict.value.theirs == {"text": "First"}
    assert conflict.value.yours == {"text": "Second"}
    assert conflict.value.their_author == world.a.users[Role.DESIGNATED_TEACHER].full_name
    with all_authorities_context():
        assert pep.sections.get(key="achievements").data == {"text": "First"}


def test_only_the_sections_editors_can_change_it(world):
    pep = start(world)
    with acting(world.a.users[Role.CARER]) as carer:
        with pytest.raises(PermissionDenied):
            services.pep_section_save(
                actor=carer,
                pep=pep,
                key="social_worker_views",
                data={"text": "x"},
                base_version=0,
            )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"attendance_percent": "104"},
            "attendance_percent",
            "Attendance must be between 0 and 100.",
        ),
        (
            {"attendance_percent": "ninety"},
            "attendance_percent",
            "Attendance this term (%) must be a number, like 94.5.",
        ),
        (
            {"full_time": "maybe"},
            "full_time",
            "Choose one of the options for “Is the child in full-time education?”.",
        ),
    ],
)
def test_bad_section_input_gets_a_specific_message_and_changes_nothing(world, data, field, message):
    pep = start(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        with pytest.raises(ValidationError) as error:
            services.pep_section_save(actor=dt, pep=pep, key="education", data=data, base_version=0)
        assert error.value.message_dict == {field: [message]}
        section = pep.sections.get(key="education")
        assert (section.data, section.version) == ({}, 0)


def test_a_meeting_cannot_be_recorded_as_held_before_it_happens(world):
    pep = start(world)
    tomorrow = clock.today() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=tomorrow)
    assert error.value.message_dict == {
        "meeting_date": [f"The meeting is on {tomorrow:%-d %B %Y}: record it once it has happened."]
    }
