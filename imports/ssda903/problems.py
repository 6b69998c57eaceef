"""What is wrong with an extract: each problem names the file (``header``, ``episodes``
or ``uasc``), the row as a spreadsheet numbers it (the column names are row 1), the DfE
column and a message a data officer understands."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    message: str
    severity: str = ERROR

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


FILE_ORDER = {"header": 0, "episodes": 1, "uasc": 2}


def in_order(problems) -> list[Problem]:
    return sorted(problems, key=lambda p: (FILE_ORDER.get(p.file, 9), p.row, p.column))
