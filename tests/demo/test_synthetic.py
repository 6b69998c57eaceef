"""The synthetic dataset of `make bench` (demo/synthetic), at a tiny scale: every table it
fills has rows, the same seed plans the same data, each authority's children are visible
only in its own context, and every child is in care, on roll and placed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.models import F

from calendars.models import SchoolTerm
from children.models import (
    Allocation,
    CarePeriod,
    Child,
    Enrolment,
    Placement,
    PlacementCarer,
    School,
    current_on,
)
from deadlines.models import Deadline
from demo.synthetic.load import Scale, refresh_deadlines, seed_synthetic
from epep.accounts.models import User
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.models import LocalAuthority, Membership, SchoolRoleEndorsement
from funding.models import PpLine, PpLineTarget
from peps.models import AttainmentEntry, Pep, PepSection, Target, Transition
from quality.models import QaReview

TODAY = date(2026, 12, 7)
TINY = Scale("tiny", authorities=2, children=60, schools=12)
MODELS = (
    LocalAuthority,
    School,
    User,
    SchoolTerm,
    Child,
    CarePeriod,
    Enrolment,
    Placement,
    Allocation,
    Membership,
    PlacementCarer,
    SchoolRoleEndorsement,
    Pep,
    PepSection,
    AttainmentEntry,
    Target,
    Transition,
    PpLine,
    PpLineTarget,
    QaReview,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(clock_at):
    clock_at(TODAY)
    users_before = User.objects.count()  # the migrations' own
    report = seed_synthetic(scale=TINY, seed=1, today=TODAY)
    refresh_deadlines(today=TODAY)
    report.counts["accounts.User"] += users_before
    return report


def test_every_table_has_rows(loaded):
    with all_authorities_context():
        for model in MODELS:
            assert model.objects.count() > 0, model.__name__
            assert loaded.counts[model._meta.label] == model.objects.count(), model.__name__
        assert Child.objects.count() == 60
        assert Deadline.objects.exists()  # the deadline refresh ran over the loaded children
        # Five years of termly PEPs, only the latest one of a child ever in progress.
        assert Pep.objects.values("academic_year").distinct().count() == 5
        open_peps = Pep.objects.exclude(status="finalised")
        assert open_peps.values("child").distinct().count() == open_peps.count()


def test_the_same_seed_plans_the_same_data(loaded, clock_at):
    again = seed_synthetic(scale=TINY, seed=1, today=TODAY, dry=True)
    other = seed_synthetic(scale=TINY, seed=2, today=TODAY, dry=True)
    assert again.digest == loaded.digest
    assert again.counts["peps.Pep"] == loaded.counts["peps.Pep"]
    assert other.digest != loaded.digest


def test_children_are_visible_only_in_their_own_authority(loaded):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] != "epep_owner"  # row-level security applies
    authorities = list(LocalAuthority.objects.order_by("pk").values_list("pk", flat=True))
    assert len(authorities) == 2
    seen = {}
    for la_id in authorities:
        with authority_context(local_authority_ids=[la_id]):
            ids = set(Child.objects.values_list("pk", flat=True))
            assert ids
            assert set(Child.objects.values_list("local_authority_id", flat=True)) == {la_id}
            assert set(Pep.objects.values_list("local_authority_id", flat=True)) == {la_id}
            seen[la_id] = ids
    assert not seen[authorities[0]] & seen[authorities[1]]
    assert Child.objects.count() == 0  # no context, no children


def test_every_child_is_in_care_on_roll_and_placed(loaded):
    with all_authorities_context():
        children = Child.objects.all()
        assert children.count() == 60
        assert not children.filter(left_care_on__isnull=False).exists()
        on_roll = Enrolment.objects.filter(current_on(TODAY)).values("child")
        placed = Placement.objects.filter(current_on(TODAY)).values("child")
        allocated = Allocation.objects.filter(current_on(TODAY), kind="social_worker")
        assert children.exclude(pk__in=on_roll).count() == 0
        assert children.exclude(pk__in=placed).count() == 0
        assert children.exclude(pk__in=allocated.values("child")).count() == 0
        # Some children go to school in another authority's area.
        assert (
            Enrolment.objects.filter(current_on(TODAY))
            .exclude(school__la_code=F("local_authority__code"))
            .exists()
        )
