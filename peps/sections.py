"""The sections of a PEP, from the statutory guidance.

Pure data: no database. Everyone in the child's circle reads every section; who may
change each is ``peps.permissions.SECTION_EDITORS``. Each field is a named text (or
choice) stored in the section's JSON ``data``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    hint: str = ""
    kind: str = "text"  # text | textarea | choice | number | date | boolean
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[Field, ...] = ()
    #: copied into the next PEP as a starting point (stable content)
    carried_forward: bool = False
    #: must be filled in before the PEP can be submitted
    required: bool = True
    description: str = ""
    extra_fields: dict = field(default_factory=dict)


YES_NO = (("yes", "Yes"), ("no", "No"))

SECTIONS: tuple[Section, ...] = (
    Section(
        key="education",
        title="Education details",
        description="School, year group, SEN, attendance and exclusions this term.",
        fields=(
            Field(
                "attendance_percent",
                "Attendance this term (%)",
                kind="number",
                required=True,
                hint="For example, 94.5",
            ),
            Field("sessions_missed", "Sessions missed this term", kind="number", required=True),
            Field(
                "exclusions",
                "Suspensions and exclusions this term, with dates",
                kind="textarea",
                hint="Write 'None' if there were none.",
            ),
            Field(
                "sessions_possible",
                "Possible sessions this term",
                kind="number",
                hint="From the register: two sessions a day the school was open.",
            ),
            Field("suspensions", "Number of suspensions this term", kind="number"),
            Field(
                "permanently_excluded",
                "Was the child permanently excluded this term?",
                kind="choice",
                choices=YES_NO,
            ),
            Field(
                "full_time",
                "Is the child in full-time education?",
                kind="choice",
                choices=YES_NO,
                required=True,
            ),
            Field(
                "provision",
                "If not, what is the immediate provision?",
                kind="textarea",
                hint="Hours, where, and the plan to return to full-time education.",
            ),
            Field(
                "ehcp_link",
                "EHCP and other plans",
                kind="textarea",
                hint="How this PEP links to the EHCP or other plans, without repeating them.",
            ),
        ),
    ),
    Section(
        key="achievements",
        title="Achievements, progress and strengths",
        fields=(
            Field(
                "text",
                "What has the child achieved and what are they good at?",
                kind="textarea",
                required=True,
            ),
        ),
    ),
    Section(
        key="needs",
        title="Needs and barriers to learning",
        carried_forward=True,
        fields=(
            Field("learning", "Learning needs and barriers", kind="textarea", required=True),
            Field("semh", "Social, emotional and mental health (SEMH)", kind="textarea"),
            Field("attachment", "Attachment, trauma and developmental needs", kind="textarea"),
        ),
    ),
    Section(
        key="support",
        title="Support in place",
        carried_forward=True,
        fields=(
            Field("catch_up", "Catch-up and learning support", kind="textarea", required=True),
            Field(
                "transition",
                "Transition support (new school, phase change, return)",
                kind="textarea",
            ),
            Field("early_years", "Early years provision", kind="textarea"),
            Field("attendance_behaviour", "Attendance and behaviour support", kind="textarea"),
        ),
    ),
    Section(
        key="aspirations",
        title="Aspirations and longer-term plans",
        carried_forward=True,
        fields=(
            Field(
                "aspirations",
                "What does the child want to do in the future?",
                kind="textarea",
                required=True,
            ),
            Field(
                "careers",
                "Careers advice, further and higher education, work experience",
                kind="textarea",
            ),
            Field("money", "Money and savings", kind="textarea"),
        ),
    ),
    Section(
        key="activities",
        title="Out-of-school activities and interests",
        carried_forward=True,
        fields=(
            Field(
                "text",
                "Clubs, hobbies, study support and interests",
                kind="textarea",
                required=True,
            ),
        ),
    ),
    Section(
        key="child_views",
        title="My Voice: the child's views",
        description="In the child's own words where possible.",
        fields=(
            Field("views", "What the child says about school and their plan", kind="textarea"),
            Field(
                "absent_reason", "If the child's views are not recorded, why not?", kind="textarea"
            ),
        ),
    ),
    Section(
        key="carer_views",
        title="The carer's views",
        description="In the carer's own words, question by question.",
        fields=(
            Field(
                "settling",
                "How is the child settling at home?",
                kind="textarea",
                required=True,
            ),
            Field(
                "school",
                "How do they get on with school and homework?",
                kind="textarea",
                required=True,
            ),
            Field("going_well", "What is going well, and what are they proud of?", kind="textarea"),
            Field("worries", "Does anything worry you or them?", kind="textarea"),
            Field("helps", "What helps them learn and feel settled?", kind="textarea"),
            Field(
                "school_should_know", "Is there anything the school should know?", kind="textarea"
            ),
            # Views written as one text before the questions (issue 13), kept and shown.
            Field("text", "Anything else the meeting should know", kind="textarea"),
        ),
    ),
    Section(
        key="social_worker_views",
        title="The social worker's views",
        fields=(Field("text", "The social worker's views", kind="textarea", required=True),),
    ),
    Section(
        key="designated_teacher_views",
        title="The designated teacher's views",
        fields=(Field("text", "The designated teacher's views", kind="textarea", required=True),),
    ),
)


def _where_and_next(key: str, title: str, areas: tuple[tuple[str, str], ...]) -> Section:
    """An EYFS section: for each area, where the child is and their next steps."""
    fields: list[Field] = []
    for name, label in areas:
        fields.append(Field(f"{name}_now", f"{label}: where the child is", kind="textarea"))
        fields.append(Field(f"{name}_next", f"{label}: next steps", kind="textarea"))
    # the first area of each section must be written before the PEP can be submitted
    fields[0] = Field(fields[0].name, fields[0].label, kind="textarea", required=True)
    fields[1] = Field(fields[1].name, fields[1].label, kind="textarea", required=True)
    return Section(key=key, title=title, fields=tuple(fields))


#: The sections only an early-years PEP has (nursery and reception: the EYFS).
EARLY_YEARS_SECTIONS: tuple[Section, ...] = (
    Section(
        key="ey_setting",
        title="The early years setting",
        fields=(
            Field("name", "Name of the setting", required=True),
            Field(
                "funded_hours",
                "Funded hours per week",
                kind="number",
                required=True,
                hint="For example, 15 or 30",
            ),
        ),
    ),
    _where_and_next(
        "ey_prime_areas",
        "EYFS prime areas of learning",
        (
            ("communication", "Communication and language"),
            ("physical", "Physical development"),
            ("psed", "Personal, social and emotional development"),
        ),
    ),
    _where_and_next(
        "ey_specific_areas",
        "EYFS specific areas of learning",
        (
            ("literacy", "Literacy"),
            ("mathematics", "Mathematics"),
            ("world", "Understanding the world"),
            ("arts", "Expressive arts and design"),
        ),
    ),
    Section(
        key="ey_progress_check",
        title="The progress check at age two",
        required=False,
        fields=(
            Field("date", "Date of the check", kind="date", hint="For example, 27 3 2026"),
            Field("summary", "What the check found", kind="textarea"),
        ),
    ),
    Section(
        key="ey_pupil_premium",
        title="Early years pupil premium",
        fields=(
            Field(
                "use",
                "How the early years pupil premium is used",
                kind="textarea",
                required=True,
            ),
        ),
    ),
)

EET_STATUSES = (
    ("education", "In education"),
    ("training", "In training"),
    ("employment", "In employment"),
    ("neet", "Not in education, employment or training (NEET)"),
)
BURSARY_STATUSES = (
    ("awarded", "Awarded"),
    ("applied", "Applied for, not yet decided"),
    ("not_applied", "Not applied for"),
)

#: The sections only a post-16 PEP has (Year 12 and up).
POST_16_SECTIONS: tuple[Section, ...] = (
    Section(
        key="p16_status",
        title="Education, employment or training",
        fields=(
            Field("status", "Status", kind="choice", choices=EET_STATUSES, required=True),
            Field(
                "destination",
                "Destination and plan",
                kind="textarea",
                required=True,
                hint="Where the young person is heading, and the plan if they are NEET.",
            ),
        ),
    ),
    Section(
        key="p16_course",
        title="Course and provider",
        fields=(
            Field("course", "Course, apprenticeship or job", required=True),
            Field("provider", "College, provider or employer", required=True),
            Field(
                "uln",
                "Unique learner number (ULN)",
                hint="10 digits, from the provider",
            ),
            Field(
                "attendance_percent",
                "Attendance this term (%)",
                kind="number",
                required=True,
                hint="For example, 94.5",
            ),
        ),
    ),
    Section(
        key="p16_bursary",
        title="16 to 19 bursary",
        fields=(
            Field("status", "Bursary", kind="choice", choices=BURSARY_STATUSES, required=True),
            Field("use", "What it pays for", kind="textarea"),
        ),
    ),
    Section(
        key="p16_careers",
        title="Careers guidance",
        fields=(
            Field(
                "guidance",
                "Careers guidance received and planned",
                kind="textarea",
                required=True,
            ),
        ),
    ),
    Section(
        key="p16_independence",
        title="Independent-living skills",
        fields=(
            Field(
                "skills",
                "Skills for living independently: money, cooking, travel, health",
                kind="textarea",
                required=True,
            ),
        ),
    ),
    Section(
        key="p16_personal_adviser",
        title="The personal adviser's role",
        fields=(
            Field(
                "role",
                "How the personal adviser supports the young person's education",
                kind="textarea",
                required=True,
            ),
        ),
    ),
)

#: Every section any PEP can have. ``SECTIONS`` above are the school-age PEP's (and the
#: choices of ``PepSection.key``).
ALL_SECTIONS: tuple[Section, ...] = SECTIONS + EARLY_YEARS_SECTIONS + POST_16_SECTIONS
SECTION_BY_KEY = {section.key: section for section in ALL_SECTIONS}

_VIEWS = ("child_views", "carer_views", "social_worker_views", "designated_teacher_views")
#: Which sections each form of PEP has, in order (keys of ``peps.models.PepVariant``).
VARIANT_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "school_age": tuple(s.key for s in SECTIONS),
    "early_years": (
        *(s.key for s in EARLY_YEARS_SECTIONS),
        "needs",
        "support",
        "activities",
        *_VIEWS,
    ),
    "post_16": (
        *(s.key for s in POST_16_SECTIONS),
        "achievements",
        "needs",
        "support",
        "aspirations",
        *_VIEWS,
    ),
}


def sections_for(variant: str) -> tuple[Section, ...]:
    """The sections of a PEP of ``variant`` (school age if unknown), in order."""
    keys = VARIANT_SECTION_KEYS.get(variant, VARIANT_SECTION_KEYS["school_age"])
    return tuple(SECTION_BY_KEY[key] for key in keys)


def missing_fields(section: Section, data: dict) -> list[Field]:
    """Required fields of ``section`` left empty in ``data``."""
    return [f for f in section.fields if f.required and not str(data.get(f.name, "")).strip()]


def child_views_missing(data: dict) -> bool:
    """The child's views, or the reason they are absent, must be recorded."""
    return not (str(data.get("views", "")).strip() or str(data.get("absent_reason", "")).strip())
