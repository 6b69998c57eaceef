"""Files people download: CSV cells a spreadsheet will not run, and file names that carry
no child's name.

- ``csv_safe`` / ``csv_row``: every CSV export writes its cells through these. A cell a
  spreadsheet would read as a formula (CSV or formula injection) gets a leading ``'``,
  which spreadsheets show as text: one that starts with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return, or that starts with blanks (spaces, tabs, line breaks) and then
  one of those. A minus sign counts too, so "-1" comes out as "'-1": an audit log has no
  numbers to lose, and "-1+2" is a formula.
- ``download_name``: a file name built from references (a public id's short form, a
  date, a term), never from what people typed or a child's name. File names end up in
  download folders, browser histories, shared drives and email logs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

#: A cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text, never runs."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return f"'{text}"
    return text


def csv_row(values: Iterable[object]) -> list[str]:
    """A row of cells for ``csv.writer().writerow``, each through ``csv_safe``."""
    return [csv_safe(value) for value in values]


def short_reference(public_id: UUID) -> str:
    """The first 8 hex digits of a public id: enough to tell files apart, and it is the
    id, not anything about the child."""
    return UUID(str(public_id)).hex[:8]


_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def download_name(*parts: object, extension: str) -> str:
    """``parts`` joined with hyphens, plain ASCII letters, digits, dots and hyphens only,
    plus ``extension`` ("pdf", ".ics")."""
    stem = "-".join(
        cleaned for part in parts if (cleaned := _UNSAFE.sub("-", str(part)).strip("-.")) != ""
    )
    return f"{stem or 'download'}.{extension.lstrip('.').lower()}"


def attachment_header(filename: str) -> str:
    """A ``Content-Disposition`` value for a name made by ``download_name``."""
    if not filename or _UNSAFE.search(filename):
        raise ValueError(f"Not a download name: {filename!r}")
    return f'attachment; filename="{filename}"'


def xlsx_bytes(rows: Iterable[Iterable[object]], *, title: str) -> bytes:
    """An XLSX workbook of one sheet named ``title`` (the first row a header, frozen):
    whole numbers and date-times as such, every other cell a string through ``csv_safe``
    and marked as text, so a spreadsheet never runs it as a formula."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, datetime):
                cell.value = value
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, int) and not isinstance(value, bool):
                cell.value = value
            else:
                cell.value = csv_safe(value)
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
