"""Reading an SSDA903 CSV file as councils' systems write it: UTF-8 (with or without the
byte-order mark Excel adds) or Windows-1252, column names in any order and case."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from .problems import Problem


@dataclass
class Table:
    """One file's rows: each a dict of the DfE column names to stripped values, with the
    row number a spreadsheet shows (the column names are row 1)."""

    file: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    columns: tuple[str, ...] = ()


def decode(data: bytes) -> str:
    """UTF-8 (a byte-order mark removed), else Windows-1252 (what Excel saves as "CSV")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_table(data: bytes, *, file: str, required: tuple[str, ...]) -> tuple[Table, list[Problem]]:
    """The file's rows, or the problems that stop it being read (a missing column: every
    one is listed; the rows are not read then)."""
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    names = next(reader, None) or []
    columns = tuple(name.strip().upper() for name in names)
    missing = [name for name in required if name not in columns]
    table = Table(file=file, columns=columns)
    if missing:
        return table, [
            Problem(
                file,
                1,
                name,
                f"The {file} file has no {name} column. The first row must name the "
                "columns of the DfE layout.",
            )
            for name in missing
        ]
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        row = {
            name: (values[i].strip() if i < len(values) else "")
            for i, name in enumerate(columns)
            if name
        }
        table.rows.append((number, row))
    return table, []
