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
        fields=(Field("text", "The carer's views", kind="textarea", required=True),),
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

SECTION_BY_KEY = {section.key: section for section in SECTIONS}


def missing_fields(section: Section, data: dict) -> list[Field]:
    """Required fields of ``section`` left empty in ``data``."""
    return [f for f in section.fields if f.required and not str(data.get(f.name, "")).strip()]


def child_views_missing(data: dict) -> bool:
    """The child's views, or the reason they are absent, must be recorded."""
    return not (str(data.get("views", "")).strip() or str(data.get("absent_reason", "")).strip())
