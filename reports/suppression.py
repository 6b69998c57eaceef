"""Small numbers hidden (issue 14 point 4): anything exported, or shown in aggregate outside
the Virtual School (the annual report for the governing body, the Ofsted evidence pack),
hides cells that could point at a few children. The screen inside the Virtual School shows
the real counts.

:func:`suppress` is pure (no database): it takes a :class:`~reports.figures.Section` and
gives the same section with these cells marked ``suppressed`` (value, denominator and link
to the children removed):

- a count of children from 1 to ``threshold - 1`` (0 is shown: it points at no child);
- a percentage whose denominator is from 1 to ``threshold - 1`` children (its numerator
  would be a count of fewer children still);
- a count of events (unit ``count``, such as suspensions) from 1 to ``threshold - 1``:
  a handful of events is a handful of children.

Money, days and sessions are not counts of children and are left as they are. A table with
a suppressed cell gets a note saying so.
"""

from __future__ import annotations

from dataclasses import replace

from .figures import SUPPRESSION_THRESHOLD, Measure, Row, Section, Table

#: Units that count children or events happening to them.
COUNTED_UNITS = frozenset({"children", "count"})


def _small(value: int | None, threshold: int) -> bool:
    return value is not None and 0 < value < threshold


def suppress_measure(measure: Measure, threshold: int = SUPPRESSION_THRESHOLD) -> Measure:
    """``measure``, hidden when it could point at fewer than ``threshold`` children."""
    if measure.suppressed or measure.unit not in COUNTED_UNITS:
        return measure
    if _small(measure.value, threshold) or _small(measure.denominator, threshold):
        return replace(measure, value=None, denominator=None, drill="", suppressed=True)
    return measure


def suppression_note(threshold: int = SUPPRESSION_THRESHOLD) -> str:
    return (
        f"Numbers of fewer than {threshold} children (and percentages of fewer than "
        f"{threshold}) are not shown, so that no child can be identified."
    )


def _suppress_table(table: Table, threshold: int) -> Table:
    rows = tuple(
        Row(
            key=row.key,
            label=row.label,
            cells=tuple(suppress_measure(cell, threshold) for cell in row.cells),
        )
        for row in table.rows
    )
    if rows == table.rows:
        return table
    note = " ".join(part for part in (table.note, suppression_note(threshold)) if part)
    return replace(table, rows=rows, note=note)


def suppress(section: Section, threshold: int = SUPPRESSION_THRESHOLD) -> Section:
    """``section`` with every cell that could point at fewer than ``threshold`` children
    hidden (see the module's docstring). Pure: the given section is not changed."""
    return replace(
        section, tables=tuple(_suppress_table(table, threshold) for table in section.tables)
    )
