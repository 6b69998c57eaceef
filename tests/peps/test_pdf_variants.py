"""The PDF of an early-years and of a post-16 PEP shows that form's sections and not the
school-age ones."""

from datetime import date

import pytest

from epep.tenancy.roles import Role
from peps import pdf

from .test_cycle import start
from .test_pdf import fresh, la_context, pdf_text
from .test_variants import born_on, change, save

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 7)


def text_of(pep, world):
    with la_context(world):
        return " ".join(pdf_text(pdf.render_pep_pdf(fresh(pep))))


def test_the_pdf_of_an_early_years_pep_shows_its_sections(world, clock_at):
    clock_at(DAY)
    born_on(world, date(2022, 10, 1))  # nursery
    pep = start(world)
    save(world, pep, "ey_setting", {"name": "Little Acorns Nursery", "funded_hours": "30"})
    save(
        world,
        pep,
        "ey_prime_areas",
        {"communication_now": "Uses two-word phrases", "communication_next": "Short sentences"},
    )
    save(world, pep, "ey_progress_check", {"date": "2 3 2026", "summary": "Speech a little behind"})
    text = text_of(pep, world)
    for shown in (
        "Form of PEP Early years",
        "The early years setting",
        "Little Acorns Nursery",
        "Funded hours per week 30",
        "EYFS prime areas of learning",
        "Communication and language: where the child is Uses two-word phrases",
        "Communication and language: next steps Short sentences",
        "EYFS specific areas of learning",
        "Expressive arts and design: next steps",
        "The progress check at age two",
        "Speech a little behind",
        "Early years pupil premium",
    ):
        assert shown in text, shown
    for hidden in ("Education details", "Aspirations and longer-term plans", "16 to 19 bursary"):
        assert hidden not in text, hidden


def test_the_pdf_of_a_post_16_pep_shows_its_sections(world, clock_at):
    clock_at(DAY)
    born_on(world, date(2009, 10, 1))  # Year 13
    pep = start(world)
    save(world, pep, "p16_status", {"status": "education", "destination": "University in 2027"})
    save(
        world,
        pep,
        "p16_course",
        {
            "course": "A levels in biology and chemistry",
            "provider": "City College",
            "uln": "9276308686",
            "attendance_percent": "92",
        },
    )
    save(world, pep, "p16_bursary", {"status": "awarded", "use": "Bus pass"})
    save(world, pep, "p16_personal_adviser", {"role": "Fortnightly"}, Role.PERSONAL_ADVISER)
    text = text_of(pep, world)
    for shown in (
        "Form of PEP Post-16",
        "Education, employment or training Status In education",
        "University in 2027",
        "Course and provider",
        "City College",
        "Unique learner number (ULN) 9276308686",
        "16 to 19 bursary Bursary Awarded",
        "Careers guidance",
        "Independent-living skills",
        "The personal adviser's role",
        "Fortnightly",
    ):
        assert shown in text, shown
    for hidden in ("Education details", "Out-of-school activities", "EYFS"):
        assert hidden not in text, hidden


def test_the_pdf_follows_a_change_of_form(world, clock_at):
    clock_at(DAY)
    pep = start(world)
    assert "Education details" in text_of(pep, world)
    change(world, pep, "post_16")
    text = text_of(pep, world)
    assert "Form of PEP Post-16" in text
    assert "Course and provider" in text and "Education details" not in text
