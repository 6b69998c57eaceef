"""How the dashboard shows a :class:`reports.figures.Section`: each number as text with its
link to the children behind it, and the bars of its chart (an SVG beside the table, the
same figures). Any section renders the same way, whichever helper wrote it."""

from __future__ import annotations

from django.urls import reverse

from reports.figures import Measure, Section, Table, measure_text

#: The height of one bar's band in a chart (label line, then the bar), in pixels.
BAND = 44
BAR = 18


def _chart_value(measure: Measure) -> int:
    if measure.suppressed or measure.value is None:
        return 0
    if measure.denominator is not None:
        return measure.percent or 0
    return measure.value


def present_table(table: Table) -> dict:
    children_url = reverse("portal:reports:children")
    rows = []
    for row in table.rows:
        cells = [
            {
                "text": measure_text(cell),
                "href": f"{children_url}?{cell.drill}" if cell.drill else "",
                "column": column,
            }
            for cell, column in zip(row.cells, table.columns, strict=False)
        ]
        rows.append({"key": row.key, "label": row.label, "cells": cells})
    chart = None
    if table.chart and table.rows:
        values = [_chart_value(row.cells[0]) if row.cells else 0 for row in table.rows]
        top = max(values) or 1
        is_share = any(row.cells and row.cells[0].denominator is not None for row in table.rows)
        scale = 100 if is_share else top
        bars = [
            {
                "label": row.label,
                "text": measure_text(row.cells[0]) if row.cells else "",
                "width": 0 if not value else max(1, round(value * 100 / scale)),
                "y_text": index * BAND + 14,
                "y_bar": index * BAND + 20,
            }
            for index, (row, value) in enumerate(zip(table.rows, values, strict=True))
        ]
        chart = {
            "height": len(bars) * BAND,
            "bar": BAR,
            "bars": bars,
            "description": "; ".join(f"{b['label']}: {b['text']}" for b in bars),
            "scale": "percentage of children" if is_share else f"largest value {top:,}",
        }
    return {
        "key": table.key,
        "title": table.title,
        "definition": table.definition,
        "note": table.note,
        "columns": table.columns,
        "rows": rows,
        "chart": chart,
    }


def present_section(section: Section) -> dict:
    return {
        "key": section.key,
        "title": section.title,
        "empty_message": section.empty_message,
        "tables": [present_table(table) for table in section.tables],
    }


def export_rows(section: Section):
    """The section as rows for CSV and XLSX: per table a heading row (title, then for
    each column its value and, where it is a share, its denominator and percentage), its
    rows, the definition, and a blank row. Numbers stay numbers."""
    yield [section.title]
    for table in section.tables:
        shares = [
            any(len(row.cells) > i and row.cells[i].denominator is not None for row in table.rows)
            for i in range(len(table.columns))
        ]
        header = [table.title]
        for column, share in zip(table.columns, shares, strict=True):
            header.append(column)
            if share:
                header += [f"{column}: out of", f"{column}: %"]
        yield header
        for row in table.rows:
            line: list = [row.label]
            for cell, share in zip(row.cells, shares, strict=False):
                hidden = cell.suppressed or cell.value is None
                line.append(measure_text(cell) if hidden else cell.value)
                if share:
                    line += [
                        "" if cell.denominator is None else cell.denominator,
                        "" if hidden or cell.percent is None else cell.percent,
                    ]
            yield line
        yield [f"Definition: {table.definition}"]
        yield []
