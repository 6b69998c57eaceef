"""The shapes every figure of the Virtual School Head's dashboard and reports is given in.

A selectors module (``reports/selectors/<section>.py``) computes a :class:`Section` for an
actor and a :class:`~reports.filters.ReportFilter`, with aggregates in PostgreSQL and a
constant number of queries. Screens (``portal/reports``), exports (CSV, XLSX, print) and
the annual report PDF only render these shapes, so the same figure is the same number
everywhere. Every :class:`Table` carries its definition, written beside the code that
computes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from funding.money import format_pounds

Unit = Literal["children", "peps", "pence", "percent", "days", "sessions", "count"]

#: Fewer children than this in a cell is suppressed in anything exported or shown in
#: aggregate outside the Virtual School (issue 14 point 4).
SUPPRESSION_THRESHOLD = 5


@dataclass(frozen=True)
class Measure:
    """One number. ``value`` is a count, pence or days; a percentage is
    ``value`` / ``denominator`` (both counts of children), never a float kept around.
    ``drill`` is the query string (without '?') of the child list behind the number,
    understood by ``reports.selectors.drill.children_behind``; empty where no children
    stand behind it (money, a rate)."""

    value: int | None
    unit: Unit = "children"
    denominator: int | None = None
    drill: str = ""
    suppressed: bool = False

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded half up; None without a denominator (or when it is 0)."""
        if self.value is None or not self.denominator:
            return None
        return (200 * self.value + self.denominator) // (2 * self.denominator)


def measure_text(measure: Measure) -> str:
    """A number as every output writes it: "3", "1 of 7 (14%)", "£250.50", "fewer than 5"
    (suppressed), "–" (no value)."""
    if measure.suppressed or measure.value is None:
        return f"fewer than {SUPPRESSION_THRESHOLD}" if measure.suppressed else "–"
    if measure.unit == "pence":
        return format_pounds(measure.value)
    if measure.unit == "percent":
        return f"{measure.value}%"
    text = f"{measure.value:,}"
    if measure.denominator is not None:
        percent = measure.percent
        text = f"{text} of {measure.denominator:,}"
        if percent is not None:
            text += f" ({percent}%)"
    return text


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Measure, ...]


@dataclass(frozen=True)
class Table:
    """A figure: a title, its definition (what counts, which children, on which date),
    column headings and rows. ``chart`` says how the screen draws it as an SVG beside
    the table: 'bar' (first numeric column per row), 'stacked' (columns stacked), or ''
    (no chart)."""

    key: str
    title: str
    definition: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    chart: Literal["bar", "stacked", ""] = "bar"
    note: str = ""


@dataclass(frozen=True)
class Section:
    key: Literal["cohort", "compliance", "quality", "ppplus", "outcomes"]
    title: str
    tables: tuple[Table, ...] = field(default_factory=tuple)
    #: Shown instead of the tables when the filter leaves nothing to count ("No PEPs were
    #: due in summer term 2025.").
    empty_message: str = ""
