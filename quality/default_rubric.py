"""The rubric every authority starts with, built from the statutory guidance on PEPs
(Promoting the education of looked-after children, DfE 2018) and the criteria councils
publish, and the grade scales a Virtual School Head can pick when drafting a version.

Plain data: ``quality.services.rubrics`` builds the rows. Each criterion describes four
levels of quality (``BEST``, ``GOOD``, ``PARTIAL``, ``MISSING``); each grade of a scale
takes the descriptor of its level, so every grade of every scale has a descriptor.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import FundingRelease, RollUp

BEST, GOOD, PARTIAL, MISSING = "best", "good", "partial", "missing"


@dataclass(frozen=True)
class GradeSpec:
    label: str
    colour: str
    level: str
    funding: str
    min_score: int | None = None
    allowance: int | None = None
    #: counting: the label of the worst grade the allowed criteria may have
    allowance_floor: str | None = None


@dataclass(frozen=True)
class ScaleSpec:
    key: str
    name: str
    roll_up: str
    grades: tuple[GradeSpec, ...]  # best first


@dataclass(frozen=True)
class CriterionSpec:
    title: str
    weight: int
    guidance: str
    descriptors: dict[str, str]  # level -> text
    precheck: str = ""


@dataclass(frozen=True)
class SectionSpec:
    title: str
    pep_section: str
    criteria: tuple[CriterionSpec, ...]


RAG = ScaleSpec(
    key="rag",
    name="Red, Amber, Green (weighted score bands)",
    roll_up=RollUp.BANDS,
    grades=(
        GradeSpec("Green", "green", GOOD, FundingRelease.RELEASES, min_score=75),
        GradeSpec("Amber", "amber", PARTIAL, FundingRelease.BY_DECISION, min_score=50),
        GradeSpec("Red", "red", MISSING, FundingRelease.WITHHOLDS),
    ),
)

GOLD_GREEN_AMBER_RED = ScaleSpec(
    key="ggar",
    name="Gold, Green, Amber, Red (counting rule)",
    roll_up=RollUp.COUNTING,
    grades=(
        # Gold: every criterion gold except at most one, and that one green.
        GradeSpec(
            "Gold", "gold", BEST, FundingRelease.RELEASES, allowance=1, allowance_floor="Green"
        ),
        # Green: every criterion green or better except at most two, and those amber.
        GradeSpec(
            "Green", "green", GOOD, FundingRelease.RELEASES, allowance=2, allowance_floor="Amber"
        ),
        # Amber: at most two criteria red.
        GradeSpec("Amber", "amber", PARTIAL, FundingRelease.BY_DECISION, allowance=2),
        GradeSpec("Red", "red", MISSING, FundingRelease.WITHHOLDS),
    ),
)

OFSTED = ScaleSpec(
    key="ofsted",
    name="Outstanding, Good, Requires improvement, Inadequate (weighted score bands)",
    roll_up=RollUp.BANDS,
    grades=(
        GradeSpec("Outstanding", "blue", BEST, FundingRelease.RELEASES, min_score=85),
        GradeSpec("Good", "green", GOOD, FundingRelease.RELEASES, min_score=65),
        GradeSpec(
            "Requires improvement", "amber", PARTIAL, FundingRelease.BY_DECISION, min_score=40
        ),
        GradeSpec("Inadequate", "red", MISSING, FundingRelease.WITHHOLDS),
    ),
)

SCALES: dict[str, ScaleSpec] = {s.key: s for s in (RAG, GOLD_GREEN_AMBER_RED, OFSTED)}
DEFAULT_SCALE = RAG
SCALE_CHOICES = [(s.key, s.name) for s in SCALES.values()]

DEFAULT_NAME = "PEP quality rubric"


def _levels(best: str, good: str, partial: str, missing: str) -> dict[str, str]:
    return {BEST: best, GOOD: good, PARTIAL: partial, MISSING: missing}


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        title="The child's voice and aspirations",
        pep_section="child_views",
        criteria=(
            CriterionSpec(
                title="The child's voice is present and recent",
                weight=12,
                precheck="child_voice",
                guidance="The child's own views, gathered this term, in words they would "
                "recognise; for a young child or a child who does not speak, how they "
                "were sought.",
                descriptors=_levels(
                    "The child's own words, gathered this term, visibly shaped the targets "
                    "and support.",
                    "The child's own views, gathered this term, are recorded.",
                    "The child's views are recorded but are old, brief or in an adult's words.",
                    "No child's voice, or only a previous term's.",
                ),
            ),
            CriterionSpec(
                title="Aspirations are recorded and fit the child's age",
                weight=6,
                guidance="Hopes for the future in the child's terms: for a young child what "
                "they enjoy and want to get better at; for an older one, courses, careers "
                "and the steps towards them.",
                descriptors=_levels(
                    "Aspirations fit the child's age and are linked to targets and next steps.",
                    "Aspirations fit the child's age and are specific.",
                    "Aspirations are vague or copied from the last PEP.",
                    "No aspirations recorded.",
                ),
            ),
        ),
    ),
    SectionSpec(
        title="Attendance, exclusions and attainment",
        pep_section="education",
        criteria=(
            CriterionSpec(
                title="Attendance and exclusions are addressed",
                weight=10,
                precheck="attendance_support",
                guidance="Current attendance and any suspensions or exclusions, and the "
                "support in place where attendance is below 90 %.",
                descriptors=_levels(
                    "Attendance and exclusions are current, analysed, and any concern has "
                    "support with an owner and a review date.",
                    "Attendance and exclusions are current; support is recorded for any concern.",
                    "Attendance is recorded but a concern has no support recorded.",
                    "Attendance below 90 % with no support recorded, or no attendance at all.",
                ),
            ),
            CriterionSpec(
                title="Attainment is current and measured against a baseline",
                weight=10,
                guidance="This term's attainment in the core subjects against the baseline "
                "and the expected progress.",
                descriptors=_levels(
                    "This term's attainment, against the baseline and expected progress, "
                    "with what explains the difference.",
                    "This term's attainment against the baseline.",
                    "Attainment is out of date or has no baseline.",
                    "No attainment recorded.",
                ),
            ),
        ),
    ),
    SectionSpec(
        title="Targets, actions and PP+",
        pep_section="support",
        criteria=(
            CriterionSpec(
                title="Targets are SMART: specific, measurable, assigned, realistic, time-bound",
                weight=16,
                guidance="Each target says what will change, how it will be measured, who "
                "is responsible and by when; previous targets are evaluated.",
                descriptors=_levels(
                    "Every target is specific, measurable, assigned, realistic and "
                    "time-bound, and the previous targets are evaluated.",
                    "Targets are SMART.",
                    "Targets are vague, or miss how they are measured or by when.",
                    "No targets, or very weak targets.",
                ),
            ),
            CriterionSpec(
                title="Actions have owners and dates",
                weight=10,
                precheck="targets_owner_date",
                guidance="What will be done, by whom and by when: interventions say what, "
                "when, where, who and how often.",
                descriptors=_levels(
                    "Every action has an owner and a date and says how often it happens.",
                    "Every action has an owner and a date.",
                    "Some actions have no owner or no date.",
                    "Actions have no owners or dates.",
                ),
            ),
            CriterionSpec(
                title="PP+ costs are linked to targets",
                weight=12,
                precheck="ppplus_linked",
                guidance="Each line of Pupil Premium Plus spending is costed and tied to "
                "the target it supports.",
                descriptors=_levels(
                    "Every PP+ line is costed and tied to a target, with its expected impact.",
                    "Every PP+ line is costed and tied to a target.",
                    "PP+ is costed but some lines are not tied to a target.",
                    "No evidence of how PP+ will be used.",
                ),
            ),
        ),
    ),
    SectionSpec(
        title="Special educational needs and transitions",
        pep_section="needs",
        criteria=(
            CriterionSpec(
                title="The EHCP is linked where there is one",
                weight=6,
                guidance="Where the child has an education, health and care plan, its "
                "outcomes are reflected in the PEP's targets and the annual review date is "
                "recorded. Grade the best grade where there is no EHCP.",
                descriptors=_levels(
                    "The EHCP's outcomes are reflected in the targets and its review date "
                    "is recorded (or the child has no EHCP).",
                    "The EHCP is referred to and its review date recorded (or the child has "
                    "no EHCP).",
                    "The EHCP is mentioned but not linked to the targets.",
                    "The child has an EHCP and the PEP does not mention it.",
                ),
            ),
            CriterionSpec(
                title="A transition plan where the child changes school or phase",
                weight=8,
                guidance="Starting Reception, Year 7 or leaving Year 11, or a school move: "
                "who does what before and after, with dates. Grade the best grade where no "
                "change is due.",
                descriptors=_levels(
                    "A dated transition plan with owners, agreed with the next setting (or "
                    "no change is due).",
                    "A transition plan with dates (or no change is due).",
                    "A change is due but the plan has no dates or owners.",
                    "A change is due and there is no transition plan.",
                ),
            ),
        ),
    ),
    SectionSpec(
        title="The next meeting",
        pep_section="",
        criteria=(
            CriterionSpec(
                title="The next meeting's date and attendees are recorded",
                weight=10,
                precheck="next_meeting",
                guidance="Who attended this meeting, including the carer, and the date of "
                "the next one.",
                descriptors=_levels(
                    "The attendees, including the carer and the child where right, and the "
                    "next meeting's date are recorded.",
                    "The attendees and the next meeting's date are recorded.",
                    "The attendees or the next meeting's date are missing.",
                    "Neither the attendees nor the next meeting's date is recorded.",
                ),
            ),
        ),
    ),
)

#: The automatic pre-checks a criterion can be informed by (``quality.prechecks``).
PRECHECKS = {
    "child_voice": "The child's voice, this term",
    "targets_owner_date": "Targets and actions with an owner and a date",
    "ppplus_linked": "PP+ lines tied to a target",
    "next_meeting": "The next meeting booked",
    "attendance_support": "Support recorded for attendance below 90 %",
}
PRECHECK_CHOICES = [("", "None")] + list(PRECHECKS.items())
