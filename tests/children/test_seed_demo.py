"""manage.py seed_demo: idempotent, realistic, and usable for every role."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from calendars.models import SchoolTerm
from children import stages
from children.identifiers import is_valid_uln, is_valid_upn
from children.models import (
    Allocation,
    Child,
    Enrolment,
    Placement,
    PlacementCarer,
    School,
    current_on,
)
from children.permissions import resolve_actor
from children.selectors import children_for
from demo import children as demo
from epep.audit.models import AuditEvent
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.models import LocalAuthority, Membership
from epep.tenancy.roles import SCHOOL_ROLES, Role

from ..factories import ready_for_work

ALL_KEY_STAGES = {"EYFS", "KS1", "KS2", "KS3", "KS4", "Post-16"}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    with all_authorities_context():
        return {
            "authorities": LocalAuthority.objects.count(),
            "schools": School.objects.count(),
            "children": Child.objects.count(),
            "enrolments": Enrolment.objects.count(),
            "placements": Placement.objects.count(),
            "placement_carers": PlacementCarer.objects.count(),
            "allocations": Allocation.objects.count(),
            "memberships": Membership.objects.count(),
            "terms": SchoolTerm.objects.count(),
            "users": get_user_model().objects.filter(email__endswith=demo.DEMO_DOMAIN).count(),
            "audit_events": AuditEvent.objects.count(),
        }


#: The day the demo is seeded on in these tests (autumn term 2026-27): the demo's dates
#: follow the project clock.
SEED_DAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker) -> str:
    """The demo seeded once for every test of this module that starts from it (a seed
    takes ~25 s): inside a transaction rolled back when the module is done. Each test runs
    in a savepoint of it (pytest-django's ``db``), so what one test changes the next never
    sees."""
    with django_db_blocker.unblock(), clock.travel(SEED_DAY), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db, clock_at) -> str:
    clock_at(SEED_DAY)
    return _seeded_once


@pytest.mark.django_db
def test_running_again_in_a_later_academic_year_creates_no_duplicates(seeded):
    """UPNs (the children's natural key) do not depend on the day the command runs."""
    before = snapshot()
    later = clock.today() + timedelta(days=400)
    report = demo.seed_demo(today=later)
    # Only that year's term dates are new (entered as the authorities would).
    assert +report.created == Counter(terms=18), report.created
    after = snapshot()
    assert after.pop("terms") == before.pop("terms") + 18
    assert after == before


@pytest.mark.django_db
def test_authorities_carry_their_own_pep_policy(seeded):
    settings = {
        la.code: (la.name, la.virtual_school_name, la.first_pep_limit, la.first_pep_unit,
                  la.review_cadence, la.max_targets_per_term)
        for la in LocalAuthority.objects.all()
    }  # fmt: skip
    assert settings == {
        "886": ("Kent", "Kent Virtual School", 10, "working_days", "six_monthly", 4),
        "343": ("Sefton", "Sefton Virtual School", 10, "working_days", "termly", 4),
        "210": ("Southwark", "Southwark Virtual School", 20, "school_days", "six_monthly", 4),
    }


@pytest.mark.django_db
def test_published_term_dates_come_from_the_csv_and_this_years_are_marked_as_entered(seeded):
    with all_authorities_context():
        terms = Counter(
            (t.local_authority.code, t.academic_year, t.source == demo.ENTERED_TERMS_SOURCE)
            for t in SchoolTerm.objects.select_related("local_authority")
        )
        first_kent = SchoolTerm.objects.get(
            local_authority__code="886", academic_year="2025-26", name="Term 1"
        )
        southwark = list(
            SchoolTerm.objects.filter(local_authority__code="210").values_list("name", flat=True)
        )
    assert terms == {
        ("886", "2024-25", False): 6,
        ("886", "2025-26", False): 6,
        ("343", "2024-25", False): 6,
        # No published 2026-27 dates in the reference data: entered, and marked so.
        ("886", "2026-27", True): 6,
        ("343", "2026-27", True): 6,
        ("210", "2026-27", True): 6,
    }
    assert (first_kent.start_date, first_kent.end_date) == (date(2025, 9, 1), date(2025, 10, 17))
    assert first_kent.source == "KENT-SCHOOLS-2025"
    assert southwark[0] == "Autumn 1"
    assert (
        "Term dates, Southwark: 2026-27 (entered by the authority; the published dates are not "
        "in the reference data)." in seeded
    )
    assert "Term dates, Kent: 2024-25, 2025-26 (published); 2026-27 (entered" in seeded


@pytest.mark.django_db
def test_every_key_stage_is_represented_in_every_authority(seeded):
    today = clock.today()
    with all_authorities_context():
        children = list(Child.objects.select_related("local_authority"))
    stages_by_la: dict[str, set[str]] = {}
    years = Counter()
    for child in children:
        year = stages.national_curriculum_year(child.date_of_birth, today)
        years[year] += 1
        stages_by_la.setdefault(child.local_authority.code, set()).add(stages.key_stage(year))
    assert stages_by_la == {"886": ALL_KEY_STAGES, "343": ALL_KEY_STAGES, "210": ALL_KEY_STAGES}
    assert Counter(c.local_authority.code for c in children) == {"886": 20, "343": 20, "210": 20}
    # Nursery and reception, and both post-16 years, in each authority.
    assert years[-1] == 3 and years[0] == 3 and years[12] == 6 and years[13] == 3


@pytest.mark.django_db
def test_the_shared_school_has_children_of_two_authorities_on_roll_and_no_other_does(seeded):
    today = clock.today()
    with all_authorities_context():
        current = list(
            Enrolment.objects.filter(current_on(today)).select_related("school", "local_authority")
        )
    by_school: dict[str, Counter] = {}
    for enrolment in current:
        by_school.setdefault(enrolment.school.urn, Counter())[enrolment.local_authority.code] += 1
    assert by_school[demo.SHARED_SCHOOL_URN] == {"886": 4, "210": 3}
    assert [urn for urn, las in by_school.items() if len(las) > 1] == [demo.SHARED_SCHOOL_URN]
    # Two children have no school place; everyone else is on roll somewhere.
    assert len(current) == 58
    assert len({e.child_id for e in current}) == 58


@pytest.mark.django_db
def test_every_role_has_a_user_in_each_authority(seeded):
    today = clock.today()
    with all_authorities_context():
        memberships = list(
            Membership.objects.select_related("user", "local_authority", "school", "child")
        )
        schools_by_la: dict[int, set[int]] = {}
        for enrolment in Enrolment.objects.filter(current_on(today)):
            schools_by_la.setdefault(enrolment.local_authority_id, set()).add(enrolment.school_id)
        for la in LocalAuthority.objects.all():
            for role in Role:
                if role in SCHOOL_ROLES:
                    holders = [
                        m for m in memberships
                        if m.role == role and m.school_id in schools_by_la[la.pk]
                    ]  # fmt: skip
                else:
                    holders = [
                        m for m in memberships if m.role == role and m.local_authority_id == la.pk
                    ]
                assert holders, f"no {role.label} for {la.name}"
            young = [
                m for m in memberships if m.role == Role.YOUNG_PERSON and m.local_authority == la
            ]
            assert len(young) == 1
            assert young[0].child.local_authority_id == la.pk
            assert 7 <= young[0].child.year_group(today) <= 11  # secondary age
            assert young[0].user.email == f"yp@{la.name.lower()}.{demo.DEMO_DOMAIN}"
        shared_dt = [m for m in memberships if m.user.email == demo.SHARED_DT_EMAIL]
        assert [(m.role, m.school.urn, m.local_authority.code) for m in shared_dt] == [
            (Role.DESIGNATED_TEACHER, demo.SHARED_SCHOOL_URN, "886")
        ]
        # Both authorities with children there have said yes.
        assert {(e.local_authority.code, e.state) for e in shared_dt[0].endorsements.all()} == {
            ("886", "endorsed"),
            ("210", "endorsed"),
        }
        # Every school role is recorded by the authority the school stands in.
        assert all(
            m.local_authority.code == m.school.la_code
            for m in memberships
            if m.role in SCHOOL_ROLES
        )
    admin = get_user_model().objects.get(email=demo.ADMIN_EMAIL)
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password(demo.DEMO_PASSWORD)


@pytest.mark.django_db
def test_identifiers_are_valid(seeded):
    today = clock.today()
    with all_authorities_context():
        children = list(Child.objects.select_related("local_authority"))
    assert all(is_valid_upn(c.upn) for c in children)
    assert all(c.upn[1:4] == c.local_authority.code for c in children)
    assert sum(c.is_temporary_upn for c in children) == 2
    post16 = [c for c in children if c.year_group(today) >= 12]
    assert len(post16) == 9
    assert all(is_valid_uln(c.uln) for c in post16)
    assert all(c.uln == "" for c in children if c not in post16)


@pytest.mark.django_db
def test_the_mix_of_children_is_realistic(seeded):
    today = clock.today()
    with all_authorities_context():
        children = list(Child.objects.all())
        caseload = Counter(
            a.worker.email
            for a in Allocation.objects.filter(current_on(today), kind=Role.SOCIAL_WORKER)
        )
        whitfields = Placement.objects.filter(
            current_on(today), carer_links__user__email=f"carer@kent.{demo.DEMO_DOMAIN}"
        ).distinct()
        whitfield_children = [p.child for p in whitfields]
        whitfield_carers = {link.user.email for p in whitfields for link in p.carer_links.all()}
        personal_advisers = Allocation.objects.filter(
            current_on(today), kind=Role.PERSONAL_ADVISER
        ).count()
    assert Counter(c.legal_status for c in children) == {"C2": 46, "C1": 5, "V2": 6, "E1": 3}
    assert Counter(c.sen_status for c in children) == {"none": 29, "sen_support": 17, "ehcp": 14}
    assert all(c.ehcp_review_date for c in children if c.sen_status == "ehcp")
    uasc = [c for c in children if c.is_uasc]
    assert sorted(c.first_language for c in uasc) == [
        "Arabic", "Kurdish", "Pashto", "Tigrinya", "Tigrinya"
    ]  # fmt: skip
    recent = [c for c in children if (today - c.entered_care_on) <= timedelta(days=14)]
    assert len(recent) == 6
    for la in ("kent", "sefton", "southwark"):
        assert caseload[f"sw@{la}.{demo.DEMO_DOMAIN}"] == 16
        assert caseload[f"sw2@{la}.{demo.DEMO_DOMAIN}"] == 4
    assert personal_advisers == 9
    # The two-carer household fosters a brother and sister.
    assert len(whitfield_children) == 2
    assert len({c.legal_last_name for c in whitfield_children}) == 1
    assert whitfield_carers == {
        f"carer@kent.{demo.DEMO_DOMAIN}",
        f"carer.mark.whitfield@kent.{demo.DEMO_DOMAIN}",
    }


@pytest.mark.django_db
def test_output_lists_every_demo_sign_in(seeded):
    assert "Demo sign-ins (password for all: demo-password-1234)" in seeded
    emails = list(
        get_user_model()
        .objects.filter(email__endswith=demo.DEMO_DOMAIN)
        .values_list("email", flat=True)
    )
    assert len(emails) == 71
    for email in emails:
        assert email in seeded
    assert "In the database: 3 authorities, 16 schools, 60 children" in seeded
    assert "36 terms" in seeded


@pytest.mark.django_db
def test_the_shared_schools_designated_teacher_sees_children_of_two_authorities(seeded):
    user = get_user_model().objects.get(email=demo.SHARED_DT_EMAIL)
    with transaction.atomic():
        actor = resolve_actor(user)
        children = list(children_for(actor=actor))
    assert actor.role == Role.DESIGNATED_TEACHER
    assert Counter(c.local_authority.code for c in children) == {"886": 4, "210": 3}
    assert {c.current_school_urn for c in children} == {demo.SHARED_SCHOOL_URN}


@pytest.mark.django_db
def test_the_demo_social_worker_sees_exactly_their_caseload(seeded):
    user = get_user_model().objects.get(email=f"sw@sefton.{demo.DEMO_DOMAIN}")
    with transaction.atomic():
        actor = resolve_actor(user)
        children = list(children_for(actor=actor))
    assert len(children) == 16
    assert {c.local_authority.code for c in children} == {"343"}


@pytest.mark.parametrize(
    "today",
    [date(2026, 9, 1), date(2026, 11, 22), date(2027, 2, 28), date(2027, 8, 31), date(2029, 3, 1)],
)
def test_the_plan_is_deterministic_and_year_groups_follow_todays_academic_year(today):
    plan = demo.build_plan(today)
    again = demo.build_plan(today)
    assert plan == again
    assert len({c.upn for c in plan.children}) == 60
    for child in plan.children:
        assert stages.national_curriculum_year(child.date_of_birth, today) == child.spec.year
        assert child.date_of_birth <= child.entered_care_on <= today
        for record in child.enrolments + child.placements + child.allocations:
            assert record.start <= today
            assert record.end is None or record.start < record.end <= today
        if child.spec.year == 13 and (today.month, today.day) != (8, 31):
            assert child.date_of_birth > today.replace(year=today.year - 18)  # still under 18


@pytest.mark.django_db
def test_demo_peps_last_term_finalised_this_term_in_progress_and_created_once(seeded):
    from allauth.mfa.models import Authenticator

    from epep.accounts.models import User
    from peps.models import Pep

    # Everyone in care since before last term's meeting had a PEP then.
    assert "Demo PEPs created now: 53 finalised last term, 24 in progress this term." in seeded
    again = seed()
    assert "Demo PEPs created now: 0 finalised last term, 0 in progress this term." in again
    with all_authorities_context():
        open_peps = list(Pep.objects.exclude(status="finalised").select_related("previous"))
        assert len(open_peps) == 24
        assert all(p.previous is not None and p.previous.status == "finalised" for p in open_peps)
        assert Pep.objects.filter(status="finalised").count() == 53
    from epep.accounts.context import account_context

    demo_users = User.objects.filter(email__endswith=".demo.epep.invalid")
    assert demo_users.exists()
    for user in demo_users:  # each readable in its own context only (epep.accounts.context)
        with account_context(user_id=user.pk):
            assert Authenticator.objects.filter(user=user, type="totp").count() == 1
    assert "authenticator key EPEPDEMO" in seeded


def _changed_line(page: str, key: str) -> str:
    """The 'Last changed' line of one section on the PEP page."""
    match = re.search(rf'data-testid="changed-{key}">\s*(.*?)\s*</p>', page, re.S)
    assert match, f"no changed-line for {key}"
    return match.group(1)


@pytest.mark.django_db
def test_the_shared_school_has_a_second_designated_teacher_to_delegate_to(seeded):
    from children.services import child_access_delegate

    with all_authorities_context():
        teachers = Membership.objects.filter(
            role=Role.DESIGNATED_TEACHER, school__urn=demo.SHARED_SCHOOL_URN
        ).select_related("user")
        assert sorted(m.user.email for m in teachers) == sorted(
            [demo.SHARED_DT_EMAIL, demo.SHARED_DT2_EMAIL]
        )
        colleague = get_user_model().objects.get(email=demo.SHARED_DT2_EMAIL)
        # Both authorities with children there have allowed the colleague too.
        second = next(m for m in teachers if m.user == colleague)
        assert {(e.local_authority.code, e.state) for e in second.endorsements.all()} == {
            ("886", "endorsed"),
            ("210", "endorsed"),
        }
    assert demo.SHARED_DT2_EMAIL in seeded
    user = get_user_model().objects.get(email=demo.SHARED_DT_EMAIL)
    with transaction.atomic():
        actor = resolve_actor(user)
        child = next(c for c in children_for(actor=actor) if c.local_authority.code == "210")
        grant = child_access_delegate(
            actor=actor,
            child=child,
            colleague=colleague,
            reason="Covering while I am on a course",
            expires_on=clock.today() + timedelta(days=30),
        )
    assert grant.user_id == colleague.pk


@pytest.mark.django_db
def test_sections_nobody_has_touched_say_so_on_the_pep_page(seeded, client):
    from peps.models import Pep

    with all_authorities_context():
        pep = (
            Pep.objects.exclude(status="finalised")
            .filter(local_authority__code="886")
            .select_related("previous__school")
            .first()
        )
        previous = pep.previous
    user = get_user_model().objects.get(email=f"vso@kent.{demo.DEMO_DOMAIN}")
    ready_for_work(user, [Role.VS_OFFICER])
    client.force_login(user)
    response = client.get(f"/peps/{pep.public_id}/")
    assert response.status_code == 200, response.get("Location")
    page = response.content.decode()
    # This term's PEP: nobody has changed a section yet, carried forward or not.
    assert _changed_line(page, "education") == "Not filled in yet; nobody has changed it"
    assert (
        _changed_line(page, "activities")
        == "Carried forward from the last PEP; nobody has changed it yet"
    )
    assert "Last changed by" not in page
    # Last term's finalised PEP: each section by whoever wrote it.
    page = client.get(f"/peps/{previous.public_id}/").content.decode()
    assert _changed_line(page, "social_worker_views").startswith("Last changed by Amara Nwosu on")
    assert _changed_line(page, "designated_teacher_views").startswith("Last changed by ")
    assert "Amara Nwosu" not in _changed_line(page, "designated_teacher_views")
