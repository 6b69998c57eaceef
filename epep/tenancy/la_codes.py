"""English local authorities' DfE codes and names: reference data (GIAS, Open Government
Licence), read once from ``epep/tenancy/data/la_codes.csv`` (see the README there).

Used by UPN validation (``children.identifiers``: the LA code in a UPN) and by the password
rules (``epep.accounts.passwords``: no council's name as a password).
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

LA_CODES_CSV = Path(__file__).resolve().parent / "data" / "la_codes.csv"

#: GIAS pseudo-LA codes that allocate UPNs (overseas and offshore establishments). They are kept
#: here, not in la_codes.csv, so that the CSV stays a faithful copy of the GIAS English list.
#: Names as GIAS gives them. 999 "Not recorded" and 0 "Does not apply" are left out on purpose.
OVERSEAS_LA_CODES = {
    "702": "BFPO Overseas Establishments",
    "704": "Fieldwork Overseas Establishments",
    "705": "Isle of Man Offshore Establishments",
    "706": "Guernsey Offshore Establishments",
    "707": "Jersey Offshore Establishments",
    "708": "Gibraltar Overseas Establishments",
}


@functools.cache
def la_names() -> dict[str, str]:
    """Map every LA code accepted in a UPN to its GIAS name. The file is read once."""
    names: dict[str, str] = {}
    with LA_CODES_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            names[row["code"]] = row["name"]
    names.update(OVERSEAS_LA_CODES)
    return names
