"""The form of a PEP follows the child's stage: early years (nursery and reception),
school age (Years 1 to 11) or post-16 (Year 12 and up). Its sections, and what must be
filled in before it is submitted, follow the form; the designated teacher may choose
another form while the PEP is open."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps import permissions, services
from peps.models import Pep, PepSection
from peps.sections import EARLY_YEARS_SECTIONS, POST_16_SECTIONS, SECTIONS, sections_for
from peps.services import StaleState
from peps.variants import variant_on

from .conftest import acting
from .test_cycle import fill, finalise, start

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 7)  # autumn term of 2026-27: year groups count from 31 August 2026


@pytest.mark.parametrize(
    ("born", "day", "variant"),
    [
        # two and a term: turned 2 in June, funded early education from September
        (date(2024, 6, 1), DAY, "early_years"),
        (date(2022, 10, 1), DAY, "early_years"),  # nursery
        (date(2021, 10, 1), DAY, "early_years"),  # reception
        (date(2021, 9, 1), DAY, "early_years"),  # the youngest in reception
        (date(2021, 8, 31), DAY, "school_age"),  # the youngest in Year 1
        (date(2020, 10, 1), DAY, "school_age"),  # Year 1
        (date(2010, 10, 1), DAY, "school_age"),  # Year 11
        (date(2010, 9, 1), DAY, "school_age"),  # the youngest in Year 11
        (date(2010, 8, 31), DAY, "post_16"),  # the youngest in Year 12
        (date(2009, 10, 1), DAY, "post_16"),  # Year 13
        (date(2007, 10, 1), DAY, "post_16"),  # past Year 13
        # the same child on the last day of Year 11 and the first of Year 12
        (date(2010, 10, 1), date(2027, 8, 31), "school_age"),
        (date(2010, 10, 1), date(2027, 9, 1), "post_16"),
        # and on the last day of reception and the first of Year 1
        (date(2021, 10, 1), date(2027, 8, 31), "early_years"),
        (date(2021, 10, 1), date(2027, 9, 1), "school_age"),
    ],
)
def test_the_form_follows_the_year_group(born, day, variant):
    assert variant_on(born, day) == variant


def born_on(world, day):
    with all_authorities_context():
        world.a.child.__class__.objects.filter(pk=world.a.child.pk).update(
            date_of_birth=day, entered_care_on=max(day, world.a.child.entered_care_on)
        )
        world.a.child.refresh_from_db()


def keys(pep):
    with all_authorities_context():
        return set(PepSection.objects.filter(pep=pep).values_list("key", flat=True))


def missing(pep):
    with all_authorities_context():
        pep = Pep.objects.get(pk=pep.pk)
        return services.pep_completeness(pep)


def fresh(pep):
    with all_authorities_context():
        return Pep.objects.get(pk=pep.pk)


def test_an_existing_pep_and_a_school_age_child_keep_the_school_form(world, clock_at):
    clock_at(DAY)
    pep = start(world)
    assert pep.variant == "school_age"
    assert keys(pep) == {s.key for s in SECTIONS}
    problems = " ".join(missing(pep))
    assert "Education details: Attendance this term (%) is missing." in problems
    assert "setting" not in problems and "bursary" not in problems


def test_a_reception_child_gets_the_early_years_form(world, clock_at):
    clock_at(DAY)
    born_on(world, date(2021, 10, 1))
    pep = start(world)
    assert pep.variant == "early_years"
    assert {s.key for s in EARLY_YEARS_SECTIONS} <= keys(pep)
    assert "education" not in keys(pep) and "aspirations" not in keys(pep)
    problems = missing(pep)
    assert "The early years setting: Name of the setting is missing." in problems
    assert (
        "EYFS prime areas of learning: Communication and language: where the child is "
        "is missing." in problems
    )
    assert "Early years pupil premium: How the early years pupil premium is used is missing." in (
        problems
    )
    text = " ".join(problems)
    assert "Education details" not in text and "Aspirations" not in text
    # the progress check at two is not required (a child may join after it)
    assert "progress check" not in text


def test_a_year_12_young_person_gets_the_post_16_form(world, clock_at):
    clock_at(DAY)
    born_on(world, date(2010, 3, 1))
    pep = start(world)
    assert pep.variant == "post_16"
    assert {s.key for s in POST_16_SECTIONS} <= keys(pep)
    assert "education" not in keys(pep) and "activities" not in keys(pep)
    problems = " ".join(missing(pep))
    for title in (
        "Education, employment or training: Status is missing.",
        "Course and provider: Course, apprenticeship or job is missing.",
        "16 to 19 bursary: Bursary is missing.",
        "Careers guidance:",
        "Independent-living skills:",
        "The personal adviser's role:",
    ):
        assert title in problems
    assert "Education details" not in problems


def save(world, pep, key, data, role=Role.DESIGNATED_TEACHER):
    with acting(world.a.users[role]) as actor:
        with all_authorities_context():
            version = PepSection.objects.get(pep=pep, key=key).version
        return services.pep_section_save(
            actor=actor, pep=fresh(pep), key=key, data=data, base_version=version
        )


def test_a_post_16_pep_checks_the_uln_and_the_bursary(world, clock_at):
    clock_at(DAY)
    born_on(world, date(2010, 3, 1))
    pep = start(world)
    with pytest.raises(ValidationError) as error:
        save(
            world,
            pep,
            "p16_course",
            {
                "course": "A levels",
                "provider": "City College",
                "uln": "9276308680",
                "attendance_percent": "91",
            },
        )
    assert error.value.message_dict == {
        "uln": ["The last digit should be 6, not 0 — check the ULN was copied correctly."]
    }
    assert save(
        world,
        pep,
        "p16_course",
        {
            "course": "A levels",
            "provider": "City College",
            "uln": "9276308686",
            "attendance_percent": "91",
        },
    )
    with pytest.raises(ValidationError) as error:
        save(world, pep, "p16_bursary", {"status": "maybe"})
    assert list(error.value.message_dict) == ["status"]
    save(world, pep, "p16_bursary", {"status": "awarded", "use": "Travel and books"})
    problems = " ".join(missing(pep))
    assert "Course and provider" not in problems and "bursary" not in problems
    # the personal adviser writes their own part
    save(world, pep, "p16_personal_adviser", {"role": "Weekly check-ins"}, Role.PERSONAL_ADVISER)
    with pytest.raises(PermissionDenied):
        save(world, pep, "p16_personal_adviser", {"role": "x"}, Role.DESIGNATED_TEACHER)


def test_the_progress_check_date_must_be_a_real_date(world, clock_at):
    clock_at(DAY)
    born_on(world, date(2023, 10, 1))
    pep = start(world)
    with pytest.raises(ValidationError) as error:
        save(world, pep, "ey_progress_check", {"date": "31 2 2026", "summary": "On track"})
    assert error.value.message_dict == {
        "date": ["Date of the check must be a real date, like 27 3 2026."]
    }
    saved = save(world, pep, "ey_progress_check", {"date": "2 3 2026", "summary": "On track"})
    assert saved.data["date"] == "2 3 2026"
    # a school-age section is not part of an early-years PEP
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        with pytest.raises(ValidationError, match="There is no such section."):
            services.pep_section_save(
                actor=dt, pep=fresh(pep), key="education", data={}, base_version=0
            )


def change(world, pep, variant, role=Role.DESIGNATED_TEACHER, version=None):
    with acting(world.a.users[role]) as actor:
        pep = fresh(pep)
        return services.pep_variant_change(
            actor=actor,
            pep=pep,
            variant=variant,
            version=pep.state_version if version is None else version,
        )


def test_the_designated_teacher_changes_the_form_and_the_sections_follow(world, clock_at):
    clock_at(DAY)
    pep = start(world)
    save(world, pep, "needs", {"learning": "Speech and language delay"})
    version = fresh(pep).state_version
    changed = change(world, pep, "early_years")
    assert changed.variant == "early_years"
    assert changed.state_version == version + 1
    assert {s.key for s in sections_for("early_years")} <= keys(pep)
    problems = " ".join(missing(pep))
    assert "The early years setting" in problems and "Education details" not in problems
    # what was written stays: needs is in both forms
    assert "Needs and barriers" not in problems
    with all_authorities_context():
        event = AuditEvent.objects.filter(object_id=str(pep.public_id)).latest("pk")
    assert event.detail["variant"] == "early_years"
    assert event.detail["previous_variant"] == "school_age"
    # back to school age: the school sections are there again, with what they held
    change(world, pep, "school_age")
    assert "Education details" in " ".join(missing(pep))
    assert "Needs and barriers" not in " ".join(missing(pep))


def test_a_stale_form_change_changes_nothing(world, clock_at):
    clock_at(DAY)
    pep = start(world)
    old = fresh(pep).state_version
    change(world, pep, "post_16")
    with pytest.raises(StaleState):
        change(world, pep, "early_years", version=old)
    assert fresh(pep).variant == "post_16"


@pytest.mark.parametrize(
    ("role", "may"),
    [
        (Role.DESIGNATED_TEACHER, True),
        (Role.SOCIAL_WORKER, False),
        (Role.PERSONAL_ADVISER, False),
        (Role.CARER, False),
        (Role.VS_OFFICER, False),
    ],
)
def test_only_the_designated_teacher_changes_the_form(world, clock_at, role, may):
    clock_at(DAY)
    pep = start(world)
    with acting(world.a.users[role]) as actor:
        assert permissions.can_change_variant(actor, pep) is may
        assert permissions.pep_flags(actor, pep)["can_change_variant"] is may
    if may:
        assert change(world, pep, "post_16", role).variant == "post_16"
    else:
        with pytest.raises(PermissionDenied):
            change(world, pep, "post_16", role)
        assert fresh(pep).variant == "school_age"


def test_the_form_of_a_finalised_pep_cannot_change(world, clock_at):
    clock_at(DAY)
    pep = start(world)
    fill(world, pep)
    pep = finalise(world, pep)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as actor:
        assert permissions.pep_flags(actor, fresh(pep))["can_change_variant"] is False
    with pytest.raises(ValidationError):
        change(world, pep, "post_16")
    with pytest.raises(ValidationError):
        change(world, start(world), "sixth_form")


def test_the_pep_page_shows_the_form_and_the_designated_teacher_changes_it(client, world, clock_at):
    clock_at(DAY)
    pep = start(world)
    url = f"/peps/{pep.public_id}/"
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    page = client.get(url).content.decode()
    assert 'data-testid="pep-variant">School age<' in page
    assert "Change the form of this PEP" not in page
    assert client.post(url + "form/", {"variant": "post_16", "version": "1"}).status_code == 404

    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    page = client.get(url).content.decode()
    assert "Change the form of this PEP" in page
    version = fresh(pep).state_version
    response = client.post(url + "form/", {"variant": "", "version": str(version)})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="variant-errors"' in page
    assert 'id="variant-error"' in page and "Choose early years, school age or post-16." in page
    assert fresh(pep).variant == "school_age"

    response = client.post(url + "form/", {"variant": "post_16", "version": str(version)})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="pep-variant">Post-16<' in page
    assert "This PEP is now the post-16 form." in page
    assert 'id="section-p16_status"' in page and 'id="section-education"' not in page
    # a page opened before the change: refused with a clear message, nothing changes
    response = client.post(url + "form/", {"variant": "early_years", "version": str(version)})
    assert response.status_code == 302
    assert "has changed since you opened it" in client.get(url).content.decode()
    assert fresh(pep).variant == "post_16"
    # a section of another form cannot be saved through the page
    response = client.post(url + "sections/education/", {"education-base_version": "0"})
    assert response.status_code == 404


def test_a_section_of_another_form_cannot_be_asked_for_or_marked(client, world, clock_at):
    clock_at(DAY)
    pep = start(world)  # school age: no personal adviser's part
    key = "p16_personal_adviser"  # written by the personal adviser or social worker
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        with pytest.raises(ValidationError, match="There is no such section."):
            services.section_mark_not_obtained(
                actor=dt, pep=fresh(pep), section=key, reason="Not known"
            )
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    for page in ("not-obtained/", "ask/"):
        assert client.get(f"/peps/{pep.public_id}/sections/{key}/{page}").status_code == 404
    # the same section of a post-16 PEP is there to be asked for or marked
    change(world, pep, "post_16")
    for page in ("not-obtained/", "ask/"):
        assert client.get(f"/peps/{pep.public_id}/sections/{key}/{page}").status_code == 200


def test_the_history_offers_each_section_the_childs_peps_have_had(client, world, clock_at):
    clock_at(DAY)
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    history = f"/children/{world.a.child.public_id}/peps/"
    page = client.get(history).content.decode()
    assert "Education details" in page and "The early years setting" not in page
    change(world, pep, "early_years")
    page = client.get(history).content.decode()
    assert "The early years setting" in page and "Education details" not in page
    assert client.get(history.replace("peps/", "peps/sections/ey_setting/")).status_code == 200
