"""Moderation (issue 11, point 7): each term the Virtual School Head draws a random sample
of the term's completed QA (the authority's share, default 10 %), a second officer grades
each sampled PEP again, blind, the grades are compared, disagreements are settled with a
note, and the agreement rates per officer and per criterion are counted."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from calendars.days import LONDON
from epep.audit.models import AuditEvent
from epep.tenancy.actor import acting_as
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps.models import Pep, Status
from quality import permissions
from quality.models import (
    Criterion,
    CriterionGrade,
    ModerationItem,
    ModerationResolution,
    ModerationSample,
    QaPolicy,
    QaReview,
    ReviewKind,
    ReviewOutcome,
    ReviewStatus,
    Rubric,
    RubricGrade,
    RubricSection,
)
from quality.selectors import moderation as selectors
from quality.services import moderation as services
from tests.factories import ChildFactory, MembershipFactory, UserFactory, ready_for_work
from tests.permission_matrix import allowed

pytestmark = pytest.mark.django_db

YEAR, TERM = "2026-27", "autumn"
SUBMITTED = datetime(2026, 10, 5, 10, tzinfo=LONDON)


# --- building a term of completed QA ---------------------------------------------------------


class Scale:
    """A small Green/Amber/Red rubric of an authority: two criteria (version 1 in force,
    later ones retired)."""

    def __init__(self, la, *, version=1, titles=("Child's voice", "SMART targets")):
        with all_authorities_context():
            self.rubric = Rubric.objects.create(
                local_authority=la,
                name="PEP quality",
                version=version,
                status="in_force" if version == 1 else "retired",
            )
            self.grades = {
                label: RubricGrade.objects.create(
                    local_authority=la,
                    rubric=self.rubric,
                    rank=rank,
                    label=label,
                    colour=label.lower(),
                    min_score=min_score,
                )
                for rank, (label, min_score) in enumerate(
                    (("Green", 75), ("Amber", 50), ("Red", 0)), start=1
                )
            }
            section = RubricSection.objects.create(
                local_authority=la, rubric=self.rubric, order=1, title="The plan"
            )
            self.criteria = [
                Criterion.objects.create(
                    local_authority=la,
                    rubric=self.rubric,
                    section=section,
                    order=order,
                    title=title,
                    weight=50,
                )
                for order, title in enumerate(titles, start=1)
            ]


def new_pep(authority, *, academic_year=YEAR, term=TERM, first="Sam", last="Sample") -> Pep:
    la = authority.la
    with all_authorities_context():
        child = ChildFactory(local_authority=la, legal_first_name=first, legal_last_name=last)
        return Pep.objects.create(
            local_authority=la,
            child=child,
            academic_year=academic_year,
            term=term,
            key_stage="KS2",
            status=Status.APPROVED,
            submitted_at=SUBMITTED,
            created_by=authority.users[Role.DESIGNATED_TEACHER],
        )


def grade_review(review: QaReview, scale: Scale, overall: str, per_criterion=None, **extra):
    """Complete ``review``: a grade per criterion (``per_criterion``, default all at
    ``overall``) and the overall grade, as the grading page does."""
    per_criterion = per_criterion or [overall] * len(scale.criteria)
    with all_authorities_context():
        for criterion, label in zip(scale.criteria, per_criterion, strict=True):
            CriterionGrade.objects.create(
                local_authority_id=review.local_authority_id,
                review=review,
                criterion=criterion,
                grade=scale.grades[label],
            )
        grade = scale.grades[overall]
        review.grade = grade
        review.computed_grade = grade
        review.status = ReviewStatus.COMPLETED
        review.completed_at = extra.pop("completed_at", SUBMITTED + timedelta(days=7))
        review.started_at = review.submitted_at
        if review.kind == ReviewKind.PRIMARY:
            review.outcome = extra.pop("outcome", ReviewOutcome.APPROVED)
        for key, value in extra.items():
            setattr(review, key, value)
        review.save()
    return review


def completed_review(authority, scale, *, officer=None, overall="Green", pep=None, round=1, **kw):
    pep = pep or new_pep(
        authority, **{k: kw.pop(k) for k in ("academic_year", "term", "first", "last") if k in kw}
    )
    officer = officer or authority.users[Role.VS_OFFICER]
    with all_authorities_context():
        review = QaReview.objects.create(
            local_authority=authority.la,
            pep=pep,
            round=round,
            submitted_at=SUBMITTED,
            officer=officer,
            assigned_at=SUBMITTED,
            rubric=scale.rubric,
        )
    return grade_review(review, scale, overall, **kw)


def second_officer(authority):
    """Another Virtual School officer of ``authority``."""
    user = UserFactory(
        email=f"second.officer.{authority.la.code}@example.org", full_name="Olu Second"
    )
    MembershipFactory(user=user, role=Role.VS_OFFICER, local_authority=authority.la)
    ready_for_work(user, [Role.VS_OFFICER])
    return user


def draw(world, *, seed=7, authority=None, **kw):
    authority = authority or world.a
    with acting_as(authority.users[Role.VS_HEAD]) as head:
        return services.sample_draw(
            actor=head,
            local_authority=authority.la,
            academic_year=kw.get("academic_year", YEAR),
            term=kw.get("term", TERM),
            seed=seed,
        )


def items_of(sample) -> list[ModerationItem]:
    with all_authorities_context():
        return list(
            ModerationItem.objects.filter(sample_id=getattr(sample, "pk", sample))
            .select_related("original", "moderation", "pep")
            .order_by("original_id")
        )


def set_share(authority, percent):
    with all_authorities_context():
        QaPolicy.objects.update_or_create(
            local_authority=authority.la, defaults={"moderation_share_percent": percent}
        )


# --- permissions -------------------------------------------------------------------------


def test_only_the_virtual_school_head_draws_assigns_and_resolves():
    head = {Role.VS_HEAD}
    assert allowed(permissions.can_draw_moderation_sample) == head
    assert allowed(permissions.can_assign_moderator) == head
    assert allowed(permissions.can_resolve_moderation) == head
    assert allowed(permissions.can_export_qa) == {Role.VS_HEAD, Role.VS_OFFICER}


# --- the sample's size ----------------------------------------------------------------------

SIZES = {
    # population: {share: size}
    0: {0: 0, 10: 0, 25: 0, 100: 0},
    1: {0: 0, 10: 1, 25: 1, 100: 1},
    9: {0: 0, 10: 1, 25: 3, 100: 9},
    10: {0: 0, 10: 1, 25: 3, 100: 10},
    11: {0: 0, 10: 2, 25: 3, 100: 11},
    95: {0: 0, 10: 10, 25: 24, 100: 95},
}


@pytest.mark.parametrize(
    ("population", "share", "size"),
    [(p, s, n) for p, row in SIZES.items() for s, n in row.items()],
)
def test_the_sample_is_the_share_of_the_population_rounded_up(population, share, size):
    assert services.sample_size(population, share) == size


@pytest.mark.parametrize(
    ("population", "share", "size"), [(0, 10, 0), (1, 10, 1), (11, 10, 2), (11, 25, 3)]
)
def test_a_drawn_sample_has_that_size_of_the_terms_completed_qa(world, population, share, size):
    scale = Scale(world.a.la)
    set_share(world.a, share)
    for _ in range(population):
        completed_review(world.a, scale)
    sample = draw(world)
    assert (sample.population, sample.share_percent) == (population, share)
    assert len(items_of(sample)) == size


def test_the_share_defaults_to_ten_percent_without_a_policy(world):
    scale = Scale(world.a.la)
    for _ in range(11):
        completed_review(world.a, scale)
    sample = draw(world)
    assert sample.share_percent == 10
    assert len(items_of(sample)) == 2


def test_the_population_is_the_latest_completed_round_of_the_terms_peps_of_the_authority(world):
    scale = Scale(world.a.la)
    set_share(world.a, 100)
    returned = completed_review(
        world.a, scale, overall="Red", outcome=ReviewOutcome.RETURNED, return_reason="No targets"
    )
    latest = completed_review(world.a, scale, pep=returned.pep, round=2)
    other_term = completed_review(world.a, scale, term="spring")
    with all_authorities_context():
        in_progress = QaReview.objects.create(
            local_authority=world.a.la,
            pep=new_pep(world.a),
            submitted_at=SUBMITTED,
            officer=world.a.users[Role.VS_OFFICER],
            assigned_at=SUBMITTED,
            status=ReviewStatus.IN_PROGRESS,
        )
    completed_review(world.b, Scale(world.b.la))  # Sefton's
    sample = draw(world)
    assert [item.original_id for item in items_of(sample)] == [latest.pk]
    assert sample.population == 1
    assert {returned.pk, other_term.pk, in_progress.pk}.isdisjoint(
        item.original_id for item in items_of(sample)
    )


# --- randomness ----------------------------------------------------------------------------


def test_the_same_seed_draws_the_same_sample_and_different_seeds_different_ones():
    population = list(range(100, 140))
    assert services.draw(population, 4, 1234) == services.draw(population, 4, 1234)
    assert services.draw(list(reversed(population)), 4, 1234) == services.draw(population, 4, 1234)
    samples = {tuple(services.draw(population, 4, seed)) for seed in range(20)}
    assert len(samples) > 15


def test_over_many_seeds_every_review_is_picked_about_as_often():
    population = list(range(1, 21))
    picks = Counter()
    for seed in range(2000):  # fixed seeds: the same counts on every run
        picks.update(services.draw(population, 2, seed))
    assert set(picks) == set(population)
    # 2000 draws of 2 of 20: each review is expected 200 times (sd 13.4; within 5 sd)
    assert all(133 <= count <= 267 for count in picks.values()), picks


def test_the_drawn_sample_follows_its_stored_seed(world):
    scale = Scale(world.a.la)
    reviews = [completed_review(world.a, scale) for _ in range(10)]
    set_share(world.a, 30)
    sample = draw(world, seed=99)
    expected = sorted(random.Random(99).sample(sorted(r.pk for r in reviews), 3))
    assert [item.original_id for item in items_of(sample)] == expected
    assert sample.seed == 99


def test_without_a_seed_a_fresh_one_is_drawn_and_stored(world):
    scale = Scale(world.a.la)
    completed_review(world.a, scale)
    with acting_as(world.a.users[Role.VS_HEAD]) as head:
        sample = services.sample_draw(
            actor=head, local_authority=world.a.la, academic_year=YEAR, term=TERM
        )
    with all_authorities_context():
        assert ModerationSample.objects.get(pk=sample.pk).seed == sample.seed
    assert 0 <= sample.seed < 2**63


# --- drawing: refusals -----------------------------------------------------------------


def test_a_term_is_drawn_once(world):
    completed_review(world.a, Scale(world.a.la))
    draw(world)
    with pytest.raises(ValidationError) as refused:
        draw(world, seed=8)
    assert refused.value.message_dict == {
        "term": ["This term's moderation sample has already been drawn."]
    }
    with all_authorities_context():
        assert ModerationSample.objects.count() == 1


def test_only_the_head_draws_and_only_for_their_authority(world):
    with acting_as(world.a.users[Role.VS_OFFICER]) as officer, pytest.raises(PermissionDenied):
        services.sample_draw(
            actor=officer, local_authority=world.a.la, academic_year=YEAR, term=TERM
        )
    with acting_as(world.a.users[Role.VS_HEAD]) as head, pytest.raises(PermissionDenied):
        services.sample_draw(actor=head, local_authority=world.b.la, academic_year=YEAR, term=TERM)


def test_a_term_that_does_not_exist_is_refused_beside_its_field(world):
    with acting_as(world.a.users[Role.VS_HEAD]) as head, pytest.raises(ValidationError) as refused:
        services.sample_draw(
            actor=head, local_authority=world.a.la, academic_year="2026-28", term="winter"
        )
    assert set(refused.value.message_dict) == {"academic_year", "term"}


def test_drawing_is_audited_with_the_seed_and_size(world):
    completed_review(world.a, Scale(world.a.la))
    sample = draw(world, seed=5)
    with all_authorities_context():
        event = AuditEvent.objects.get(action="draw_moderation_sample")
    assert event.object_id == str(sample.public_id)
    assert event.detail["seed"] == "5"
    assert event.detail["size"] == 1


# --- assigning and grading again -------------------------------------------------------


@pytest.fixture
def sampled(world):
    """Kent's term of one completed review (officer: Kent's VS officer), all sampled."""
    scale = Scale(world.a.la)
    set_share(world.a, 100)
    original = completed_review(world.a, scale, overall="Green", per_criterion=["Green", "Amber"])
    sample = draw(world)
    (item,) = items_of(sample)
    return scale, original, sample, item


def assign(world, item, moderator):
    with acting_as(world.a.users[Role.VS_HEAD]) as head:
        return services.moderation_assign(actor=head, item=item, moderator=moderator)


def test_assigning_a_moderator_creates_a_blind_review_of_the_same_round_and_rubric(world, sampled):
    scale, original, _, item = sampled
    moderator = second_officer(world.a)
    review = assign(world, item, moderator)
    with all_authorities_context():
        review = QaReview.objects.get(pk=review.pk)
        assert ModerationItem.objects.get(pk=item.pk).moderation_id == review.pk
    assert review.kind == ReviewKind.MODERATION
    assert (review.round, review.rubric_id, review.pep_id) == (
        original.round,
        scale.rubric.pk,
        original.pep_id,
    )
    assert review.officer_id == moderator.pk
    assert review.status == ReviewStatus.ASSIGNED


def test_the_officer_who_graded_it_first_cannot_moderate_it(world, sampled):
    *_, item = sampled
    with pytest.raises(ValidationError) as refused:
        assign(world, item, world.a.users[Role.VS_OFFICER])
    assert "moderator" in refused.value.message_dict
    with pytest.raises(ValidationError):
        assign(world, item, world.b.users[Role.VS_OFFICER])  # Sefton's
    with pytest.raises(ValidationError):
        assign(world, item, world.a.users[Role.SOCIAL_WORKER])
    with all_authorities_context():
        assert not QaReview.objects.filter(kind=ReviewKind.MODERATION).exists()


def test_the_head_may_moderate_and_reassigning_withdraws_the_first_assignment(world, sampled):
    *_, item = sampled
    first = assign(world, item, second_officer(world.a))
    head = world.a.users[Role.VS_HEAD]
    with all_authorities_context():
        item = ModerationItem.objects.select_related("original").get(pk=item.pk)
    second = assign(world, item, head)
    with all_authorities_context():
        assert QaReview.objects.get(pk=first.pk).status == ReviewStatus.WITHDRAWN
        assert QaReview.objects.get(pk=second.pk).officer_id == head.pk
        assert ModerationItem.objects.get(pk=item.pk).moderation_id == second.pk


def test_only_the_head_assigns_moderators(world, sampled):
    *_, item = sampled
    with acting_as(world.a.users[Role.VS_OFFICER]) as officer, pytest.raises(PermissionDenied):
        services.moderation_assign(actor=officer, item=item, moderator=second_officer(world.a))


@pytest.mark.parametrize(("again", "resolution"), [("Green", "agreed"), ("Red", "pending")])
def test_grading_again_on_the_grading_services_compares_the_overall_grades(
    world, sampled, again, resolution
):
    from quality.services import grading

    scale, _, _, item = sampled
    moderator = second_officer(world.a)
    review = assign(world, item, moderator)
    grades = {c.pk: (scale.grades[again].pk, "") for c in scale.criteria}
    with acting_as(moderator) as actor:
        saved = grading.review_save(
            actor=actor,
            review=review,
            version=review.version,
            grades=grades,
            section_comments={},
            summary="",
        )
        done = grading.review_complete(
            actor=actor, review=saved, version=saved.version, outcome=None
        )
    assert (done.status, done.outcome) == (ReviewStatus.COMPLETED, "")
    assert done.grade_id == scale.grades[again].pk
    (item,) = items_of(item.sample_id)
    assert item.resolution == resolution


def complete_moderation(world, item, scale, overall, per_criterion=None):
    review = assign(world, item, second_officer(world.a))
    grade_review(review, scale, overall, per_criterion)
    with acting_as(review.officer):
        return services.moderation_after_review_completed(review=review)


def test_the_same_overall_grade_is_agreed_at_once(world, sampled):
    scale, _, _, item = sampled
    complete_moderation(world, item, scale, "Green")
    (item,) = items_of(item.sample_id)
    assert item.resolution == ModerationResolution.AGREED
    assert item.resolved_at is not None


def test_a_different_grade_waits_for_the_head_who_resolves_it_with_a_note(world, sampled):
    scale, original, _, item = sampled
    complete_moderation(world, item, scale, "Amber")
    (item,) = items_of(item.sample_id)
    assert item.resolution == ModerationResolution.PENDING
    with acting_as(world.a.users[Role.VS_HEAD]) as head, pytest.raises(ValidationError) as refused:
        services.moderation_resolve(
            actor=head, item=item, resolution=ModerationResolution.ORIGINAL_STANDS, note="  "
        )
    assert set(refused.value.message_dict) == {"note"}
    with acting_as(world.a.users[Role.VS_HEAD]) as head:
        services.moderation_resolve(
            actor=head,
            item=item,
            resolution=ModerationResolution.MODERATED_STANDS,
            note="Targets lack dates: Amber is right.",
        )
    (resolved,) = items_of(item.sample_id)
    assert resolved.resolution == ModerationResolution.MODERATED_STANDS
    assert resolved.resolution_note == "Targets lack dates: Amber is right."
    assert resolved.resolved_by_id == world.a.users[Role.VS_HEAD].pk
    with all_authorities_context():  # recorded on the item only
        assert QaReview.objects.get(pk=original.pk).grade.label == "Green"
    # resolving again from the page opened before is refused and changes nothing
    with acting_as(world.a.users[Role.VS_HEAD]) as head, pytest.raises(ValidationError) as stale:
        services.moderation_resolve(
            actor=head, item=item, resolution=ModerationResolution.ORIGINAL_STANDS, note="No."
        )
    assert "has changed since you opened it" in str(stale.value)
    (unchanged,) = items_of(item.sample_id)
    assert unchanged.resolution == ModerationResolution.MODERATED_STANDS


def test_an_agreed_or_ungraded_item_cannot_be_resolved_and_officers_cannot_resolve(world, sampled):
    scale, _, _, item = sampled
    with acting_as(world.a.users[Role.VS_HEAD]) as head, pytest.raises(ValidationError):
        services.moderation_resolve(
            actor=head, item=item, resolution=ModerationResolution.ORIGINAL_STANDS, note="x"
        )
    with acting_as(world.a.users[Role.VS_OFFICER]) as officer, pytest.raises(PermissionDenied):
        services.moderation_resolve(
            actor=officer, item=item, resolution=ModerationResolution.ORIGINAL_STANDS, note="x"
        )


# --- agreement rates ----------------------------------------------------------------------


def test_agreement_rates_per_officer_and_per_criterion(world, django_assert_max_num_queries):
    scale = Scale(world.a.la)
    set_share(world.a, 100)
    first = world.a.users[Role.VS_OFFICER]
    head = world.a.users[Role.VS_HEAD]
    # the officer: 3 sampled, 2 agreed; the head: 1 sampled, 0 agreed
    plan = [
        (first, ["Green", "Green"], "Green", ["Green", "Amber"], "Green"),
        (first, ["Amber", "Amber"], "Amber", ["Amber", "Amber"], "Amber"),
        (first, ["Green", "Red"], "Amber", ["Red", "Red"], "Red"),
        (head, ["Green", "Green"], "Green", ["Green", "Amber"], "Amber"),
    ]
    for officer, per_criterion, overall, *_ in plan:
        completed_review(
            world.a, scale, officer=officer, overall=overall, per_criterion=per_criterion
        )
    sample = draw(world)
    moderator = second_officer(world.a)
    for item, (_, _, _, again, overall) in zip(items_of(sample), plan, strict=True):
        with acting_as(head) as lead:
            review = services.moderation_assign(actor=lead, item=item, moderator=moderator)
        grade_review(review, scale, overall, again)
        with acting_as(moderator):
            services.moderation_after_review_completed(review=review)
    completed_review(world.b, Scale(world.b.la))  # Sefton's never counts
    with acting_as(head) as lead:
        with django_assert_max_num_queries(1):
            by_officer = selectors.agreement_by_officer(actor=lead, sample=sample)
        with django_assert_max_num_queries(1):
            by_criterion = selectors.agreement_by_criterion(actor=lead, sample=sample)
    assert [(a.label, a.agreed, a.compared, a.percent) for a in by_officer] == sorted(
        [(first.full_name, 2, 3, 67), (head.full_name, 0, 1, 0)]
    )
    # Child's voice: G/G, A/A, G/R, G/G -> 3 of 4; SMART targets: G/A, A/A, R/R, G/A -> 2 of 4
    assert [(a.label, a.agreed, a.compared, a.percent) for a in by_criterion] == [
        ("Child's voice", 3, 4, 75),
        ("SMART targets", 2, 4, 50),
    ]


@pytest.mark.parametrize(
    ("agreed", "compared", "percent"),
    [(0, 0, None), (0, 3, 0), (1, 3, 33), (2, 3, 67), (1, 8, 13), (1, 200, 1), (3, 3, 100)],
)
def test_agreement_percent_rounds_half_up(agreed, compared, percent):
    assert selectors.agreement_percent(agreed, compared) == percent


def test_another_authoritys_sample_is_not_found(world, sampled):
    _, _, sample, item = sampled
    from django.http import Http404

    with acting_as(world.b.users[Role.VS_HEAD]) as other, pytest.raises(Http404):
        selectors.access_sample_by_id(actor=other, sample_id=sample.pk)
    with acting_as(world.b.users[Role.VS_HEAD]) as other, pytest.raises(Http404):
        selectors.access_item_by_id(actor=other, item_id=item.pk)
    with acting_as(world.a.users[Role.VS_OFFICER]) as mine:
        assert selectors.access_sample_by_id(actor=mine, sample_id=sample.pk) == sample


# --- the admin pages ---------------------------------------------------------------------

SAMPLES = "/admin/quality/moderationsample/"


def test_the_head_draws_assigns_and_resolves_in_the_admin(client, world):
    scale = Scale(world.a.la)
    set_share(world.a, 100)
    original = completed_review(world.a, scale, overall="Green")
    with all_authorities_context():
        child = original.pep.child
    moderator = second_officer(world.a)
    client.force_login(world.a.users[Role.VS_HEAD])
    page = client.get(SAMPLES + "add/").content.decode()
    assert "<strong>100%</strong>" in page
    response = client.post(SAMPLES + "add/", {"academic_year": YEAR, "term": TERM})
    with all_authorities_context():
        sample = ModerationSample.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{SAMPLES}{sample.pk}/change/"
    again = client.post(SAMPLES + "add/", {"academic_year": YEAR, "term": TERM})
    assert "This term&#x27;s moderation sample has already been drawn." in again.content.decode()
    page = client.get(f"{SAMPLES}{sample.pk}/change/").content.decode()
    assert child.display_name in page
    assert str(sample.seed) in page
    (item,) = items_of(sample)
    assert f'<option value="{moderator.pk}">Olu Second</option>' in page
    # the officer who graded it first is not offered
    assert f'<option value="{original.officer_id}">' not in page
    client.post(f"{SAMPLES}{sample.pk}/items/{item.pk}/assign/", {"moderator": moderator.pk})
    (item,) = items_of(sample)
    assert item.moderation.officer_id == moderator.pk
    # the moderator finds it on the sample's page, with a link to grade it (blind)
    client.force_login(moderator)
    page = client.get(f"{SAMPLES}{sample.pk}/change/").content.decode()
    assert f'href="/admin/quality/qareview/{item.moderation_id}/change/"' in page
    assert "Green" not in page
    client.force_login(world.a.users[Role.VS_HEAD])
    grade_review(item.moderation, scale, "Red")
    with acting_as(moderator):
        services.moderation_after_review_completed(review=item.moderation)
    page = client.get(f"{SAMPLES}{sample.pk}/change/").content.decode()
    assert "Disagreed: waiting for the Virtual School Head" in page
    resolve = f"{SAMPLES}{sample.pk}/items/{item.pk}/resolve/"
    refused = client.post(resolve, {"resolution": "original_stands", "note": ""})
    assert "Enter a note saying why this grade stands." in refused.content.decode()
    client.post(resolve, {"resolution": "original_stands", "note": "Voice is recent enough."})
    (item,) = items_of(sample)
    assert item.resolution == ModerationResolution.ORIGINAL_STANDS
    report = client.get(f"{SAMPLES}{sample.pk}/agreement/").content.decode()
    assert world.a.users[Role.VS_OFFICER].full_name in report
    assert "0%" in report


def test_another_authority_and_officers_cannot_reach_what_is_not_theirs(client, world):
    completed_review(world.a, Scale(world.a.la))
    sample = draw(world)
    client.force_login(world.b.users[Role.VS_HEAD])
    assert client.get(f"{SAMPLES}{sample.pk}/change/").status_code == 404
    assert client.get(f"{SAMPLES}{sample.pk}/agreement/").status_code == 404
    assert "Autumn 2026-27" not in client.get(SAMPLES).content.decode()
    client.force_login(world.a.users[Role.VS_OFFICER])
    assert "Autumn 2026-27" in client.get(SAMPLES).content.decode()
    assert client.get(SAMPLES + "add/").status_code == 403
    client.force_login(world.a.users[Role.LA_ADMIN])
    assert client.get(SAMPLES).status_code == 403


def test_the_export_page_downloads_the_terms_results(client, world):
    completed_review(world.a, Scale(world.a.la))
    client.force_login(world.a.users[Role.VS_OFFICER])
    assert 'value="xlsx"' in client.get(SAMPLES + "export/").content.decode()
    response = client.post(
        SAMPLES + "export/", {"academic_year": YEAR, "term": TERM, "file_format": "csv"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="qa-results-2026-27-autumn.csv"'
    assert "Sam Sample" in response.content.decode("utf-8-sig")


def test_the_sample_page_takes_as_many_queries_however_many_pep_are_sampled(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scale = Scale(world.a.la)
    set_share(world.a, 100)
    moderator = second_officer(world.a)
    client.force_login(world.a.users[Role.VS_HEAD])

    def queries(term, how_many):
        for _ in range(how_many):
            completed_review(world.a, scale, term=term)
        sample = draw(world, term=term)
        for item in items_of(sample)[:-1]:
            assign(world, item, moderator)
        client.get(f"{SAMPLES}{sample.pk}/change/")  # the session's first request warms up
        with CaptureQueriesContext(connection) as captured:
            page = client.get(f"{SAMPLES}{sample.pk}/change/")
        assert page.status_code == 200
        assert page.content.decode().count("Waiting for the moderator") == how_many - 1
        return len(captured)

    assert queries("autumn", 2) == queries("spring", 7)
