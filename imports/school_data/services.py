"""A school's attendance and attainment, uploaded by UPN, written into each child's
current PEP (the latest not finalised).

The designated teacher uploads for the children of their school they may see, the
Virtual School for many schools at once: both through :func:`school_data_preview` (read,
check, match: nothing written) and :func:`school_data_apply` (the same checks again, then
every change in one transaction, or none). Children are matched through
``children.selectors.children_for(actor)``: a UPN out of the uploader's reach gets the same
message as a UPN that belongs to nobody, so the file never tells whether a child exists.

The file (CSV, UTF-8 or Windows-1252; the column names in row 1, in any order and case;
other columns are ignored)::

    UPN, Sessions possible, Sessions attended, Suspensions, Absence by code,
    Subject, Baseline, Current, Target

A row with sessions gives the child's attendance this term (once per child); a row with a
subject gives one line of the attainment table on the key stage's scale
(``peps.scales``: the value or its words, "expected" or "Working at the expected
standard", "5" or "Grade 5"). A row may give both. "Absence by code" lists sessions
missed by code, ``I:4; M:2; C2:10``, with the codes in force since August 2024
(:mod:`imports.school_data.codes`).

Writes: the ``education`` section's ``sessions_possible``, ``sessions_missed`` (possible
less attended), ``attendance_percent`` (attended / possible, one decimal) and
``suspensions``, through ``peps.services.pep_section_save`` with the section's version at
the preview (a section changed since is an error, not an overwrite); the attainment
table through ``peps.services.attainment_save`` (subjects in the file updated or added,
the others kept; a table changed since the preview is an error). The section keeps only
its own fields, so the absence by code is kept in the upload's audit event (one per
authority, listing each child's codes), beside the services' own event per child.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from children.identifiers import is_valid_upn, normalise_upn, validate_upn
from children.models import Child
from children.selectors import children_for
from epep.audit.services import audit_record
from epep.tenancy.actor import Actor
from peps import scales
from peps.models import EDITABLE_STATUSES, AttainmentEntry, Pep, PepSection, Status
from peps.services import EditConflict, attainment_save, pep_section_save

from ..permissions import can_upload_school_data
from .codes import NOT_POSSIBLE, absence_code_problem

UPN = "UPN"
POSSIBLE = "Sessions possible"
ATTENDED = "Sessions attended"
SUSPENSIONS = "Suspensions"
ABSENCE = "Absence by code"
SUBJECT = "Subject"
BASELINE = "Baseline"
CURRENT = "Current"
TARGET = "Target"
COLUMNS = (UPN, POSSIBLE, ATTENDED, SUSPENSIONS, ABSENCE, SUBJECT, BASELINE, CURRENT, TARGET)
GRADES = (BASELINE, CURRENT, TARGET)

#: Largest file accepted (a school's or a Virtual School's list is far smaller).
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20000

NOT_ON_LIST = (
    "No pupil with UPN {upn} is on your list of children in care. Check the UPN; if it is "
    "right, ask the Virtual School to check the child's record."
)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ChildChange:
    """What the file changes for one child."""

    child: Child
    pep: Pep
    section: PepSection | None = None
    attendance: dict | None = None
    absence_by_code: dict[str, int] = field(default_factory=dict)
    #: uploaded lines, each {"subject", "baseline", "current", "target"} (words shown)
    subjects: list[dict] = field(default_factory=list)
    existing: list[AttainmentEntry] = field(default_factory=list)

    @property
    def stamp(self) -> str:
        """What the attainment table held at the preview (its rows, hashed)."""
        text = "|".join(
            f"{e.pk}:{e.subject}:{e.baseline}:{e.current}:{e.target}" for e in self.existing
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def merged_attainment(self) -> list[dict]:
        rows = [
            {"subject": e.subject, "baseline": e.baseline, "current": e.current, "target": e.target}
            for e in self.existing
        ]
        by_subject = {row["subject"].casefold(): row for row in rows}
        for line in self.subjects:
            row = by_subject.get(line["subject"].casefold())
            if row is None:
                row = {"subject": line["subject"], "baseline": "", "current": "", "target": ""}
                rows.append(row)
                by_subject[line["subject"].casefold()] = row
            for key in ("baseline", "current", "target"):
                if line[key]:
                    row[key] = line[key]
        return rows


@dataclass
class SchoolDataPlan:
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    changes: list[ChildChange] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def versions(self) -> dict[str, list]:
        """What the confirm must find unchanged: per PEP, the education section's version
        and the attainment table's stamp."""
        return {
            str(change.pep.public_id): [
                change.section.version if change.section else None,
                change.stamp,
            ]
            for change in self.changes
        }


class RowProblems(list):
    """The problems found on one row: ``problems(column, message)`` adds one."""

    def __init__(self, number: int):
        super().__init__()
        self.number = number

    def __call__(self, column: str, message: str) -> None:
        self.append(Problem(self.number, column, message))


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _whole(value: str, column: str, problem: RowProblems) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        problem(column, f"'{value}' is not a whole number, like 12.")
        return None
    return int(value)


_PAIR = re.compile(r"^([A-Za-z#]{1}[0-9]?|[/\\])\s*[:=]\s*(\d+)$")


def _absences(value: str, problem: RowProblems) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in (p.strip() for p in re.split(r"[;,]", value)):
        if not part:
            continue
        match = _PAIR.match(part)
        if match is None:
            problem(ABSENCE, f"'{part}' is not a code and a number of sessions, like I:4.")
            continue
        code, sessions = match.group(1).upper(), int(match.group(2))
        message = absence_code_problem(code)
        if message:
            problem(ABSENCE, message)
        elif code in found:
            problem(ABSENCE, f"{code} is listed twice on this row.")
        else:
            found[code] = sessions
    return found


def _grade(value: str, key_stage: str) -> str | None:
    """``value`` as stored on the key stage's scale (its code), or None if not on it. With
    no known key stage any short value is kept as written."""
    scale = scales.SCALES.get(key_stage)
    if not scale:
        return value
    folded = value.casefold()
    for code, words in scale:
        if folded in (code.casefold(), words.casefold()):
            return code
    return None


def _read(text: str, plan: SchoolDataPlan) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        plan.problems.append(Problem(1, "", "The file is empty: row 1 must name the columns."))
        return []
    by_name = {c.casefold(): c for c in COLUMNS}
    positions = {}
    for index, name in enumerate(header):
        column = by_name.get(" ".join(name.split()).casefold())
        if column and column not in positions:
            positions[column] = index
    if UPN not in positions:
        plan.problems.append(Problem(1, UPN, "The file has no UPN column."))
    has_attendance = POSSIBLE in positions or ATTENDED in positions
    if has_attendance and not (POSSIBLE in positions and ATTENDED in positions):
        missing = POSSIBLE if POSSIBLE not in positions else ATTENDED
        plan.problems.append(
            Problem(1, missing, f"The file has no '{missing}' column: give both session counts.")
        )
    if not has_attendance and SUBJECT not in positions:
        plan.problems.append(
            Problem(
                1,
                "",
                "The file has neither attendance ('Sessions possible', 'Sessions attended') "
                "nor attainment ('Subject') columns.",
            )
        )
    if plan.problems:
        return []
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            plan.problems.append(Problem(number, "", f"The file has more than {MAX_ROWS} rows."))
            break
        rows.append(
            (
                number,
                {
                    column: (cells[i].strip() if i < len(cells) else "")
                    for column, i in positions.items()
                },
            )
        )
    plan.rows = len(rows)
    return rows


def _plan(*, actor: Actor, data: bytes) -> SchoolDataPlan:
    if not can_upload_school_data(actor):
        raise PermissionDenied("Only a designated teacher or the Virtual School can do this.")
    plan = SchoolDataPlan()
    if len(data) > MAX_BYTES:
        plan.problems.append(Problem(0, "", "The file is larger than 2 MB."))
        return plan
    rows = _read(decode(data), plan)
    if not rows:
        if not plan.problems:
            plan.problems.append(Problem(2, "", "The file has no pupils in it."))
        return plan

    upns = {normalise_upn(row[UPN]) for _, row in rows}
    matches: dict[str, list[Child]] = {}
    for child in children_for(actor=actor).filter(upn__in=upns):
        matches.setdefault(child.upn, []).append(child)
    peps: dict[int, Pep] = {}
    for pep in (
        Pep.objects.filter(child__in=[c for found in matches.values() for c in found])
        .exclude(status=Status.FINALISED)
        .select_related("child")
        .order_by("child_id", "-created_at")
    ):
        peps.setdefault(pep.child_id, pep)
    sections = {
        s.pep_id: s for s in PepSection.objects.filter(pep__in=list(peps.values()), key="education")
    }
    existing: dict[int, list[AttainmentEntry]] = {}
    for entry in AttainmentEntry.objects.filter(pep__in=list(peps.values())).order_by(
        "pep_id", "position", "pk"
    ):
        existing.setdefault(entry.pep_id, []).append(entry)

    changes: dict[int, ChildChange] = {}
    attendance_row: dict[int, int] = {}
    subject_row: dict[tuple[int, str], int] = {}
    for number, row in rows:
        problem = found = RowProblems(number)
        upn = normalise_upn(row[UPN])
        child = None
        if not upn:
            problem(UPN, "The UPN is blank.")
        elif not is_valid_upn(upn):
            try:
                validate_upn(upn)
            except ValidationError as error:
                problem(UPN, f"'{row[UPN]}' is not a UPN. {error.messages[0]}")
        elif upn not in matches:
            problem(UPN, NOT_ON_LIST.format(upn=upn))
        elif len(matches[upn]) > 1:
            problem(UPN, f"More than one child on your list has UPN {upn}: ask the Virtual School.")
        else:
            child = matches[upn][0]
        pep = peps.get(child.pk) if child else None
        if child is not None and pep is None:
            problem(
                UPN, f"{child.display_name} has no PEP in progress: start this term's PEP first."
            )
        elif pep is not None and pep.status not in EDITABLE_STATUSES:
            problem(
                UPN,
                f"{child.display_name}'s PEP is {pep.get_status_display().lower()} and cannot be "
                "changed.",
            )
        attendance = _attendance(row, problem)
        line = _subject(row, pep, problem)
        if attendance is None and line is None and not found:
            problem("", "This row has neither sessions nor a subject.")
        if pep is not None and not found:
            change = changes.get(pep.pk) or ChildChange(
                child=child,
                pep=pep,
                section=sections.get(pep.pk),
                existing=existing.get(pep.pk, []),
            )
            if attendance is not None:
                if change.section is None:
                    problem(POSSIBLE, f"{child.display_name}'s PEP has no attendance section.")
                elif pep.pk in attendance_row:
                    problem(
                        POSSIBLE,
                        f"Attendance for UPN {upn} is already given on row "
                        f"{attendance_row[pep.pk]}.",
                    )
                else:
                    attendance_row[pep.pk] = number
                    change.attendance, change.absence_by_code = attendance
            if line is not None:
                key = (pep.pk, line["subject"].casefold())
                if key in subject_row:
                    problem(
                        SUBJECT,
                        f"{line['subject']} for UPN {upn} is already given on row "
                        f"{subject_row[key]}.",
                    )
                else:
                    subject_row[key] = number
                    change.subjects.append(line)
            if not found:
                changes[pep.pk] = change
        plan.problems.extend(found)
    plan.changes = sorted(
        changes.values(),
        key=lambda c: (c.child.legal_last_name, c.child.legal_first_name, c.child.pk),
    )
    return plan


def _attendance(row: dict, problem: RowProblems) -> tuple[dict, dict[str, int]] | None:
    possible_text, attended_text = row.get(POSSIBLE, ""), row.get(ATTENDED, "")
    others = row.get(SUSPENSIONS, "") or row.get(ABSENCE, "")
    if not (possible_text or attended_text or others):
        return None
    before = len(problem)
    possible = _whole(possible_text, POSSIBLE, problem)
    attended = _whole(attended_text, ATTENDED, problem)
    suspensions = _whole(row.get(SUSPENSIONS, ""), SUSPENSIONS, problem)
    absences = _absences(row.get(ABSENCE, ""), problem)
    if not possible_text:
        problem(POSSIBLE, "Enter the number of possible sessions.")
    if not attended_text:
        problem(ATTENDED, "Enter the number of sessions attended.")
    if possible is not None and attended is not None:
        if possible == 0:
            problem(POSSIBLE, "Possible sessions must be more than 0.")
        elif attended > possible:
            problem(ATTENDED, f"{attended} sessions attended is more than the {possible} possible.")
        else:
            missed = possible - attended
            counted = sum(n for code, n in absences.items() if code not in NOT_POSSIBLE)
            if counted > missed:
                problem(
                    ABSENCE,
                    f"The absences add up to {counted} sessions, more than the {missed} missed.",
                )
    if len(problem) > before:
        return None
    missed = possible - attended
    percent = (Decimal(attended * 100) / Decimal(possible)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    values = {
        "sessions_possible": str(possible),
        "sessions_missed": str(missed),
        "attendance_percent": str(percent),
    }
    if suspensions is not None:
        values["suspensions"] = str(suspensions)
    return values, absences


def _subject(row: dict, pep: Pep | None, problem: RowProblems) -> dict | None:
    subject = " ".join(row.get(SUBJECT, "").split())
    grades = {column: row.get(column, "") for column in GRADES}
    if not subject:
        if any(grades.values()):
            problem(SUBJECT, "Enter the subject these grades are for.")
        return None
    if len(subject) > 80:
        problem(SUBJECT, "Subject names must be 80 characters or fewer.")
        return None
    if not any(grades.values()):
        problem(CURRENT, f"Enter at least the current grade for {subject}.")
        return None
    key_stage = pep.key_stage if pep is not None else ""
    line = {"subject": subject}
    for column, value in grades.items():
        if not value:
            line[column.lower()] = ""
            continue
        code = _grade(value, key_stage) if len(value) <= 40 else None
        if code is None:
            scale = ", ".join(words for _, words in scales.SCALES.get(key_stage, ()))
            problem(
                column,
                f"'{value}' is not on the {key_stage} scale" + (f" ({scale})." if scale else ".")
                if key_stage
                else f"'{value}' is too long: 40 characters or fewer.",
            )
            continue
        line[column.lower()] = code
    return line if len(line) == 4 else None


def school_data_preview(*, actor: Actor, data: bytes) -> SchoolDataPlan:
    """Read, check and match the file: nothing is written. Every problem is listed."""
    return _plan(actor=actor, data=data)


class _Rollback(Exception):
    pass


def school_data_apply(*, actor: Actor, data: bytes, versions: dict[str, list]) -> SchoolDataPlan:
    """Check the file again and write it, all or nothing, in one transaction. ``versions``:
    what the preview saw (``SchoolDataPlan.versions``); a section or attainment table
    changed since then is a problem, and nothing is written."""
    try:
        with transaction.atomic():
            plan = _plan(actor=actor, data=data)
            if not plan.ok:
                return plan
            for change in plan.changes:
                _write(actor, change, versions.get(str(change.pep.public_id)), plan)
            if not plan.ok:
                raise _Rollback
            _audit_upload(actor, plan)
            plan.applied = True
            return plan
    except _Rollback:
        return plan


def _write(actor: Actor, change: ChildChange, seen: list | None, plan: SchoolDataPlan) -> None:
    name = change.child.display_name
    if seen is None:
        plan.problems.append(
            Problem(0, "", f"{name} was not in the preview: upload the file again.")
        )
        return
    section_version, stamp = seen
    if change.attendance is not None:
        try:
            pep_section_save(
                actor=actor,
                pep=change.pep,
                key="education",
                data={**change.section.data, **change.attendance},
                base_version=section_version if section_version is not None else -1,
            )
        except EditConflict as conflict:
            plan.problems.append(
                Problem(
                    0,
                    "",
                    f"{conflict.their_author} changed {name}'s education details since your "
                    "preview: upload the file again to see the latest.",
                )
            )
        except ValidationError as error:
            for message in error.messages:
                plan.problems.append(Problem(0, "", f"{name}: {message}"))
    if change.subjects:
        if stamp != change.stamp:
            plan.problems.append(
                Problem(
                    0,
                    "",
                    f"Someone changed {name}'s attainment since your preview: upload the "
                    "file again to see the latest.",
                )
            )
            return
        try:
            attainment_save(actor=actor, pep=change.pep, rows=change.merged_attainment())
        except ValidationError as error:
            for message in error.messages:
                plan.problems.append(Problem(0, "", f"{name}: {message}"))


def _audit_upload(actor: Actor, plan: SchoolDataPlan) -> None:
    by_authority: dict[int, list[ChildChange]] = {}
    for change in plan.changes:
        by_authority.setdefault(change.pep.local_authority_id, []).append(change)
    for authority_id, changes in by_authority.items():
        audit_record(
            acting_user=actor.user,
            role=actor.role,
            action="school_data_upload",
            object_type="peps.pep",
            local_authority_id=authority_id,
            detail={
                "rows": plan.rows,
                "children": [
                    {
                        "child": str(c.child.public_id),
                        "pep": str(c.pep.public_id),
                        "attendance": c.attendance,
                        "absence_by_code": c.absence_by_code,
                        "subjects": [s["subject"] for s in c.subjects],
                    }
                    for c in changes
                ],
            },
        )
