"""National curriculum year groups, key stages and academic years in England.

Pure date arithmetic with no Django and no database.

The academic year runs from 1 September to 31 August. A child's national curriculum (NC) year in an
academic year depends on their age on the 31 August just *before* that year starts:

=================  ==========  =========
age on 31 August   NC year     label
=================  ==========  =========
3                  -1          Nursery
4                  0           Reception
5                  1           Year 1
…                  …           …
17                 13          Year 13
=================  ==========  =========

So ``NC year = age on 31 August - 4``. For example, a child born on 31 August 2021 turns 5 on
31 August 2026 and is in Year 1 from 1 September 2026. A child born one day later, on 1 September
2021, is still 4 on 31 August 2026 and starts Reception on 1 September 2026.

This is the *chronological* year group. A child educated out of year group (for example a
summer-born child whose Reception start was deferred) has a different actual year group. That
must be recorded separately.
"""

from __future__ import annotations

from datetime import date

__all__ = [
    "FIRST_NC_YEAR",
    "LAST_NC_YEAR",
    "NOT_KNOWN",
    "academic_year_label",
    "academic_year_start",
    "key_stage",
    "key_stage_on",
    "national_curriculum_year",
    "year_group_label",
    "year_group_label_on",
]

#: Nursery.
FIRST_NC_YEAR = -1
#: Year 13.
LAST_NC_YEAR = 13
#: What a list shows when a child's recorded date of birth cannot give a year group (it is
#: missing, or after the day asked about): a wrong date is corrected, never a page taken down.
NOT_KNOWN = "Not known"

_KEY_STAGES: tuple[tuple[int, int, str], ...] = (
    (-1, 0, "EYFS"),
    (1, 2, "KS1"),
    (3, 6, "KS2"),
    (7, 9, "KS3"),
    (10, 11, "KS4"),
    (12, 13, "Post-16"),
)


def academic_year_start(on: date) -> date:
    """Return the 1 September that starts the academic year containing ``on``.

    >>> academic_year_start(date(2027, 8, 31))
    datetime.date(2026, 9, 1)
    >>> academic_year_start(date(2026, 9, 1))
    datetime.date(2026, 9, 1)
    """
    year = on.year if on.month >= 9 else on.year - 1
    return date(year, 9, 1)


def academic_year_label(on: date) -> str:
    """Return the label of the academic year containing ``on``, e.g. ``"2026-27"``.

    The second part is always two digits, so 1999-2000 is ``"1999-00"``.
    """
    start = academic_year_start(on).year
    return f"{start}-{(start + 1) % 100:02d}"


def _age_on(date_of_birth: date, on: date) -> int:
    """Return the age in whole years on ``on``.

    The (month, day) pairs are compared without building any new date, so a birthday on
    29 February works in every year. In a non-leap year such a child turns a year older on
    1 March. This never matters here, because ages are only ever taken on 31 August.
    """
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)


def national_curriculum_year(date_of_birth: date, on: date) -> int:
    """Return the child's chronological national curriculum year on the date ``on``.

    -1 is Nursery, 0 is Reception, 1-13 are Year 1 to Year 13. The year is worked out from the
    child's age on the 31 August before the academic year containing ``on`` (see the module
    docstring).

    Values outside -1..13 are returned as they are and never clamped:

    * below -1 means the child is younger than nursery age in that academic year. -2 means the
      child was 2 on that 31 August, -3 means 1, -4 means under 1, and -5 means a baby born
      after that 31 August;
    * above 13 means the child is past Year 13: 14 means they were 18 on that 31 August,
      15 means 19, and so on.

    Use :func:`key_stage` or :func:`year_group_label` to find out whether the result is a school
    year. Both raise ``ValueError`` outside -1..13.

    Raises ``ValueError`` if ``date_of_birth`` is after ``on``.
    """
    if date_of_birth > on:
        raise ValueError(
            f"date of birth {date_of_birth.isoformat()} is after {on.isoformat()}; "
            "a child has no year group before they are born"
        )
    cutoff = date(academic_year_start(on).year, 8, 31)  # the day before the year starts
    return _age_on(date_of_birth, cutoff) - 4


def _check_school_year(year: int) -> None:
    if not FIRST_NC_YEAR <= year <= LAST_NC_YEAR:
        raise ValueError(
            f"{year} is not a school year group: national curriculum years run from "
            f"{FIRST_NC_YEAR} (Nursery) to {LAST_NC_YEAR} (Year 13)"
        )


def key_stage(year: int) -> str:
    """Return the key stage of a national curriculum year.

    ``"EYFS"`` (Nursery, Reception), ``"KS1"`` (Years 1-2), ``"KS2"`` (3-6), ``"KS3"`` (7-9),
    ``"KS4"`` (10-11), ``"Post-16"`` (12-13).

    Raises ``ValueError`` for a year outside -1..13.
    """
    _check_school_year(year)
    for first, last, name in _KEY_STAGES:
        if first <= year <= last:
            return name
    raise AssertionError("unreachable: _KEY_STAGES covers -1..13")  # pragma: no cover


def year_group_label(year: int) -> str:
    """Return the everyday name of a national curriculum year.

    ``"Nursery"`` (-1), ``"Reception"`` (0), ``"Year 1"`` … ``"Year 13"``. Raises ``ValueError``
    for a year outside -1..13.
    """
    _check_school_year(year)
    if year == -1:
        return "Nursery"
    if year == 0:
        return "Reception"
    return f"Year {year}"


def _year_or_none(date_of_birth: date | None, on: date) -> int | None:
    if date_of_birth is None or date_of_birth > on:
        return None
    return national_curriculum_year(date_of_birth, on)


def year_group_label_on(date_of_birth: date | None, on: date) -> str:
    """The year group to show for a child born on ``date_of_birth``, on the date ``on``.

    Never raises: ``"Below school age"`` and ``"Beyond year 13"`` outside the school years, and
    :data:`NOT_KNOWN` when the date of birth is missing or after ``on`` (a wrong record, which
    must not stop a list of children from showing).
    """
    year = _year_or_none(date_of_birth, on)
    if year is None:
        return NOT_KNOWN
    if year < FIRST_NC_YEAR:
        return "Below school age"
    if year > LAST_NC_YEAR:
        return "Beyond year 13"
    return year_group_label(year)


def key_stage_on(date_of_birth: date | None, on: date) -> str:
    """The key stage to show for a child born on ``date_of_birth``, on the date ``on``.

    Never raises: ``"Pre-school"`` and ``"Post-18"`` outside the school years, and
    :data:`NOT_KNOWN` when the date of birth is missing or after ``on``.
    """
    year = _year_or_none(date_of_birth, on)
    if year is None:
        return NOT_KNOWN
    if year < FIRST_NC_YEAR:
        return "Pre-school"
    if year > LAST_NC_YEAR:
        return "Post-18"
    return key_stage(year)
