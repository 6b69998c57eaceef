"""Demo PEPs for `manage.py seed_demo`: for every child in care since before last term's
PEP meeting, last term's finalised PEP (sections, attainment, targets, actions), so that the
deadlines their history created were met as a real authority's would have been; for some of
them (``per_authority``), this term's PEP in progress, started from it.

Sections read as a real PEP would: the finalised PEP's sections were written by the designated
teacher or the social worker, each on its own day; the PEP in progress is as ``pep_start``
leaves it (the sections that carry forward hold last term's text, nobody has changed any
section yet). Children new to care, and those whose school or placement changed since, keep
their open deadlines: a realistic few, recent, some overdue.

Idempotent: a child who already has a PEP is left alone."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model

from children.models import Child, Enrolment, current_on
from children.stages import academic_year_label, key_stage, national_curriculum_year
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.models import Membership
from epep.tenancy.roles import Role
from peps import scales
from peps.models import Action, AttainmentEntry, Kind, Pep, PepSection, Status, Target, Transition
from peps.sections import SECTIONS
from peps.services import term_for

CONTENT = {
    "education": {
        "attendance_percent": "94.2",
        "sessions_missed": "9",
        "exclusions": "None this term.",
        "full_time": "yes",
        "ehcp_link": "",
    },
    "achievements": {"text": "Settled well into the new class; proud of a science project."},
    "needs": {
        "learning": "Reading comprehension below age expectations; needs time to process "
        "instructions.",
        "semh": "Anxious at transitions between lessons.",
        "attachment": "Benefits from a consistent key adult.",
    },
    "support": {
        "catch_up": "Small-group reading three times a week.",
        "transition": "",
        "early_years": "",
        "attendance_behaviour": "Morning check-in with the key adult.",
    },
    "aspirations": {"aspirations": "Wants to work with animals.", "careers": "", "money": ""},
    "activities": {"text": "Swimming club on Saturdays; enjoys drawing."},
    "child_views": {
        "views": "I like art and my teacher helps me with reading.",
        "absent_reason": "",
    },
    "carer_views": {
        "settling": "Settled; gets on well with the other children at home.",
        "school": "More confident this term; homework routine is working.",
    },
    "social_worker_views": {"text": "Placement stable; education is a strength of the plan."},
    "designated_teacher_views": {"text": "Good progress; keep the reading group going."},
}

#: Sections the social worker writes up; the designated teacher writes the rest.
SOCIAL_WORKER_SECTIONS = {"child_views", "carer_views", "social_worker_views"}
#: Last term's PEP meeting, this many days before it was finalised.
MEETING_BEFORE_FINALISED = 14


def _previous_term(day: date) -> tuple[str, str]:
    earlier = day - timedelta(days=120)
    return academic_year_label(earlier), term_for(earlier)


def _make_pep(
    child, *, school, author, year, term, status, finalised_at=None, previous=None, teacher=None
):
    nc_year = national_curriculum_year(child.date_of_birth, clock.today())
    try:
        stage = key_stage(nc_year)
    except ValueError:
        stage = ""
    pep = Pep.objects.create(
        local_authority_id=child.local_authority_id,
        child=child,
        academic_year=year,
        term=term,
        kind=Kind.TERMLY,
        school=school,
        year_group=nc_year,
        key_stage=stage,
        meeting_date=(
            (finalised_at.date() - timedelta(days=MEETING_BEFORE_FINALISED))
            if finalised_at
            else None
        ),
        status=status,
        previous=previous,
        created_by=author,
        finalised_at=finalised_at,
    )
    full = status == Status.FINALISED
    if full:
        # Written up before the meeting, a section or two a day, by whoever owns each.
        written = finalised_at - timedelta(days=MEETING_BEFORE_FINALISED + len(SECTIONS) // 2)
        sections = [
            PepSection(
                local_authority_id=pep.local_authority_id,
                pep=pep,
                key=s.key,
                data=CONTENT[s.key],
                version=1,
                updated_at=written + timedelta(days=i // 2, hours=i % 2 * 3),
                updated_by=author if s.key in SOCIAL_WORKER_SECTIONS else (teacher or author),
            )
            for i, s in enumerate(SECTIONS)
        ]
    else:
        # As peps.services.pep_start leaves it: the sections that carry forward hold last
        # term's text, and nobody has changed any section yet.
        old = {x.key: x.data for x in previous.sections.all()} if previous else {}
        sections = [
            PepSection(
                local_authority_id=pep.local_authority_id,
                pep=pep,
                key=s.key,
                data=dict(old.get(s.key, {})) if s.carried_forward else {},
            )
            for s in SECTIONS
        ]
    PepSection.objects.bulk_create(sections)
    scale = [value for value, _ in scales.SCALES.get(stage, ())]
    AttainmentEntry.objects.bulk_create(
        AttainmentEntry(
            local_authority_id=pep.local_authority_id,
            pep=pep,
            subject=subject,
            baseline=scale[min(2, len(scale) - 1)] if scale else "",
            current=(scale[min(1, len(scale) - 1)] if scale else "") if full else "",
            target=scale[0] if scale else "",
            position=i,
        )
        for i, subject in enumerate(scales.default_subjects(stage))
    )
    return pep


def _designated_teacher(school):
    """The school's first designated teacher (the demo's), or None."""
    if school is None:
        return None
    membership = (
        Membership.objects.filter(role=Role.DESIGNATED_TEACHER, school=school)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def seed_demo_peps(*, per_authority: int = 8) -> dict[str, int]:
    today = clock.today()
    counts = {"finalised": 0, "in_progress": 0}
    User = get_user_model()
    finalised_at = clock.now() - timedelta(days=60)
    meeting = finalised_at.date() - timedelta(days=MEETING_BEFORE_FINALISED)
    with all_authorities_context():
        children = (
            Child.objects.filter(peps__isnull=True, entered_care_on__lt=meeting)
            .select_related("local_authority")
            .order_by("local_authority__code", "legal_last_name", "pk")
        )
        # PEPs in progress already there count towards each authority's share, so a
        # second run creates nothing.
        taken: dict[int, int] = {}
        for la_id in Pep.objects.exclude(status=Status.FINALISED).values_list(
            "local_authority_id", flat=True
        ):
            taken[la_id] = taken.get(la_id, 0) + 1
        for child in children:
            enrolment = (
                Enrolment.objects.filter(current_on(today), child=child)
                .select_related("school")
                .first()
            )
            slug = child.local_authority.name.lower()
            author = User.objects.filter(email=f"sw@{slug}.demo.epep.invalid").first()
            vs = User.objects.filter(email=f"vso@{slug}.demo.epep.invalid").first()
            if author is None or vs is None:
                continue
            school = enrolment.school if enrolment else None
            year, term = _previous_term(today)
            old = _make_pep(
                child,
                school=school,
                author=author,
                year=year,
                term=term,
                status=Status.FINALISED,
                finalised_at=finalised_at,
                teacher=_designated_teacher(school),
            )
            for i, (text, measure) in enumerate(
                [
                    ("Read a chapter book independently", "Reading age up six months"),
                    ("Join one after-school club", "Attends at least 8 of 10 sessions"),
                ]
            ):
                Target.objects.create(
                    local_authority_id=child.local_authority_id,
                    pep=old,
                    description=text,
                    success_measure=measure,
                    responsible="Designated teacher",
                    due_date=finalised_at.date() + timedelta(days=70 + i),
                    strategy="Weekly check-in with the key adult",
                    expected_outcome="More confidence in class",
                    ppplus_cost_pence=45000 if i == 0 else None,
                )
            Action.objects.create(
                local_authority_id=child.local_authority_id,
                pep=old,
                description="Share the reading plan with the carer",
                owner="Designated teacher",
                due_date=finalised_at.date() + timedelta(days=7),
            )
            for source, target in (
                ("draft", "meeting_held"),
                ("meeting_held", "submitted"),
                ("submitted", "approved"),
                ("approved", "finalised"),
            ):
                Transition.objects.create(
                    local_authority_id=child.local_authority_id,
                    pep=old,
                    from_status=source,
                    to_status=target,
                    by=vs if target in ("approved", "finalised") else author,
                    role="vs_officer" if target in ("approved", "finalised") else "social_worker",
                )
            counts["finalised"] += 1
            if enrolment is None or taken.get(child.local_authority_id, 0) >= per_authority:
                continue
            taken[child.local_authority_id] = taken.get(child.local_authority_id, 0) + 1
            _make_pep(
                child,
                school=enrolment.school,
                author=author,
                year=academic_year_label(today),
                term=term_for(today),
                status=Status.DRAFT,
                previous=old,
            )
            counts["in_progress"] += 1
    return counts
