"""Checking an extract before anything is written (pure: no database). Every problem is
collected, not just the first; what passes becomes an :class:`Extract`: each child with
their episodes in date order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError

from children.identifiers import validate_upn

from . import codes
from .problems import WARNING, Problem
from .reader import Table

#: ``Child.la_child_id`` and the placement's postcode and URN fields hold no more.
MAX_CHILD_ID = 10
MAX_POSTCODE = 8
MAX_URN = 8


@dataclass(frozen=True)
class Episode:
    row: int
    decom: date
    dec: date | None
    rne: str
    ls: str
    cin: str
    place: str
    place_provider: str
    rec: str
    reason_place_change: str
    home_post: str
    pl_post: str
    urn: str

    @property
    def ends_care(self) -> bool:
        return self.dec is not None and self.rec != codes.REC_SAME_DAY


@dataclass
class ChildRecord:
    child_id: str
    row: int
    gender: str
    date_of_birth: date
    upn: str
    is_uasc: bool = False
    episodes: list[Episode] = field(default_factory=list)


@dataclass
class Extract:
    children: dict[str, ChildRecord] = field(default_factory=dict)

    @property
    def episode_count(self) -> int:
        return sum(len(c.episodes) for c in self.children.values())


def parse_date(value: str) -> date:
    """``dd/mm/yyyy`` as the DfE layout writes it (single-digit days and months too)."""
    return datetime.strptime(value, "%d/%m/%Y").date()


class _Rows:
    """Reads one row's values, collecting problems."""

    def __init__(self, file: str, row: int, values: dict[str, str], problems: list, today):
        self.file, self.row, self.values, self.problems, self.today = (
            file,
            row,
            values,
            problems,
            today,
        )

    def error(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.row, column, message))

    def warn(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.row, column, message, WARNING))

    def text(self, column: str) -> str:
        return self.values.get(column, "")

    def date(self, column: str, *, required: bool, what: str) -> date | None:
        value = self.text(column)
        if not value:
            if required:
                self.error(column, f"Enter the {what} (dd/mm/yyyy).")
            return None
        try:
            day = parse_date(value)
        except ValueError:
            self.error(column, f"“{value}” is not a real date: write the {what} as dd/mm/yyyy.")
            return None
        if day > self.today:
            self.error(column, f"The {what} {value} is in the future.")
            return None
        return day

    def code(self, column: str, *, required: bool) -> str:
        value = self.text(column).upper()
        what, allowed = codes.CODE_LISTS[column]
        if not value:
            if required:
                self.error(column, f"Enter the {what} ({column}).")
            return ""
        if value not in allowed:
            self.error(
                column,
                f"“{value}” is not a DfE {what} code. Use one of: {', '.join(allowed)}.",
            )
            return ""
        return value

    def bounded(self, column: str, limit: int, what: str) -> str:
        value = self.text(column).upper()
        if len(value) > limit:
            self.error(column, f"“{value}” is too long for a {what} (at most {limit} characters).")
            return ""
        return value


def _child_id(rows: _Rows) -> str:
    child_id = rows.text("CHILD")
    if not child_id:
        rows.error("CHILD", "Enter the child's identifier (CHILD).")
    elif len(child_id) > MAX_CHILD_ID:
        rows.error("CHILD", f"The child identifier “{child_id}” is longer than 10 characters.")
        return ""
    return child_id


def _upn(rows: _Rows) -> str:
    value = rows.text("UPN").upper()
    if not value or value in codes.NO_UPN:
        return ""
    try:
        validate_upn(value)
    except ValidationError as error:
        reason = error.messages[0]
    else:
        return value
    rows.warn("UPN", f"The UPN {value} is not valid: {reason} The child is imported without it.")
    return ""


def _header(table: Table, problems: list, today) -> tuple[Extract, dict[str, int]]:
    extract = Extract()
    seen: dict[str, int] = {}
    for number, values in table.rows:
        rows = _Rows("header", number, values, problems, today)
        child_id = _child_id(rows)
        sex = rows.text("SEX").upper()
        if sex not in codes.SEX:
            rows.error(
                "SEX",
                f"“{sex}” is not a DfE code for the child's sex. Use 1 or M (male), "
                "2 or F (female), or U.",
            )
        born = rows.date("DOB", required=True, what="date of birth")
        upn = _upn(rows)
        if not child_id:
            continue
        if child_id in seen:
            rows.error(
                "CHILD",
                f"The child {child_id} is already on row {seen[child_id]} of the header "
                "file: each child appears once.",
            )
            continue
        seen[child_id] = number
        if sex in codes.SEX and born is not None:
            extract.children[child_id] = ChildRecord(
                child_id=child_id,
                row=number,
                gender=codes.SEX[sex],
                date_of_birth=born,
                upn=upn,
            )
    return extract, seen


def _episodes(table: Table, extract: Extract, seen: dict, problems: list, today) -> None:
    for number, values in table.rows:
        rows = _Rows("episodes", number, values, problems, today)
        child_id = _child_id(rows)
        decom = rows.date("DECOM", required=True, what="date the episode started")
        dec = rows.date("DEC", required=False, what="date the episode ceased")
        rne = rows.code("RNE", required=True)
        ls = rows.code("LS", required=True)
        cin = rows.code("CIN", required=True)
        place = rows.code("PLACE", required=True)
        provider = rows.code("PLACE_PROVIDER", required=False)
        rec = rows.code("REC", required=dec is not None)
        reason = rows.code("REASON_PLACE_CHANGE", required=False)
        home = rows.bounded("HOME_POST", MAX_POSTCODE, "postcode")
        pl_post = rows.bounded("PL_POST", MAX_POSTCODE, "postcode")
        urn = rows.bounded("URN", MAX_URN, "URN")
        if decom and dec and dec < decom:
            rows.error(
                "DEC",
                f"The episode ceased ({dec:%d/%m/%Y}) before it started ({decom:%d/%m/%Y}).",
            )
            continue
        if not child_id:
            continue
        if child_id not in seen:
            rows.error(
                "CHILD",
                f"The child {child_id} is not in the header file: every child with an "
                "episode needs a row there.",
            )
            continue
        child = extract.children.get(child_id)
        if child is None or decom is None:
            continue
        if decom < child.date_of_birth:
            rows.error(
                "DECOM",
                f"The episode starts ({decom:%d/%m/%Y}) before the child's date of birth "
                f"({child.date_of_birth:%d/%m/%Y}, header row {child.row}).",
            )
            continue
        child.episodes.append(
            Episode(
                row=number,
                decom=decom,
                dec=dec,
                rne=rne,
                ls=ls,
                cin=cin,
                place=place,
                place_provider=provider,
                rec=rec if dec else "",
                reason_place_change=reason,
                home_post=home,
                pl_post=pl_post,
                urn=urn,
            )
        )


def _overlaps(extract: Extract, problems: list) -> None:
    for child in extract.children.values():
        child.episodes.sort(key=lambda e: (e.decom, e.row))
        for before, after in zip(child.episodes, child.episodes[1:], strict=False):
            if before.dec is None or before.dec > after.decom:
                ended = "has not ceased" if before.dec is None else f"ceased {before.dec:%d/%m/%Y}"
                problems.append(
                    Problem(
                        "episodes",
                        after.row,
                        "DECOM",
                        f"The child {child.child_id}'s episodes overlap: this one starts "
                        f"{after.decom:%d/%m/%Y}, but the one on row {before.row} "
                        f"(started {before.decom:%d/%m/%Y}) {ended}.",
                    )
                )
        first_by_period = [
            e for e in child.episodes if e.ends_care and e.dec == _start_of(child, e)
        ]
        for episode in first_by_period:
            problems.append(
                Problem(
                    "episodes",
                    episode.row,
                    "DEC",
                    f"The child {child.child_id}'s period of care ends the day it starts "
                    f"({episode.dec:%d/%m/%Y}): a period of care lasts at least a day.",
                )
            )


def _start_of(child: ChildRecord, ending: Episode) -> date:
    """The start of the period of care ``ending`` closes, as far as the file shows."""
    start = None
    for episode in child.episodes:
        if start is None or episode.rne == codes.STARTS_CARE:
            start = episode.decom
        if episode is ending:
            return start
        if episode.ends_care:
            start = None
    return start


def _uasc(table: Table, extract: Extract, seen: dict, problems: list, today) -> None:
    for number, values in table.rows:
        rows = _Rows("uasc", number, values, problems, today)
        child_id = _child_id(rows)
        rows.date("DOB", required=False, what="date of birth")
        value = rows.text("DUC")
        ceased = None
        if value:
            try:
                ceased = parse_date(value)
            except ValueError:
                rows.error(
                    "DUC",
                    f"“{value}” is not a real date: write the date UASC status ceased as "
                    "dd/mm/yyyy.",
                )
                continue
        if not child_id:
            continue
        if child_id not in seen:
            rows.error(
                "CHILD",
                f"The child {child_id} is not in the header file: every child in the UASC "
                "file needs a row there.",
            )
            continue
        child = extract.children.get(child_id)
        if child is not None:
            # DUC is when UASC status ceases (often the 18th birthday, so in the future).
            child.is_uasc = ceased is None or ceased > today


def validate(tables: dict[str, Table], *, today: date) -> tuple[Extract, list[Problem]]:
    """The extract and every problem found (errors and warnings)."""
    problems: list[Problem] = []
    extract, seen = _header(tables["header"], problems, today)
    _episodes(tables["episodes"], extract, seen, problems, today)
    _overlaps(extract, problems)
    if "uasc" in tables:
        _uasc(tables["uasc"], extract, seen, problems, today)
    return extract, problems
