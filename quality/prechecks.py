"""Automatic pre-checks: what a machine can judge of a PEP before a person grades it.

Shown to the Virtual School officer on the grading page and to the designated teacher on
the PEP page before submission. The keys are the ones the rubric's criteria name
(``Criterion.precheck``). Each check reads what the PEP records today; a fixed number of
queries whatever the number of targets, actions or meetings (five).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from calendars.days import local_date
from calendars.models import SchoolTerm
from epep.tenancy import clock
from meetings.models import Meeting, MeetingStatus
from peps.models import Action, Pep, PepSection, Target
from peps.terms import term_window_start

#: Below this attendance (per cent) the PEP must say what support is in place.
ATTENDANCE_CONCERN_PERCENT = Decimal(90)


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    passed: bool
    detail: str


def _text(data: dict, name: str) -> str:
    return str((data or {}).get(name, "") or "").strip()


def term_began(pep: Pep) -> date:
    """The first day of the school term the PEP plans for: the authority's earliest term
    date inside that term's window (``peps.terms``), or the window's first day when the
    authority has not entered its term dates."""
    start = term_window_start(pep.academic_year, pep.term)
    if pep.term == "summer":
        window_end = date(start.year, 9, 1)
    else:
        window_end = term_window_start(
            pep.academic_year, {"autumn": "spring", "spring": "summer"}[pep.term]
        )
    first = (
        SchoolTerm.objects.filter(
            local_authority_id=pep.local_authority_id,
            start_date__gte=start,
            start_date__lt=window_end,
        )
        .order_by("start_date")
        .values_list("start_date", flat=True)
        .first()
    )
    return first or start


def _child_voice(sections: dict, began: date) -> Check:
    """The child's own words are recorded (not only why they are missing, not marked as
    could not be obtained) and were last written on or after the day the PEP's term
    began."""
    title = "The child's voice is recorded this term"
    row = sections.get("child_views")
    data = row.data if row is not None else {}
    if row is None or row.not_obtained_reason or not _text(data, "views"):
        why = _text(data, "absent_reason") or (row.not_obtained_reason if row else "")
        detail = "The child's views are not recorded."
        if why:
            detail += f" The reason given: {why}"
        return Check("child_voice", title, False, detail)
    written = local_date(row.updated_at) if row.updated_at else None
    if written is None or written < began:
        when = f" on {written:%-d %B %Y}" if written else ""
        return Check(
            "child_voice",
            title,
            False,
            f"The child's views were last written{when}, before this term began "
            f"on {began:%-d %B %Y}.",
        )
    return Check(
        "child_voice", title, True, f"The child's views were written on {written:%-d %B %Y}."
    )


def _targets_owner_date(targets: list[Target], actions: list[Action]) -> Check:
    """Every target and every agreed action says who is responsible and by when (the
    database demands a date, so a missing one is an empty name or no targets at all)."""
    title = "Targets and actions have an owner and a date"
    if not targets:
        return Check("targets_owner_date", title, False, "The PEP has no targets.")
    problems = []
    no_owner = [t for t in targets if not (t.responsible or "").strip() or t.due_date is None]
    if no_owner:
        problems.append(
            f"{len(no_owner)} target{'s' if len(no_owner) != 1 else ''} without who is "
            "responsible or by when"
        )
    bad_actions = [a for a in actions if not (a.owner or "").strip() or a.due_date is None]
    if bad_actions:
        problems.append(
            f"{len(bad_actions)} action{'s' if len(bad_actions) != 1 else ''} without an "
            "owner or a date"
        )
    if problems:
        return Check("targets_owner_date", title, False, "; ".join(problems).capitalize() + ".")
    return Check(
        "targets_owner_date",
        title,
        True,
        f"{len(targets)} target{'s' if len(targets) != 1 else ''} and "
        f"{len(actions)} action{'s' if len(actions) != 1 else ''}, each with an owner and a "
        "date.",
    )


def _ppplus_linked(targets: list[Target]) -> Check:
    """In ePEP every PP+ amount is recorded on a target (``Target.ppplus_cost_pence``), so
    a PP+ line with no target cannot exist. What can be missing is the link from the
    money to the target's aim: a funded target that does not say what the money pays for
    (the intervention or strategy) or how its success will be measured. That is what
    this check finds. A PEP asking for no PP+ passes."""
    title = "PP+ is tied to targets"
    funded = [t for t in targets if t.ppplus_cost_pence]
    if not funded:
        return Check("ppplus_linked", title, True, "No PP+ is asked for in this PEP.")
    loose = [
        t
        for t in funded
        if not (t.strategy or "").strip()
        or not (t.success_measure or "").strip()
        or not (t.description or "").strip()
    ]
    if loose:
        return Check(
            "ppplus_linked",
            title,
            False,
            f"{len(loose)} of {len(funded)} PP+ amount{'s' if len(funded) != 1 else ''} "
            "do not say what the money pays for or how success will be measured.",
        )
    return Check(
        "ppplus_linked",
        title,
        True,
        f"PP+ is asked for on {len(funded)} target{'s' if len(funded) != 1 else ''}, each "
        "saying what the money pays for and how success will be measured.",
    )


def _next_meeting(meetings: list[Meeting]) -> Check:
    """ePEP records meetings on the PEP they are for: the next meeting is one of this PEP
    still scheduled (not held, not cancelled) for a time still to come."""
    title = "The next meeting date is set"
    now = clock.now()
    upcoming = sorted(
        m.starts_at for m in meetings if m.status == MeetingStatus.SCHEDULED and m.starts_at > now
    )
    if not upcoming:
        return Check("next_meeting", title, False, "No next PEP meeting is booked.")
    return Check(
        "next_meeting",
        title,
        True,
        f"The next meeting is on {local_date(upcoming[0]):%-d %B %Y}.",
    )


#: Where each form of PEP records attendance (an early-years PEP records none).
ATTENDANCE_SECTION = {"school_age": "education", "post_16": "p16_course"}


def _attendance_support(sections: dict, variant: str = "school_age") -> Check:
    """Attendance below 90 % needs attendance support recorded (section "support",
    "Attendance and behaviour support"). Attendance not recorded at all also needs
    attention. An early-years PEP records no attendance: nothing to check."""
    title = "Low attendance has support recorded"
    where = ATTENDANCE_SECTION.get(variant)
    if where is None:
        return Check("attendance_support", title, True, "An early years PEP records no attendance.")
    recorded = sections.get(where)
    raw = _text(recorded.data if recorded else {}, "attendance_percent")
    try:
        attendance = Decimal(raw.rstrip("%").strip())
    except InvalidOperation:
        return Check("attendance_support", title, False, "Attendance this term is not recorded.")
    support = sections.get("support")
    supported = _text(support.data if support else {}, "attendance_behaviour")
    if attendance < ATTENDANCE_CONCERN_PERCENT and not supported:
        return Check(
            "attendance_support",
            title,
            False,
            f"Attendance is {attendance:f}% (below 90%) and no attendance support is recorded.",
        )
    if attendance < ATTENDANCE_CONCERN_PERCENT:
        return Check(
            "attendance_support",
            title,
            True,
            f"Attendance is {attendance:f}% and attendance support is recorded.",
        )
    return Check("attendance_support", title, True, f"Attendance is {attendance:f}%.")


def prechecks(*, pep: Pep, sections=None, targets=None, actions=None) -> list[Check]:
    """The automatic pre-checks of ``pep``, in the order the rubric lists them. A page that
    has already loaded the PEP's sections, targets or actions passes them (fewer
    queries)."""
    if sections is None:
        sections = PepSection.objects.filter(pep_id=pep.pk)
    sections = {s.key: s for s in sections}
    targets = list(Target.objects.filter(pep_id=pep.pk) if targets is None else targets)
    actions = list(Action.objects.filter(pep_id=pep.pk) if actions is None else actions)
    meetings = list(Meeting.objects.filter(pep_id=pep.pk).only("starts_at", "status"))
    return [
        _child_voice(sections, term_began(pep)),
        _targets_owner_date(targets, actions),
        _ppplus_linked(targets),
        _next_meeting(meetings),
        _attendance_support(sections, pep.variant),
    ]
