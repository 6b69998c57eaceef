"""The authority's QA rubric: the default one a first review gets, new versions on the
authority's chosen scale, publishing (refused in plain words when unsound), a review keeps
the version it started on, and only the Virtual School Head changes it."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from epep.audit.models import AuditEvent
from epep.tenancy import clock
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from quality import default_rubric
from quality.models import (
    Criterion,
    Descriptor,
    FundingRelease,
    QaReview,
    RollUp,
    Rubric,
    RubricGrade,
    RubricStatus,
)
from quality.rollup import GradeRule, rubric_problems
from quality.selectors.rubrics import access_rubric_by_id, grade_rules, rubrics_for
from quality.services import rubrics as services
from tests.quality.queue_factories import submitted_pep

pytestmark = pytest.mark.django_db

PRECHECKS = {
    "child_voice",
    "targets_owner_date",
    "ppplus_linked",
    "next_meeting",
    "attendance_support",
}


def _in_force(world):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        return services.rubric_for_new_review(local_authority=world.a.la)


def head(world, side="a"):
    return getattr(world, side).users[Role.VS_HEAD]


def test_the_default_rubric_is_built_from_the_statutory_guidance():
    criteria = [c for s in default_rubric.SECTIONS for c in s.criteria]
    assert sum(c.weight for c in criteria) == 100
    assert {c.precheck for c in criteria} - {""} == PRECHECKS
    titles = " ".join(c.title.lower() for c in criteria)
    for words in [
        "child's voice",
        "attendance and exclusions",
        "attainment",
        "smart",
        "pp+",
        "owners and dates",
        "ehcp",
        "transition",
        "aspirations",
        "next meeting",
    ]:
        assert words in titles, words
    for scale in default_rubric.SCALES.values():
        rules = [
            (spec.label, spec.min_score, spec.allowance, spec.allowance_floor)
            for spec in scale.grades
        ]
        labels = [label for label, *_ in rules]
        problems = rubric_problems(
            roll_up=scale.roll_up,
            scale=[
                GradeRule(
                    rank,
                    label,
                    min_score,
                    allowance,
                    labels.index(floor) + 1 if floor else None,
                )
                for rank, (label, min_score, allowance, floor) in enumerate(rules, start=1)
            ],
            weights=[c.weight for c in criteria],
        )
        assert problems == {}, scale.key
    assert [s.key for s in default_rubric.SCALES.values()] == ["rag", "ggar", "ofsted"]


def test_a_first_review_gets_the_default_rubric_in_force(world, clock_at):
    clock_at(date(2026, 11, 2))
    rubric = _in_force(world)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert (rubric.version, rubric.status, rubric.roll_up) == (1, "in_force", "bands")
        assert rubric.in_force_from.date() == date(2026, 11, 2)
        grades = list(rubric.grades.all())
        assert [(g.label, g.min_score, g.funding) for g in grades] == [
            ("Green", 75, FundingRelease.RELEASES),
            ("Amber", 50, FundingRelease.BY_DECISION),
            ("Red", None, FundingRelease.WITHHOLDS),
        ]
        criteria = list(rubric.criteria.all())
        assert sum(c.weight for c in criteria) == 100
        assert {c.precheck for c in criteria} - {""} == PRECHECKS
        assert rubric.sections.count() == 5
        assert Descriptor.objects.filter(criterion__rubric=rubric).count() == 3 * len(criteria)
        assert services.rubric_publication_problems(rubric) == {}
        # the second review gets the same rubric: nothing new is made
        assert services.rubric_for_new_review(local_authority=world.a.la) == rubric
        assert Rubric.objects.count() == 1
    with authority_context(local_authority_ids=[world.b.la.pk]):
        assert not Rubric.objects.exists()  # each authority its own


def test_an_officer_starting_the_first_review_publishes_the_default_in_their_name(world):
    officer = world.a.users[Role.VS_OFFICER]
    with acting_as(officer, Role.VS_OFFICER) as actor:
        rubric = services.rubric_for_new_review(local_authority=world.a.la, actor=actor)
        assert rubric.status == RubricStatus.IN_FORCE
        event = AuditEvent.objects.get(action="publish", object_id=str(rubric.public_id))
        assert (event.user, event.detail["default"]) == (officer, True)


def test_a_new_version_copies_the_one_in_force_and_publishing_retires_it(world):
    v1 = _in_force(world)
    with acting_as(head(world), Role.VS_HEAD) as actor:
        v2 = services.rubric_draft_new_version(actor=actor, local_authority=world.a.la)
        assert (v2.version, v2.status, v2.created_by) == (2, "draft", head(world))
        assert [g.label for g in v2.grades.all()] == ["Green", "Amber", "Red"]
        assert v2.criteria.count() == v1.criteria.count()
        assert not Criterion.objects.filter(rubric=v2, section__rubric=v1).exists()
        assert not Descriptor.objects.filter(criterion__rubric=v2, grade__rubric=v1).exists()
        with pytest.raises(ValidationError, match="Version 2 is already a draft"):
            services.rubric_draft_new_version(actor=actor, local_authority=world.a.la)
        services.rubric_publish(actor=actor, rubric=v2)
        v1.refresh_from_db()
        v2.refresh_from_db()
        assert (v1.status, v2.status) == (RubricStatus.RETIRED, RubricStatus.IN_FORCE)
        assert services.rubric_for_new_review(local_authority=world.a.la) == v2
        assert AuditEvent.objects.filter(object_id=str(v2.public_id), action="publish").exists()
        with pytest.raises(ValidationError, match="only a draft can change"):
            services.rubric_publish(actor=actor, rubric=v2)
        with pytest.raises(ValidationError, match="only a draft can change"):
            services.rubric_lock_draft(actor=actor, rubric=v1)


def test_a_review_keeps_the_version_it_started_on(world, clock_at):
    clock_at(date(2026, 11, 2))
    pep = submitted_pep(world.a, submitted_on=date(2026, 10, 20))
    v1 = _in_force(world)
    officer = world.a.users[Role.VS_OFFICER]
    with authority_context(local_authority_ids=[world.a.la.pk]):
        review = QaReview.objects.create(
            local_authority=world.a.la,
            pep=pep,
            submitted_at=pep.submitted_at,
            officer=officer,
            assigned_at=clock.now(),
            rubric=v1,
            started_at=clock.now(),
        )
    with acting_as(head(world), Role.VS_HEAD) as actor:
        v2 = services.rubric_draft_new_version(actor=actor, local_authority=world.a.la)
        services.rubric_publish(actor=actor, rubric=v2)
        review.refresh_from_db()
        assert review.rubric == v1
        assert services.rubric_for_new_review(local_authority=world.a.la) == v2


SCALE_CASES = {
    "ggar": (RollUp.COUNTING, ["Gold", "Green", "Amber", "Red"]),
    "ofsted": (RollUp.BANDS, ["Outstanding", "Good", "Requires improvement", "Inadequate"]),
    "rag": (RollUp.BANDS, ["Green", "Amber", "Red"]),
}


@pytest.mark.parametrize("scale", SCALE_CASES)
def test_a_new_version_on_another_scale_is_ready_to_publish(world, scale):
    _in_force(world)
    roll_up, labels = SCALE_CASES[scale]
    with acting_as(head(world), Role.VS_HEAD) as actor:
        draft = services.rubric_draft_new_version(
            actor=actor, local_authority=world.a.la, scale=scale
        )
        grades = list(draft.grades.all())
        assert draft.roll_up == roll_up
        assert [g.label for g in grades] == labels
        assert services.rubric_publication_problems(draft) == {}
        voice = draft.criteria.get(precheck="child_voice")
        best = Descriptor.objects.get(criterion=voice, grade=grades[0]).text
        worst = Descriptor.objects.get(criterion=voice, grade=grades[-1]).text
        assert worst == "No child's voice, or only a previous term's."
        assert best != worst
        services.rubric_publish(actor=actor, rubric=draft)


def test_gold_is_all_gold_but_one_green_in_the_shipped_counting_scale(world):
    _in_force(world)
    with acting_as(head(world), Role.VS_HEAD) as actor:
        draft = services.rubric_draft_new_version(
            actor=actor, local_authority=world.a.la, scale="ggar"
        )
        rules = grade_rules(list(draft.grades.all()))
        assert [(r.label, r.allowance, r.allowance_floor_rank) for r in rules] == [
            ("Gold", 1, 2),
            ("Green", 2, 3),
            ("Amber", 2, None),
            ("Red", None, None),
        ]


def test_a_criterion_added_to_another_scale_keeps_its_own_descriptors_at_the_nearest_grade(
    world,
):
    _in_force(world)
    with acting_as(head(world), Role.VS_HEAD) as actor:
        v2 = services.rubric_draft_new_version(actor=actor, local_authority=world.a.la)
        section = v2.sections.first()
        own = Criterion.objects.create(
            local_authority=world.a.la, rubric=v2, section=section, title="Carer's input", weight=0
        )
        texts = {"Green": "Carer's views shaped the plan.", "Amber": "Brief.", "Red": "None."}
        for grade in v2.grades.all():
            Descriptor.objects.create(
                local_authority=world.a.la, criterion=own, grade=grade, text=texts[grade.label]
            )
        services.rubric_publish(actor=actor, rubric=v2)
        v3 = services.rubric_draft_new_version(
            actor=actor, local_authority=world.a.la, scale="ofsted"
        )
        copied = v3.criteria.get(title="Carer's input")
        got = {d.grade.label: d.text for d in Descriptor.objects.filter(criterion=copied)}
        assert got == {
            "Outstanding": "Carer's views shaped the plan.",
            "Good": "Brief.",
            "Requires improvement": "Brief.",
            "Inadequate": "None.",
        }


#: what is wrong with the draft -> the field named in the refusal
PUBLISH_REFUSALS = {
    "weights add up to 90": "weights",
    "bands overlap": "min_score",
    "a descriptor is missing": "descriptors",
}


@pytest.mark.parametrize("fault", PUBLISH_REFUSALS)
def test_an_unsound_draft_is_not_published_and_nothing_changes(world, fault):
    v1 = _in_force(world)
    with acting_as(head(world), Role.VS_HEAD) as actor:
        draft = services.rubric_draft_new_version(actor=actor, local_authority=world.a.la)
        if fault == "weights add up to 90":
            c = draft.criteria.get(precheck="child_voice")
            c.weight -= 10
            c.save()
        elif fault == "bands overlap":
            draft.grades.filter(label="Amber").update(min_score=80)
        else:
            Descriptor.objects.filter(criterion__rubric=draft, grade__label="Red").first().delete()
        with pytest.raises(ValidationError) as refused:
            services.rubric_publish(actor=actor, rubric=draft)
        assert set(refused.value.message_dict) == {PUBLISH_REFUSALS[fault]}
        draft.refresh_from_db()
        v1.refresh_from_db()
        assert (draft.status, v1.status) == (RubricStatus.DRAFT, RubricStatus.IN_FORCE)
    if fault == "weights add up to 90":
        assert refused.value.message_dict["weights"] == [
            "The criteria's weights must add up to 100; they add up to 90."
        ]


def test_only_the_virtual_school_head_of_the_authority_changes_the_rubric(world):
    v1 = _in_force(world)
    with acting_as(world.a.users[Role.VS_OFFICER], Role.VS_OFFICER) as officer:
        with pytest.raises(PermissionDenied):
            services.rubric_draft_new_version(actor=officer, local_authority=world.a.la)
        assert list(rubrics_for(actor=officer)) == [v1]  # officers read it
    with acting_as(world.a.users[Role.LA_ADMIN], Role.LA_ADMIN) as admin:
        assert list(rubrics_for(actor=admin)) == []
    with acting_as(head(world, "b"), Role.VS_HEAD) as other:
        with pytest.raises(PermissionDenied):
            services.rubric_draft_new_version(actor=other, local_authority=world.a.la)
        with pytest.raises(PermissionDenied):
            services.rubric_publish(actor=other, rubric=v1)
        with pytest.raises(Http404):
            access_rubric_by_id(actor=other, rubric_id=v1.public_id)
    with acting_as(head(world), Role.VS_HEAD) as actor:
        assert access_rubric_by_id(actor=actor, rubric_id=v1.public_id) == v1
        with pytest.raises(ValidationError) as refused:
            services.rubric_draft_new_version(
                actor=actor, local_authority=world.a.la, scale="stars"
            )
        assert "scale" in refused.value.message_dict
        assert RubricGrade.objects.filter(rubric__version=2).count() == 0


def test_without_any_rubric_a_new_version_is_the_default_as_a_draft(world):
    with acting_as(head(world), Role.VS_HEAD) as actor:
        draft = services.rubric_draft_new_version(
            actor=actor, local_authority=world.a.la, scale="ggar"
        )
        assert (draft.version, draft.status, draft.roll_up) == (1, "draft", "counting")
        assert services.rubric_publication_problems(draft) == {}


# --- the rubric in the admin -------------------------------------------------------------

LIST = "/admin/quality/rubric/"


def _change(rubric):
    return f"{LIST}{rubric.pk}/change/"


def _formset_data(page_context) -> dict:
    """The change form's data as the browser would post it back."""
    data = {}
    form = page_context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else value
    for inline in page_context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management.initial.get(name, "")
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        for sub in formset.initial_forms:
            for name, field in sub.fields.items():
                value = sub.initial.get(name, field.initial)
                if name == "DELETE":
                    continue
                data[sub.add_prefix(name)] = "" if value is None else getattr(value, "pk", value)
    return data


@pytest.fixture
def head_client(client, world):
    client.force_login(head(world))
    return client


@pytest.fixture
def draft(world):
    _in_force(world)
    with acting_as(head(world), Role.VS_HEAD) as actor:
        return services.rubric_draft_new_version(actor=actor, local_authority=world.a.la)


def test_officers_read_the_rubric_and_the_head_starts_a_version(client, world):
    v1 = _in_force(world)
    client.force_login(world.a.users[Role.VS_OFFICER])
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert "PEP quality rubric (version 1)" in listing.content.decode()
    assert "Start a new version" not in listing.content.decode()
    page = client.get(_change(v1)).content.decode()
    assert "The child&#x27;s voice is present and recent" in page
    assert 'name="name"' not in page and "Publish this version" not in page
    assert client.get(f"{LIST}new-version/").status_code == 403
    assert client.post(f"{LIST}{v1.pk}/publish/").status_code == 403

    client.force_login(head(world))
    assert "Start a new version" in client.get(LIST).content.decode()
    in_force_page = client.get(_change(v1)).content.decode()
    assert "This version is in force, so it cannot change" in in_force_page
    assert 'name="name"' not in in_force_page
    response = client.post(f"{LIST}new-version/", {"scale": "ggar"})
    with authority_context(local_authority_ids=[world.a.la.pk]):
        v2 = Rubric.objects.get(version=2)
    assert response.status_code == 302 and response["Location"] == _change(v2)
    assert v2.roll_up == RollUp.COUNTING
    again = client.post(f"{LIST}new-version/", {"scale": ""})
    assert "Version 2 is already a draft" in again.content.decode()


def test_weights_that_do_not_add_up_are_refused_with_nothing_saved(head_client, world, draft):
    page = head_client.get(_change(draft))
    assert "Publish this version" in page.content.decode()
    data = _formset_data(page.context)
    weight_keys = sorted(k for k in data if k.startswith("criteria-") and k.endswith("-weight"))
    data[weight_keys[0]] = int(data[weight_keys[0]]) - 10
    data["name"] = "Renamed"
    refused = head_client.post(_change(draft), data)
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "There is a problem" in body
    assert "The criteria&#x27;s weights must add up to 100; they add up to 90." in body
    assert 'href="#criteria-group"' in body
    with authority_context(local_authority_ids=[world.a.la.pk]):
        draft.refresh_from_db()
        assert draft.name == "PEP quality rubric"
        assert sum(draft.criteria.values_list("weight", flat=True)) == 100

    data[weight_keys[1]] = int(data[weight_keys[1]]) + 10
    saved = head_client.post(_change(draft), data)
    assert saved.status_code == 302
    with authority_context(local_authority_ids=[world.a.la.pk]):
        draft.refresh_from_db()
        assert draft.name == "Renamed"
    published = head_client.post(f"{LIST}{draft.pk}/publish/", follow=True)
    assert "Version 2 is in force" in published.content.decode()
    with authority_context(local_authority_ids=[world.a.la.pk]):
        draft.refresh_from_db()
        assert draft.status == RubricStatus.IN_FORCE


def test_overlapping_bands_are_refused_next_to_the_grades(head_client, world, draft):
    page = head_client.get(_change(draft))
    data = _formset_data(page.context)
    amber = next(k for k, v in data.items() if k.endswith("-label") and v == "Amber")
    data[amber.replace("-label", "-min_score")] = 80
    refused = head_client.post(_change(draft), data)
    body = refused.content.decode()
    assert "Green needs a higher lowest score than Amber (75 is not above 80)." in body
    assert 'href="#grades-group"' in body
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert draft.grades.get(label="Amber").min_score == 50


def test_a_missing_descriptor_stops_publishing_and_is_added_on_the_criterion_page(
    head_client, world, draft
):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        voice = draft.criteria.get(precheck="child_voice")
        Descriptor.objects.filter(criterion=voice, grade__label="Red").delete()
    refused = head_client.post(f"{LIST}{draft.pk}/publish/", follow=True)
    body = refused.content.decode()
    assert "Version 2 was not published." in body
    assert (
        "Describe “The child&#x27;s voice is present and recent” at every grade: Red is missing."
        in body
    )
    criterion_url = f"/admin/quality/criterion/{voice.pk}/change/"
    page = head_client.get(criterion_url)
    assert page.status_code == 200
    descriptors = next(
        i.formset
        for i in page.context["inline_admin_formsets"]
        if i.formset.prefix == "descriptors"
    )
    assert len(descriptors.extra_forms) == 1
    data = _formset_data(page.context)
    data["descriptors-TOTAL_FORMS"] = 3
    with authority_context(local_authority_ids=[world.a.la.pk]):
        data["descriptors-2-grade"] = draft.grades.get(label="Red").pk
    data["descriptors-2-text"] = "No child's voice at all."
    data["descriptors-2-criterion"] = voice.pk
    saved = head_client.post(criterion_url, {**data, "_save": "Save"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    published = head_client.post(f"{LIST}{draft.pk}/publish/", follow=True)
    assert "Version 2 is in force" in published.content.decode()


def test_another_authoritys_rubric_is_out_of_reach(client, world, draft):
    client.force_login(head(world, "b"))
    assert "PEP quality rubric" not in client.get(LIST).content.decode()
    response = client.get(_change(draft))
    assert response.status_code in (302, 404)
    assert client.post(f"{LIST}{draft.pk}/publish/").status_code in (403, 404)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        voice = draft.criteria.get(precheck="child_voice")
    assert client.get(f"/admin/quality/criterion/{voice.pk}/change/").status_code in (302, 404)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        draft.refresh_from_db()
        assert draft.status == RubricStatus.DRAFT


def test_choices_in_the_tables_are_the_versions_own(head_client, world, draft):
    """A section, a grade floor or a descriptor's grade can only be one of this version's
    (not the version in force's, nor another authority's)."""
    with authority_context(local_authority_ids=[world.b.la.pk]):
        services.rubric_for_new_review(local_authority=world.b.la)
    page = head_client.get(_change(draft))
    forms_by_prefix = {i.formset.prefix: i.formset for i in page.context["inline_admin_formsets"]}
    with authority_context(local_authority_ids=[world.a.la.pk, world.b.la.pk]):
        sections = set(forms_by_prefix["criteria"].forms[0].fields["section"].queryset)
        floors = set(forms_by_prefix["grades"].forms[0].fields["allowance_floor"].queryset)
        assert sections == set(draft.sections.all())
        assert floors == set(draft.grades.all())
        voice = draft.criteria.get(precheck="child_voice")
    criterion = head_client.get(f"/admin/quality/criterion/{voice.pk}/change/")
    with authority_context(local_authority_ids=[world.a.la.pk, world.b.la.pk]):
        own_sections = set(criterion.context["adminform"].form.fields["section"].queryset)
        assert own_sections == set(draft.sections.all())
        inline = criterion.context["inline_admin_formsets"][0].formset
        assert set(inline.forms[0].fields["grade"].queryset) == set(draft.grades.all())


def test_a_counting_rule_needs_an_allowance_for_each_grade(head_client, world, draft):
    page = head_client.get(_change(draft))
    data = _formset_data(page.context)
    data["roll_up"] = RollUp.COUNTING
    refused = head_client.post(_change(draft), data).content.decode()
    assert "Say how many criteria may be graded below Green (0 for none)." in refused
    assert "Say how many criteria may be graded below Amber (0 for none)." in refused
    with authority_context(local_authority_ids=[world.a.la.pk]):
        draft.refresh_from_db()
        assert draft.roll_up == RollUp.BANDS


def test_the_rubric_page_asks_the_same_number_of_queries_however_many_criteria(
    head_client, world, draft, django_assert_max_num_queries
):
    head_client.get(_change(draft))
    with CaptureQueriesContext(connection) as ten:
        head_client.get(_change(draft))
    with authority_context(local_authority_ids=[world.a.la.pk]):
        section = draft.sections.first()
        for n in range(10):
            Criterion.objects.create(
                local_authority=world.a.la,
                rubric=draft,
                section=section,
                title=f"Extra {n}",
                weight=0,
            )
    with django_assert_max_num_queries(len(ten.captured_queries)):
        assert "Extra 9" in head_client.get(_change(draft)).content.decode()
