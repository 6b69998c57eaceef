"""Schools from Get Information About Schools (GIAS): the DfE's establishment download
(``edubasealldata<date>.csv``) as published: Windows-1252, the columns listed in
``shared/reference/gias-edubasealldata-columns.txt`` (only those named below are read).

:func:`gias_import` creates and updates ``children.School`` by URN: name, phase, type,
LA code, postcode, status, open and close dates. It never deletes a school: a school that
closes, or leaves the file, stays, since children's histories name it; a closed school
(or one missing from the file) that children attend today is reported, so the Virtual
School can record their move. One service for the command (``import_gias``) and the
nightly task (``imports.tasks.import_gias_nightly``, on when ``EPEP_GIAS_FILE`` is set).

A row that cannot be read (a URN that is not 6 digits, a date that is not a date, a phase
or type not in the mapping below, a blank name) is a *problem*: reported with its row
number as a spreadsheet shows it (the column names are row 1), with every other
problem. Like every import here, one problem means nothing is written (``strict``, the
default): a nightly run that meets one logs the problems and changes nothing until the
next download. ``strict=False`` (the command's ``--skip-bad-rows``, for a person who
has read the problems) skips those rows and applies the rest. A missing column always
stops the import. Reads in bulk (one query for every school), writes with
``bulk_create``/``bulk_update``: no query per row.

Mapping (GIAS name → ePEP):

* ``PhaseOfEducation (name)``: Nursery → nursery; Primary, Middle deemed primary → primary
  (the latter: middle); Middle deemed secondary → middle; Secondary → secondary;
  All-through → all-through; 16 plus → 16 plus; Not applicable → not applicable.
* ``TypeOfEstablishment (name)``: see :data:`TYPES`. Establishments that are no school a
  child in care attends in England (Welsh establishments, higher education, children's
  centres, overseas schools, ...) are in :data:`NOT_SCHOOLS`: counted as skipped, not
  problems, and not added.
* ``EstablishmentStatus (name)``: Open, Closed, Open but proposed to close, Proposed to open.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection
from django.db.models import Count

from children.models import Enrolment, School, current_on
from epep.audit.services import audit_record_system_event
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.models import LocalAuthority

URN = "URN"
NAME = "EstablishmentName"
PHASE = "PhaseOfEducation (name)"
TYPE = "TypeOfEstablishment (name)"
LA = "LA (code)"
POSTCODE = "Postcode"
STATUS = "EstablishmentStatus (name)"
OPENED = "OpenDate"
CLOSED = "CloseDate"
COLUMNS = (URN, NAME, PHASE, TYPE, LA, POSTCODE, STATUS, OPENED, CLOSED)

P = School.Phase
PHASES = {
    "nursery": P.NURSERY,
    "primary": P.PRIMARY,
    "middle deemed primary": P.MIDDLE,
    "middle deemed secondary": P.MIDDLE,
    "secondary": P.SECONDARY,
    "all-through": P.ALL_THROUGH,
    "all through": P.ALL_THROUGH,
    "16 plus": P.SIXTEEN_PLUS,
    "not applicable": P.NOT_APPLICABLE,
}

T = School.Type
TYPES = {
    "community school": T.COMMUNITY,
    "voluntary aided school": T.VOLUNTARY_AIDED,
    "voluntary controlled school": T.VOLUNTARY_CONTROLLED,
    "foundation school": T.FOUNDATION,
    "academy converter": T.ACADEMY,
    "academy sponsor led": T.ACADEMY,
    "academy 16-19 converter": T.ACADEMY,
    "academy 16 to 19 sponsor led": T.ACADEMY,
    "city technology college": T.ACADEMY,
    "university technical college": T.ACADEMY,
    "studio schools": T.ACADEMY,
    "free schools": T.FREE_SCHOOL,
    "free schools 16 to 19": T.FREE_SCHOOL,
    "community special school": T.SPECIAL,
    "foundation special school": T.SPECIAL,
    "non-maintained special school": T.SPECIAL,
    "academy special converter": T.SPECIAL,
    "academy special sponsor led": T.SPECIAL,
    "free schools special": T.SPECIAL,
    "other independent special school": T.SPECIAL,
    "special post 16 institution": T.SPECIAL,
    "pupil referral unit": T.ALTERNATIVE_PROVISION,
    "academy alternative provision converter": T.ALTERNATIVE_PROVISION,
    "academy alternative provision sponsor led": T.ALTERNATIVE_PROVISION,
    "free schools alternative provision": T.ALTERNATIVE_PROVISION,
    "secure units": T.ALTERNATIVE_PROVISION,
    "other independent school": T.INDEPENDENT,
    "further education": T.FURTHER_EDUCATION,
    "sixth form centres": T.FURTHER_EDUCATION,
    "la nursery school": T.NURSERY,
    "local authority nursery school": T.NURSERY,
}

#: GIAS establishment types that are not schools for a PEP: skipped (counted), not added.
NOT_SCHOOLS = frozenset(
    {
        "welsh establishment",
        "higher education institutions",
        "miscellaneous",
        "offshore schools",
        "british schools overseas",
        "service children's education",
        "institution funded by other government department",
        "online provider",
        "children's centre",
        "children's centre linked site",
        "playing for success centres",
        "ey setting",
    }
)

S = School.Status
STATUSES = {
    "open": S.OPEN,
    "closed": S.CLOSED,
    "open, but proposed to close": S.OPEN_PROPOSED_TO_CLOSE,
    "open but proposed to close": S.OPEN_PROPOSED_TO_CLOSE,
    "proposed to open": S.PROPOSED_TO_OPEN,
}

FIELDS = ("name", "phase", "type", "la_code", "postcode", "status", "opened_on", "closed_on")


@dataclass(frozen=True)
class GiasProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "File"
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass(frozen=True)
class AttendedSchool:
    """A school children attend today that closed or is no longer in the file."""

    urn: str
    name: str
    children: int
    reason: str

    def __str__(self) -> str:
        return f"{self.name} (URN {self.urn}) {self.reason}: {self.children} child(ren) on roll."


@dataclass
class GiasResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    skipped: int = 0
    applied: bool = False
    problems: list[GiasProblem] = field(default_factory=list)
    attended: list[AttendedSchool] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "closed": self.closed,
            "skipped": self.skipped,
            "problems": len(self.problems),
        }


def decode(data: bytes) -> str:
    """GIAS publishes Windows-1252; a copy saved again as UTF-8 (with or without a byte
    order mark) is read as such. Real Windows-1252 text with any byte above 0x7F is almost
    never valid UTF-8, so trying UTF-8 first is safe."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    for pattern in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a date (expected dd-mm-yyyy).")


def _parse_row(row: dict, number: int, problems: list[GiasProblem]) -> dict | None | bool:
    """The school's fields from one row; None when the row has a problem (recorded);
    False when the row is an establishment that is not a school (skipped)."""
    found: list[GiasProblem] = []

    def problem(column: str, message: str) -> None:
        found.append(GiasProblem(number, column, message))

    get = {column: (row.get(column) or "").strip() for column in COLUMNS}
    kind = get[TYPE].lower()
    if kind in NOT_SCHOOLS:
        return False
    urn = get[URN]
    if not (len(urn) == 6 and urn.isdigit()):
        problem(URN, f"'{urn}' is not a URN: a URN is 6 digits." if urn else "The URN is blank.")
    name = " ".join(get[NAME].split())
    if not name:
        problem(NAME, "The establishment's name is blank.")
    elif len(name) > 200:
        problem(NAME, "The name is longer than 200 characters.")
    phase = PHASES.get(get[PHASE].lower())
    if phase is None:
        problem(PHASE, f"'{get[PHASE]}' is not a phase of education ePEP knows.")
    school_type = TYPES.get(kind)
    if school_type is None:
        problem(TYPE, f"'{get[TYPE]}' is not a type of establishment ePEP knows.")
    la_code = get[LA]
    if not (len(la_code) == 3 and la_code.isdigit()):
        problem(LA, f"'{la_code}' is not a 3-digit LA code.")
    postcode = " ".join(get[POSTCODE].upper().split())
    if len(postcode) > 8:
        problem(POSTCODE, f"'{postcode}' is not a postcode.")
    status = STATUSES.get(get[STATUS].lower())
    if status is None:
        problem(STATUS, f"'{get[STATUS]}' is not an establishment status ePEP knows.")
    dates = {}
    for column, key in ((OPENED, "opened_on"), (CLOSED, "closed_on")):
        try:
            dates[key] = _date(get[column])
        except ValueError as error:
            problem(column, str(error))
    if not found and dates["opened_on"] and dates["closed_on"]:
        if dates["closed_on"] < dates["opened_on"]:
            problem(CLOSED, "The close date is before the open date.")
    if found:
        problems.extend(found)
        return None
    return {
        "urn": urn,
        "name": name,
        "phase": phase,
        "type": school_type,
        "la_code": la_code,
        "postcode": postcode,
        "status": status,
        **dates,
    }


def gias_read(text: str) -> tuple[dict[str, tuple[int, dict]], int, list[GiasProblem]]:
    """Every school row by URN (row number, fields), the number of establishments
    skipped as not schools, and the problems."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        return (
            {},
            0,
            [GiasProblem(1, column, "This column is missing from the file.") for column in missing],
        )
    schools: dict[str, tuple[int, dict]] = {}
    problems: list[GiasProblem] = []
    skipped = 0
    for number, row in enumerate(reader, start=2):
        parsed = _parse_row(row, number, problems)
        if parsed is False:
            skipped += 1
        elif parsed is not None:
            if parsed["urn"] in schools:
                first = schools[parsed["urn"]][0]
                problems.append(
                    GiasProblem(number, URN, f"URN {parsed['urn']} is also on row {first}.")
                )
                continue
            schools[parsed["urn"]] = (number, parsed)
    return schools, skipped, problems


def gias_import(*, data: bytes, strict: bool = True, file_name: str = "") -> GiasResult:
    """Apply a GIAS download (its bytes) to the schools list, in one transaction in the
    all-authorities system context (it reads which schools children attend, and records
    one summary audit event in each authority). See the module's docstring."""
    result = GiasResult()
    schools, result.skipped, result.problems = gias_read(decode(data))
    missing_column = any(p.row == 1 for p in result.problems)
    if missing_column or (strict and result.problems):
        return result
    with all_authorities_context():
        existing = {
            school.urn: school
            for school in School.objects.filter(urn__isnull=False).only("id", "urn", *FIELDS)
        }
        to_create, to_update, changed_urns, closed_urns = [], [], [], []
        for urn, (_number, fields) in schools.items():
            school = existing.get(urn)
            if school is None:
                to_create.append(School(**fields))
                result.created += 1
                continue
            changes = [name for name in FIELDS if getattr(school, name) != fields[name]]
            if not changes:
                result.unchanged += 1
                continue
            if "status" in changes and fields["status"] == S.CLOSED:
                result.closed += 1
                closed_urns.append(urn)
            for name in changes:
                setattr(school, name, fields[name])
            to_update.append(school)
            changed_urns.append(urn)
            result.updated += 1
        School.objects.bulk_create(to_create, batch_size=1000)
        _update_schools(to_update)
        result.attended = _attended_reports(schools, existing)
        _audit(result, changed_urns, closed_urns, file_name)
        result.applied = True
    return result


def _update_schools(schools: list[School], batch: int = 1000) -> None:
    """``UPDATE ... FROM (VALUES ...)`` a thousand schools at a time: Django's
    ``bulk_update`` builds a ``CASE`` per field and row, which PostgreSQL takes minutes
    over for a whole download of renamed schools. The statement is built from the
    model's table and :data:`FIELDS` only; every value is a parameter."""
    row = "(%s::bigint, %s, %s, %s, %s, %s, %s, %s::date, %s::date)"
    head = (
        f"UPDATE {connection.ops.quote_name(School._meta.db_table)} AS s SET "  # noqa: S608 (the model's table and FIELDS, no input)
        + ", ".join(f"{name} = v.{name}" for name in FIELDS)
        + " FROM (VALUES "
    )
    tail = f") AS v(id, {', '.join(FIELDS)}) WHERE s.id = v.id"
    with connection.cursor() as cursor:
        for start in range(0, len(schools), batch):
            chunk = schools[start : start + batch]
            values = [v for school in chunk for v in (school.pk, *_values(school))]
            cursor.execute(head + ", ".join([row] * len(chunk)) + tail, values)


def _values(school: School) -> tuple:
    return tuple(getattr(school, name) for name in FIELDS)


def _attended_reports(schools, existing) -> list[AttendedSchool]:
    """Schools children attend today that are closed, or from GIAS but no longer in the file
    (one query: current enrolments counted per school)."""
    on_roll = (
        Enrolment.objects.filter(current_on(clock.today()))
        .values(
            "school_id", "school__urn", "school__name", "school__status", "school__added_by_hand"
        )
        .annotate(children=Count("child_id", distinct=True))
        .order_by("school__name")
    )
    reports = []
    for row in on_roll:
        urn = row["school__urn"]
        if row["school__status"] == S.CLOSED:
            reports.append(
                AttendedSchool(urn or "", row["school__name"], row["children"], "is closed")
            )
        elif urn and urn not in schools and urn in existing and not row["school__added_by_hand"]:
            reports.append(
                AttendedSchool(urn, row["school__name"], row["children"], "is not in the file")
            )
    return reports


def _audit(result: GiasResult, changed_urns, closed_urns, file_name) -> None:
    """One summary event per authority (schools belong to none; each Virtual School sees
    the list change in its own log): the counts and the URNs changed or closed."""
    detail = {
        "file": file_name,
        **result.counts(),
        "updated_urns": sorted(changed_urns),
        "closed_urns": sorted(closed_urns),
        "problems": [str(p) for p in result.problems[:200]],
    }
    for authority_id in LocalAuthority.objects.values_list("id", flat=True):
        audit_record_system_event(
            action="gias_import",
            object_type="children.school",
            local_authority_id=authority_id,
            detail=detail,
        )
