"""Which form of PEP a child has, from their year group: pure rules, no database.

The early years foundation stage (EYFS) covers nursery and reception, so a child before
Year 1 has an early-years PEP (a looked-after child can have a PEP from the term after
they turn two, when funded early education starts). Years 1 to 11 have the school-age
PEP. From Year 12 the young person has a post-16 PEP (education, employment or training).
The year group is the chronological one (``children.stages``); the designated teacher may
choose another form for a child educated out of year group
(``peps.services.variants.pep_variant_change``).
"""

from __future__ import annotations

from datetime import date

from children import stages

from .models import PepVariant

#: The last national curriculum year of the early years (reception).
LAST_EARLY_YEARS_NC_YEAR = 0
#: The first national curriculum year of post-16 (Year 12).
FIRST_POST_16_NC_YEAR = 12


def variant_for_year(year: int) -> str:
    """The form of PEP for national curriculum ``year`` (-1 nursery, 0 reception)."""
    if year <= LAST_EARLY_YEARS_NC_YEAR:
        return PepVariant.EARLY_YEARS
    if year >= FIRST_POST_16_NC_YEAR:
        return PepVariant.POST_16
    return PepVariant.SCHOOL_AGE


def variant_on(date_of_birth: date, day: date) -> str:
    """The form of PEP for a child born on ``date_of_birth``, on ``day``."""
    return variant_for_year(stages.national_curriculum_year(date_of_birth, day))
