"""Financial years (April to March), the unit PP+ is granted, budgeted and spent in.

Pure date arithmetic, no database. A financial year is named by the calendar year it
starts in: 2026 is 1 April 2026 to 31 March 2027, written "2026-27".
"""

from __future__ import annotations

from datetime import date


def financial_year_of(day: date) -> int:
    """The financial year ``day`` falls in (named by its starting year)."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    """2026 → "2026-27"."""
    return f"{year}-{(year + 1) % 100:02d}"


def financial_year_bounds(year: int) -> tuple[date, date]:
    """The first and last day of financial year ``year``."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def parse_financial_year(text: str) -> int:
    """ "2026-27" or "2026" → 2026; ``ValueError`` with words for the person otherwise."""
    value = (text or "").strip()
    head, _, tail = value.partition("-")
    if not head.isdigit() or len(head) != 4:
        raise ValueError("Enter the financial year like 2026-27.")
    year = int(head)
    if tail and (not tail.isdigit() or int(tail) != (year + 1) % 100 or len(tail) != 2):
        raise ValueError(
            f"{value} is not a financial year: write it like {financial_year_label(year)}."
        )
    return year
