"""The authority's PP+ policy, its grant and budget, and who is eligible for an
allocation."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epep.tenancy.actor import acting_as
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from funding.eligibility import age_on, in_care_during, is_eligible
from funding.models import ChildAllocation, PpBudget
from funding.services.budget import child_allocations_set, pp_grant_record
from funding.services.policy import pp_policy_publish, pp_policy_save
from tests.factories import ChildFactory

from .support import DAY, YEAR, budget, policy

VALUES = {
    "grant_rate_pence": 263000,
    "retention_percent": 10,
    "retention_funds": "Training for designated teachers; a tuition contract.",
    "release_model": "both",
    "termly_amount_pence": 62000,
    "child_year_cap_pence": 100000,
    "line_cap_pence": 60000,
    "transfer_rule": "pro_rata",
    "allowed_categories": ["tuition", "mentoring"],
    "summary": "£620 a term on an approved PEP; requests up to £600 tied to targets.",
}


def save(world, values, *, version=None, role=Role.VS_HEAD):
    with acting_as(world.a.users[role], role) as actor:
        return pp_policy_save(
            actor=actor,
            local_authority=world.a.la,
            financial_year=YEAR,
            values=values,
            version=version,
        )


@pytest.mark.django_db
def test_the_virtual_school_head_writes_and_publishes_the_years_policy(world, clock_at):
    clock_at(DAY)
    policy_row = save(world, VALUES)
    assert policy_row.version == 1 and policy_row.published_at is None
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        published = pp_policy_publish(actor=actor, policy=policy_row, version=1)
    assert published.published_at is not None and published.version == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"grant_rate_pence": None}, "grant_rate_pence", "grant per child"),
        ({"retention_pence": 1000}, "retention_percent", "an amount or a share"),
        ({"termly_amount_pence": None}, "termly_amount_pence", "released each term"),
        ({"release_model": "lottery"}, "release_model", "how PP+ is released"),
        ({"allowed_categories": ["yachts"]}, "allowed_categories", "yachts"),
        ({"line_cap_pence": 200000}, "line_cap_pence", "more than the most a child's"),
        ({"child_year_cap_pence": 300000}, "child_year_cap_pence", "more than the grant"),
    ],
)
def test_a_policy_that_does_not_hold_together_is_refused_beside_the_field(
    world, change, field, words
):
    with pytest.raises(ValidationError) as refused:
        save(world, {**VALUES, **change})
    assert words in refused.value.message_dict[field][0]


@pytest.mark.django_db
def test_a_change_made_on_an_old_copy_of_the_policy_is_refused(world):
    save(world, VALUES)
    save(world, {**VALUES, "line_cap_pence": 50000}, version=1)
    with pytest.raises(ValidationError, match="changed since you opened it"):
        save(world, {**VALUES, "line_cap_pence": 40000}, version=1)
    with all_authorities_context():
        from funding.models import PpPolicy

        assert PpPolicy.objects.get().line_cap_pence == 50000


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VS_OFFICER, Role.DESIGNATED_TEACHER, Role.SOCIAL_WORKER])
def test_only_the_head_or_an_la_administrator_writes_the_policy(world, role):
    with pytest.raises(PermissionDenied):
        save(world, VALUES, role=role)


def grant(world, stage, amount, *, role=Role.VS_HEAD):
    with acting_as(world.a.users[role], role) as actor:
        return pp_grant_record(
            actor=actor,
            local_authority=world.a.la,
            financial_year=YEAR,
            stage=stage,
            amount_pence=amount,
            received_on=date(2026, 6, 20),
        )


@pytest.mark.django_db
def test_the_provisional_grant_then_the_final_one_set_the_budget_less_what_is_kept(world):
    save(world, VALUES)  # 10 % kept centrally
    assert (grant(world, "provisional", 5_000_000).grant_pence, 5_000_000) == (5_000_000, 5_000_000)
    budget_row = grant(world, "final", 5_260_000)
    assert (budget_row.grant_pence, budget_row.retained_pence) == (5_260_000, 526_000)
    assert budget_row.remaining_pence == 4_734_000
    with pytest.raises(ValidationError) as refused:
        grant(world, "final", 5_300_000)
    assert "already recorded" in refused.value.message_dict["stage"][0]


@pytest.mark.django_db
def test_a_final_grant_below_what_is_already_committed_is_refused(world):
    budget(world.a.la, grant=1_000_000, committed=900_000)
    grant(world, "provisional", 1_000_000)
    with pytest.raises(ValidationError) as refused:
        grant(world, "final", 800_000)
    assert (
        "already kept centrally, committed and paid (£9,000)"
        in (refused.value.message_dict["amount_pence"][0])
    )
    with all_authorities_context():
        assert PpBudget.objects.get().grant_pence == 1_000_000


@pytest.mark.parametrize(
    ("born", "year", "age"),
    [(date(2016, 8, 31), 2026, 10), (date(2016, 9, 1), 2026, 9), (date(2012, 2, 29), 2026, 14)],
)
def test_age_on_31_august(born, year, age):
    assert age_on(born, date(year, 8, 31)) == age


@pytest.mark.parametrize(
    ("born", "periods", "eligible"),
    [
        (date(2016, 5, 1), [(date(2020, 1, 1), None)], True),
        # 4 on 31 August 2026 (reception): eligible; 3: early-years pupil premium instead.
        (date(2022, 8, 31), [(date(2024, 1, 1), None)], True),
        (date(2022, 9, 1), [(date(2024, 1, 1), None)], False),
        # 15 on 31 August: eligible; 16: not.
        (date(2011, 9, 1), [(date(2020, 1, 1), None)], True),
        (date(2010, 8, 31), [(date(2020, 1, 1), None)], False),
        # Looked after for one day of the year is enough; leaving on 1 April is not.
        (date(2016, 5, 1), [(date(2020, 1, 1), date(2026, 4, 2))], True),
        (date(2016, 5, 1), [(date(2020, 1, 1), date(2026, 4, 1))], False),
        (date(2016, 5, 1), [(date(2027, 3, 31), None)], True),
        (date(2016, 5, 1), [(date(2027, 4, 1), None)], False),
    ],
)
def test_eligibility_is_the_dfe_rule(born, periods, eligible):
    assert is_eligible(date_of_birth=born, periods=periods, financial_year=YEAR) is eligible


def test_a_period_ending_on_the_first_day_does_not_count_that_day():
    assert not in_care_during([(date(2020, 1, 1), date(2026, 4, 1))], date(2026, 4, 1), DAY)


@pytest.mark.django_db
def test_eligible_children_get_the_rate_less_the_share_kept_centrally(world, clock_at):
    clock_at(DAY)
    policy(world.a.la, retention_percent=10)
    too_young = ChildFactory(
        local_authority=world.a.la, date_of_birth=date(2023, 1, 1), entered_care_on=date(2024, 1, 1)
    )
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        count = child_allocations_set(actor=actor, local_authority=world.a.la, financial_year=YEAR)
    with all_authorities_context():
        allocations = dict(
            ChildAllocation.objects.filter(child__local_authority=world.a.la).values_list(
                "child_id", "allocated_pence"
            )
        )
    assert too_young.pk not in allocations
    assert count == len(allocations) >= 2
    assert set(allocations.values()) == {257000 - 25700}
