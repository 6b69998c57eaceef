"""calendars.days: working days and school days, pure (no database).

Every expected date below was counted by hand; the comment after it shows the count.
Counting starts the day after the start date: "(1)" is the first counted day.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import holidays
import pytest

import children
from calendars.days import (
    LONDON,
    CalendarExhausted,
    add_school_days,
    add_working_days,
    bank_holidays,
    is_bank_holiday,
    is_school_day,
    is_working_day,
    local_date,
    long_date,
    school_days_between,
    working_days_between,
)

D = date.fromisoformat

# --------------------------------------------------------------------------------------------
# Reference calendars (children/data/term-dates.csv, /work/shared/reference)
# --------------------------------------------------------------------------------------------

#: Kent 2024-25 and 2025-26 (term 1 to term 6; inclusive dates)
KENT_2024_25 = [
    (D("2024-09-02"), D("2024-10-25")),
    (D("2024-11-04"), D("2024-12-20")),
    (D("2025-01-06"), D("2025-02-14")),
    (D("2025-02-24"), D("2025-04-04")),
    (D("2025-04-22"), D("2025-05-23")),
    (D("2025-06-02"), D("2025-07-22")),
]
KENT_2025_26 = [
    (D("2025-09-01"), D("2025-10-17")),
    (D("2025-10-27"), D("2025-12-19")),
    (D("2026-01-05"), D("2026-02-13")),
    (D("2026-02-23"), D("2026-04-02")),
    (D("2026-04-20"), D("2026-05-22")),
    (D("2026-06-01"), D("2026-07-21")),
]
KENT = KENT_2024_25 + KENT_2025_26

CWAC_2025_26 = [
    (D("2025-09-01"), D("2025-10-24")),
    (D("2025-11-03"), D("2025-12-19")),
    (D("2026-01-05"), D("2026-02-13")),
    (D("2026-02-23"), D("2026-04-01")),
    (D("2026-04-20"), D("2026-05-22")),
    (D("2026-06-01"), D("2026-07-22")),
]

#: inset-day-examples.csv (school-set INSET days)
WOULDHAM = frozenset(D(f"2025-10-{d}") for d in (27, 28, 29, 30, 31))
GREAT_CHART = frozenset(
    D(d) for d in ("2025-09-01", "2025-09-02", "2025-10-27", "2026-07-20", "2026-07-21")
)
STAPLEHURST = frozenset(
    D(d) for d in ("2024-09-02", "2024-09-27", "2024-10-25", "2024-11-04", "2025-01-24")
)
NONE: frozenset[date] = frozenset()

#: GOV.UK bank-holidays.json, division england-and-wales (Crown copyright, OGL v3.0), as
#: kept in /work/shared/reference/bank-holidays-england-and-wales.json.
GOV_UK = {
    2019: (
        "2019-01-01",  # New Year's Day
        "2019-04-19",  # Good Friday
        "2019-04-22",  # Easter Monday
        "2019-05-06",  # Early May bank holiday
        "2019-05-27",  # Spring bank holiday
        "2019-08-26",  # Summer bank holiday
        "2019-12-25",  # Christmas Day
        "2019-12-26",  # Boxing Day
    ),
    2020: (
        "2020-01-01",  # New Year's Day
        "2020-04-10",  # Good Friday
        "2020-04-13",  # Easter Monday
        "2020-05-08",  # Early May bank holiday (VE day)
        "2020-05-25",  # Spring bank holiday
        "2020-08-31",  # Summer bank holiday
        "2020-12-25",  # Christmas Day
        "2020-12-28",  # Boxing Day (substitute day)
    ),
    2021: (
        "2021-01-01",  # New Year's Day
        "2021-04-02",  # Good Friday
        "2021-04-05",  # Easter Monday
        "2021-05-03",  # Early May bank holiday
        "2021-05-31",  # Spring bank holiday
        "2021-08-30",  # Summer bank holiday
        "2021-12-27",  # Christmas Day (substitute day)
        "2021-12-28",  # Boxing Day (substitute day)
    ),
    2022: (
        "2022-01-03",  # New Year's Day (substitute day)
        "2022-04-15",  # Good Friday
        "2022-04-18",  # Easter Monday
        "2022-05-02",  # Early May bank holiday
        "2022-06-02",  # Spring bank holiday (moved)
        "2022-06-03",  # Platinum Jubilee bank holiday
        "2022-08-29",  # Summer bank holiday
        "2022-09-19",  # Bank Holiday for the State Funeral of Queen Elizabeth II
        "2022-12-26",  # Boxing Day
        "2022-12-27",  # Christmas Day (substitute day)
    ),
    2023: (
        "2023-01-02",  # New Year's Day (substitute day)
        "2023-04-07",  # Good Friday
        "2023-04-10",  # Easter Monday
        "2023-05-01",  # Early May bank holiday
        "2023-05-08",  # Bank holiday for the coronation of King Charles III
        "2023-05-29",  # Spring bank holiday
        "2023-08-28",  # Summer bank holiday
        "2023-12-25",  # Christmas Day
        "2023-12-26",  # Boxing Day
    ),
    2024: (
        "2024-01-01",  # New Year's Day
        "2024-03-29",  # Good Friday
        "2024-04-01",  # Easter Monday
        "2024-05-06",  # Early May bank holiday
        "2024-05-27",  # Spring bank holiday
        "2024-08-26",  # Summer bank holiday
        "2024-12-25",  # Christmas Day
        "2024-12-26",  # Boxing Day
    ),
    2025: (
        "2025-01-01",  # New Year's Day
        "2025-04-18",  # Good Friday
        "2025-04-21",  # Easter Monday
        "2025-05-05",  # Early May bank holiday
        "2025-05-26",  # Spring bank holiday
        "2025-08-25",  # Summer bank holiday
        "2025-12-25",  # Christmas Day
        "2025-12-26",  # Boxing Day
    ),
    2026: (
        "2026-01-01",  # New Year's Day
        "2026-04-03",  # Good Friday
        "2026-04-06",  # Easter Monday
        "2026-05-04",  # Early May bank holiday
        "2026-05-25",  # Spring bank holiday
        "2026-08-31",  # Summer bank holiday
        "2026-12-25",  # Christmas Day
        "2026-12-28",  # Boxing Day (substitute day)
    ),
    2027: (
        "2027-01-01",  # New Year's Day
        "2027-03-26",  # Good Friday
        "2027-03-29",  # Easter Monday
        "2027-05-03",  # Early May bank holiday
        "2027-05-31",  # Spring bank holiday
        "2027-08-30",  # Summer bank holiday
        "2027-12-27",  # Christmas Day (substitute day)
        "2027-12-28",  # Boxing Day (substitute day)
    ),
    2028: (
        "2028-01-03",  # New Year's Day (substitute day)
        "2028-04-14",  # Good Friday
        "2028-04-17",  # Easter Monday
        "2028-05-01",  # Early May bank holiday
        "2028-05-29",  # Spring bank holiday
        "2028-08-28",  # Summer bank holiday
        "2028-12-25",  # Christmas Day
        "2028-12-26",  # Boxing Day
    ),
}
GOV_UK_DATES = frozenset(D(d) for days in GOV_UK.values() for d in days)
REFERENCE_JSON = Path("/work/shared/reference/bank-holidays-england-and-wales.json")
TERM_DATES_CSV = Path(children.__file__).resolve().parent / "data" / "term-dates.csv"


def days_from(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# --------------------------------------------------------------------------------------------
# Bank holidays: the holidays package against GOV.UK
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", sorted(GOV_UK))
def test_bank_holidays_match_gov_uk(year):
    assert bank_holidays(year) == {D(d) for d in GOV_UK[year]}


@pytest.mark.parametrize(
    ("day", "what"),
    [
        (D("2022-06-02"), "Spring bank holiday moved for the Platinum Jubilee"),
        (D("2022-06-03"), "Platinum Jubilee"),
        (D("2022-09-19"), "State Funeral of Queen Elizabeth II"),
        (D("2023-05-08"), "Coronation of King Charles III"),
        (D("2020-05-08"), "VE day (early May bank holiday moved)"),
        (D("2026-04-03"), "Good Friday 2026"),
        (D("2026-04-06"), "Easter Monday 2026"),
        (D("2026-05-25"), "Spring bank holiday 2026"),
        (D("2026-08-31"), "Summer bank holiday 2026"),
        (D("2026-12-28"), "Boxing Day 2026 substitute (26th is a Saturday)"),
        (D("2027-12-27"), "Christmas Day 2027 substitute"),
        (D("2027-12-28"), "Boxing Day 2027 substitute"),
        (D("2028-01-03"), "New Year's Day 2028 substitute"),
    ],
)
def test_one_off_and_substitute_bank_holidays(day, what):
    assert is_bank_holiday(day), what
    assert not is_working_day(day), what


@pytest.mark.parametrize(
    "day",
    [D("2022-05-30"), D("2023-05-02"), D("2020-05-04"), D("2026-12-24"), D("2026-12-29")],
)
def test_days_that_are_not_bank_holidays(day):
    # The usual late-May 2022 and early-May 2020 Mondays were moved, not added.
    assert not is_bank_holiday(day)


def test_the_package_lists_weekend_dates_too_which_are_dropped():
    """How the package and GOV.UK were reconciled: the package also lists the calendar
    date of a holiday falling on a weekend (besides the weekday substitute); GOV.UK lists
    only the day off. Every such extra is a Saturday or Sunday, so only weekdays are kept."""
    extras = set()
    for year in GOV_UK:
        raw = set(holidays.country_holidays("GB", subdiv="ENG", years=year))
        assert {d for d in raw if d.weekday() < 5} == bank_holidays(year)
        extras |= raw - bank_holidays(year)
    assert D("2026-12-26") in extras  # Boxing Day, a Saturday: the day off is Monday 28th
    assert extras and all(d.weekday() >= 5 for d in extras)
    assert not extras & GOV_UK_DATES


def test_every_year_of_the_gov_uk_file_matches_if_present():
    """2012-2028, straight from the reference file (skipped where it is not mounted)."""
    if not REFERENCE_JSON.exists():
        pytest.skip("reference file not available")
    events = json.loads(REFERENCE_JSON.read_text())["england-and-wales"]["events"]
    gov = {D(e["date"]) for e in events}
    for year in sorted({d.year for d in gov}):
        assert bank_holidays(year) == {d for d in gov if d.year == year}, year
    assert {d for d in gov if 2019 <= d.year <= 2028} == GOV_UK_DATES


def test_bank_holidays_are_cached_per_year():
    assert bank_holidays(2026) is bank_holidays(2026)
    assert bank_holidays.cache_info().hits >= 1


# --------------------------------------------------------------------------------------------
# Working days
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Thu 2 Apr 2026: Fri 3 Good Friday, Sat, Sun, Mon 6 Easter Monday; Tue 7 (1)
        (D("2026-04-02"), 1, D("2026-04-07")),
        # 7, 8, 9, 10 (4); Mon 13 (5)
        (D("2026-04-02"), 5, D("2026-04-13")),
        # start on Good Friday itself: Mon 6 Easter Monday; Tue 7 (1)
        (D("2026-04-03"), 1, D("2026-04-07")),
        # Fri 22 May 2026: Mon 25 spring bank holiday; Tue 26 (1)
        (D("2026-05-22"), 1, D("2026-05-26")),
        # start on the bank holiday: Tue 26 (1)
        (D("2026-05-25"), 1, D("2026-05-26")),
        # Fri 28 Aug 2026: Mon 31 summer bank holiday; Tue 1 Sep (1)
        (D("2026-08-28"), 1, D("2026-09-01")),
        # Thu 24 Dec 2026: Fri 25 Christmas, Sat 26, Sun 27, Mon 28 Boxing Day
        # (substitute); Tue 29 (1)
        (D("2026-12-24"), 1, D("2026-12-29")),
        # 29, 30, 31 (3); Fri 1 Jan 2027 New Year's Day; Sat, Sun; Mon 4 Jan (4)
        (D("2026-12-24"), 4, D("2027-01-04")),
        # Fri 24 Dec 2027: 25-26 weekend; Mon 27, Tue 28 substitutes; Wed 29 (1)
        (D("2027-12-24"), 1, D("2027-12-29")),
        # Wed 24 Dec 2025: Thu 25, Fri 26 bank holidays; weekend; Mon 29 (1)
        (D("2025-12-24"), 1, D("2025-12-29")),
        # Wed 31 Dec 2025: Thu 1 Jan New Year's Day; Fri 2 (1)
        (D("2025-12-31"), 1, D("2026-01-02")),
        # Fri 31 Dec 2021: Sat 1, Sun 2, Mon 3 Jan substitute; Tue 4 (1)
        (D("2021-12-31"), 1, D("2022-01-04")),
        # Fri 30 Dec 2022: Sat 31, Sun 1 Jan, Mon 2 Jan substitute; Tue 3 (1)
        (D("2022-12-30"), 1, D("2023-01-03")),
        # Wed 1 Jun 2022: Thu 2 spring bank holiday, Fri 3 Platinum Jubilee; Mon 6 (1)
        (D("2022-06-01"), 1, D("2022-06-06")),
        # Fri 16 Sep 2022: Mon 19 State Funeral; Tue 20 (1)
        (D("2022-09-16"), 1, D("2022-09-20")),
        # Fri 5 May 2023: Mon 8 Coronation; Tue 9 (1)
        (D("2023-05-05"), 1, D("2023-05-09")),
        # Fri 28 Apr 2023: Mon 1 May early May bank holiday; Tue 2 (1)
        (D("2023-04-28"), 1, D("2023-05-02")),
        # start on a Saturday / a Sunday: Mon 6 Oct (1)
        (D("2025-10-04"), 1, D("2025-10-06")),
        (D("2025-10-05"), 1, D("2025-10-06")),
        # Mon 6 Oct 2025: 7-10 (4); 13-17 (9); Mon 20 (10)
        (D("2025-10-06"), 10, D("2025-10-20")),
        # Mon 1 Sep 2025: 2-5 (4); 8-12 (9); 15-19 (14); 22-26 (19); Mon 29 (20)
        (D("2025-09-01"), 20, D("2025-09-29")),
        # first PEP, 10 working days from Fri 19 Dec 2025: 22, 23, 24 (3); 25, 26 bank
        # holidays; 29, 30, 31 (6); 1 Jan bank holiday; Fri 2 (7); Mon 5, 6, Wed 7 (10)
        (D("2025-12-19"), 10, D("2026-01-07")),
        # first review, 20 working days from Mon 16 Mar 2026: 17-20 (4); 23-27 (9);
        # 30, 31, 1 Apr, 2 Apr (13); Good Friday, Easter Monday; 7-10 (17); 13, 14, Wed 15 (20)
        (D("2026-03-16"), 20, D("2026-04-15")),
        # clocks go forward Sun 29 Mar 2026: Fri 27 -> Mon 30 (1)
        (D("2026-03-27"), 1, D("2026-03-30")),
        # Sat 28 Mar: Mon 30 (1), Tue 31 (2)
        (D("2026-03-28"), 2, D("2026-03-31")),
        # clocks go back Sun 25 Oct 2026: Fri 23 -> Mon 26 (1)
        (D("2026-10-23"), 1, D("2026-10-26")),
        # Sat 24 Oct 2026: 26-30 (5)
        (D("2026-10-24"), 5, D("2026-10-30")),
        # leap year: Fri 25 Feb 2028: Mon 28 (1), Tue 29 Feb (2)
        (D("2028-02-25"), 2, D("2028-02-29")),
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days) == expected
    assert working_days_between(start, expected) == days
    assert is_working_day(expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D("2026-04-02"), D("2026-04-07"), 1),  # Easter: only Tue 7 Apr
        (D("2026-03-27"), D("2026-04-03"), 4),  # 30, 31, 1, 2 (Good Friday not counted)
        (D("2025-12-19"), D("2026-01-07"), 10),  # see the first-PEP case above
        (D("2026-05-20"), D("2026-05-20"), 0),  # empty range
        (D("2026-05-20"), D("2026-05-01"), 0),  # b before a
        (D("2026-05-22"), D("2026-05-25"), 0),  # Sat, Sun, bank holiday
        # 2026: 261 weekdays (starts on a Thursday) minus 8 weekday bank holidays
        (D("2025-12-31"), D("2026-12-31"), 253),
        # 2022: 260 weekdays minus 10 (Platinum Jubilee and the State Funeral included)
        (D("2021-12-31"), D("2022-12-31"), 250),
    ],
)
def test_working_days_between(a, b, expected):
    assert working_days_between(a, b) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D("2026-04-02"), True),  # Thursday before Easter
        (D("2026-04-03"), False),  # Good Friday
        (D("2026-04-04"), False),  # Saturday
        (D("2026-04-05"), False),  # Easter Sunday
        (D("2026-04-06"), False),  # Easter Monday
        (D("2026-03-29"), False),  # Sunday, clocks go forward
        (D("2026-03-30"), True),  # Monday after
        (D("2026-10-25"), False),  # Sunday, clocks go back
        (D("2026-10-26"), True),
        (D("2026-12-26"), False),  # Saturday (Boxing Day, taken on the 28th)
        (D("2026-12-28"), False),  # substitute day
    ],
)
def test_is_working_day(day, expected):
    assert is_working_day(day) is expected


def test_working_days_agree_with_gov_uk_every_day_2019_to_2028():
    """An independent oracle: weekdays minus the GOV.UK list, every day of ten years."""
    for day in days_from(D("2019-01-01"), D("2028-12-31")):
        assert is_working_day(day) == (day.weekday() < 5 and day not in GOV_UK_DATES), day


@pytest.mark.parametrize("days", [1, 2, 5, 10, 20, 65])
def test_add_working_days_and_between_are_inverse(days):
    for start in days_from(D("2025-12-01"), D("2026-06-30")):
        end = add_working_days(start, days)
        assert end > start
        assert working_days_between(start, end) == days
        assert working_days_between(start, end - timedelta(days=1)) == days - 1


# --------------------------------------------------------------------------------------------
# School days (Kent, Great Chart, Wouldham, Staplehurst)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "closures", "expected"),
    [
        # last week of Kent Term 1 into Term 2: Mon 13 Oct 2025: 14, 15, 16, 17 (4) - Term 1
        # ends; half term 20-24 Oct; Term 2: 27, 28, 29, 30, 31 (9); Mon 3 Nov (10)
        (D("2025-10-13"), 10, NONE, D("2025-11-03")),
        # the same at Wouldham (INSET 27-31 Oct): 14-17 (4); INSET week; 3-7 Nov (9); Mon 10 (10)
        (D("2025-10-13"), 10, WOULDHAM, D("2025-11-10")),
        # the same at Great Chart (INSET Mon 27 Oct): 14-17 (4); 28, 29, 30, 31 (8); 3 (9); 4 (10)
        (D("2025-10-13"), 10, GREAT_CHART, D("2025-11-04")),
        # the new-school rule: a child starting at Great Chart on Mon 1 Sep 2025 (INSET 1-2
        # Sep): Tue 2 INSET; 3, 4, 5 (3); 8-12 (8); 15-19 (13); 22-26 (18); 29 (19); Tue 30 (20)
        (D("2025-09-01"), 20, GREAT_CHART, D("2025-09-30")),
        # at a Kent school without INSET then: 2-5 (4); 8-12 (9); 15-19 (14); 22-26 (19); 29 (20)
        (D("2025-09-01"), 20, NONE, D("2025-09-29")),
        # counted from the first day pupils attend Great Chart, Wed 3 Sep: 4, 5 (2); 8-12 (7);
        # 15-19 (12); 22-26 (17); 29, 30 (19); Wed 1 Oct (20)
        (D("2025-09-03"), 20, GREAT_CHART, D("2025-10-01")),
        # 60 from Mon 1 Sep: 2 Sep-17 Oct (34); Term 2: 27-31 Oct (39), 3-7 Nov (44),
        # 10-14 (49), 17-21 (54), 24-28 (59), Mon 1 Dec (60)
        (D("2025-09-01"), 60, NONE, D("2025-12-01")),
        # Easter: Wed 1 Apr 2026: Thu 2 (1) last day of Term 4; Easter holidays (Good Friday
        # 3, Easter Monday 6); Term 5 Mon 20 Apr (2)
        (D("2026-04-01"), 2, NONE, D("2026-04-20")),
        # early May bank holiday inside Term 5: Thu 30 Apr: Fri 1 May (1); Mon 4 bank
        # holiday; Tue 5 (2); Wed 6 (3)
        (D("2026-04-30"), 3, NONE, D("2026-05-06")),
        # late May bank holiday inside half term: Thu 21 May: Fri 22 (1); 25-29 half term;
        # Mon 1 Jun (2)
        (D("2026-05-21"), 2, NONE, D("2026-06-01")),
        # Christmas: Thu 18 Dec 2025: Fri 19 (1); holidays; Mon 5 Jan 2026 (2)
        (D("2025-12-18"), 2, NONE, D("2026-01-05")),
        # clocks go forward Sun 29 Mar 2026 (inside Term 4): Thu 26: Fri 27 (1), Mon 30 (2)
        (D("2026-03-26"), 2, NONE, D("2026-03-30")),
        # start on a Saturday in term: Mon 13 Oct (1)
        (D("2025-10-11"), 1, NONE, D("2025-10-13")),
        # start in half term (Wed 22 Oct): Mon 27 Oct (1)
        (D("2025-10-22"), 1, NONE, D("2025-10-27")),
        # start in the summer holiday: Mon 1 Sep 2025 (1)
        (D("2025-08-04"), 1, NONE, D("2025-09-01")),
        # start on a bank holiday in the holiday (Mon 25 Aug 2025): Mon 1 Sep (1)
        (D("2025-08-25"), 1, NONE, D("2025-09-01")),
        # start on an INSET day (Great Chart, Mon 27 Oct): Tue 28 (1)
        (D("2025-10-27"), 1, GREAT_CHART, D("2025-10-28")),
        # Wouldham, last day of Term 1 (Fri 17 Oct): half term, INSET week; Mon 3 Nov (1)
        (D("2025-10-17"), 1, WOULDHAM, D("2025-11-03")),
        # Great Chart ends the year early (INSET 20-21 Jul 2026): Thu 16 Jul: Fri 17 (1)
        (D("2026-07-16"), 1, GREAT_CHART, D("2026-07-17")),
        # Staplehurst 2024-25: Thu 24 Oct 2024: Fri 25 INSET; half term; Mon 4 Nov INSET;
        # Tue 5 Nov (1)
        (D("2024-10-24"), 1, STAPLEHURST, D("2024-11-05")),
        # Staplehurst: Thu 23 Jan 2025: Fri 24 INSET; Mon 27 (1)
        (D("2025-01-23"), 1, STAPLEHURST, D("2025-01-27")),
        # Staplehurst: Fri 30 Aug 2024: Mon 2 Sep INSET; Tue 3 (1)
        (D("2024-08-30"), 1, STAPLEHURST, D("2024-09-03")),
        # across the summer: Mon 14 Jul 2025: 15-18 (4), 21, 22 (6); summer; 1-5 Sep (11)
        (D("2025-07-14"), 11, NONE, D("2025-09-05")),
    ],
)
def test_add_school_days_kent(start, days, closures, expected):
    assert add_school_days(start, days, KENT, closures) == expected
    assert school_days_between(start, expected, KENT, closures) == days
    assert is_school_day(expected, KENT, closures)


@pytest.mark.parametrize(
    ("a", "b", "closures", "expected"),
    [
        # "due within 10 school days": Mon 13 Oct -> Mon 3 Nov 2025 is exactly 10
        (D("2025-10-13"), D("2025-11-03"), NONE, 10),
        (D("2025-10-13"), D("2025-10-31"), NONE, 9),
        # Kent Term 1 2025-26: 7 full weeks
        (D("2025-08-31"), D("2025-10-17"), NONE, 35),
        (D("2025-08-31"), D("2025-10-17"), GREAT_CHART, 33),
        # Kent years: 195 days (5 of them INSET, which each school places itself)
        (D("2025-08-31"), D("2026-07-21"), NONE, 195),
        (D("2025-08-31"), D("2026-07-21"), GREAT_CHART, 190),
        (D("2025-08-31"), D("2026-07-21"), WOULDHAM, 190),
        (D("2024-09-01"), D("2025-07-22"), NONE, 195),
        (D("2024-09-01"), D("2025-07-22"), STAPLEHURST, 190),
        # a range lying wholly in a holiday
        (D("2025-10-17"), D("2025-10-26"), NONE, 0),
        # b on or before a
        (D("2025-10-13"), D("2025-10-13"), NONE, 0),
        (D("2025-10-13"), D("2025-10-01"), NONE, 0),
        # 1 Jul -> 21 Jul 2026 (the last Kent day): 2, 3 (2); 6-10 (7); 13-17 (12); 20, 21 (14)
        (D("2026-07-01"), D("2026-07-21"), NONE, 14),
    ],
)
def test_school_days_between_kent(a, b, closures, expected):
    assert school_days_between(a, b, KENT, closures) == expected


@pytest.mark.parametrize(
    ("day", "closures", "expected"),
    [
        (D("2025-10-13"), NONE, True),  # Monday in Term 1
        (D("2025-10-11"), NONE, False),  # Saturday in Term 1
        (D("2025-10-22"), NONE, False),  # half term
        (D("2026-05-04"), NONE, False),  # early May bank holiday inside Term 5
        (D("2025-10-27"), NONE, True),  # first day of Term 2 ...
        (D("2025-10-27"), WOULDHAM, False),  # ... but INSET at Wouldham
        (D("2025-10-27"), GREAT_CHART, False),  # ... and at Great Chart
        (D("2025-10-28"), GREAT_CHART, True),
        (D("2026-07-21"), NONE, True),  # last day of the year (inclusive end)
        (D("2026-07-22"), NONE, False),  # summer holiday
        (D("2025-09-01"), NONE, True),  # first day (inclusive start)
        (D("2027-01-05"), NONE, False),  # no term recorded: False, not a guess of True
    ],
)
def test_is_school_day(day, closures, expected):
    assert is_school_day(day, KENT, closures) is expected


def test_school_days_agree_with_a_brute_force_oracle_built_on_gov_uk():
    """Every start and length over two Kent years against a plain list of school days
    built from the term dates, the INSET days and GOV.UK's bank holidays."""
    oracle = [
        day
        for start, end in KENT
        for day in days_from(start, end)
        if day.weekday() < 5 and day not in GOV_UK_DATES and day not in GREAT_CHART
    ]
    assert len(oracle) == 195 + 190
    for start in days_from(D("2024-08-15"), D("2026-07-21")):
        later = [d for d in oracle if d > start]
        for days in (1, 2, 5, 10, 20, 40):
            if days > len(later):
                with pytest.raises(CalendarExhausted):
                    add_school_days(start, days, KENT, GREAT_CHART)
                continue
            assert add_school_days(start, days, KENT, GREAT_CHART) == later[days - 1]
        assert school_days_between(start, D("2026-07-21"), KENT, GREAT_CHART) == len(later)


# --------------------------------------------------------------------------------------------
# Cheshire West and Chester: the council's published "days open" per half term
# --------------------------------------------------------------------------------------------


def cwac_rows():
    with TERM_DATES_CSV.open(newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["la_code"] == "896"]


@pytest.mark.parametrize("row", cwac_rows(), ids=lambda r: f"{r['academic_year']} {r['term_name']}")
def test_cwac_published_days_open(row):
    start, end = D(row["start_date"]), D(row["end_date"])
    published = int(row["days_open_published"])
    assert school_days_between(start - timedelta(days=1), end, [(start, end)], NONE) == published
    # and counting that many from the day before lands on a day inside the half term
    assert add_school_days(start - timedelta(days=1), published, [(start, end)]) <= end


def test_cwac_years_total_195_days():
    by_year: dict[str, int] = {}
    for row in cwac_rows():
        by_year[row["academic_year"]] = by_year.get(row["academic_year"], 0) + int(
            row["days_open_published"]
        )
    assert by_year == {"2024-25": 195, "2025-26": 195}
    assert school_days_between(D("2025-08-31"), D("2026-07-22"), CWAC_2025_26) == 195


# --------------------------------------------------------------------------------------------
# Never guess past the calendar
# --------------------------------------------------------------------------------------------


def test_running_out_of_terms_raises_with_the_last_term_day():
    # Mon 13 Jul 2026 in Cheshire West and Chester: 14-17 (4), 20, 21, 22 (7); no more terms
    with pytest.raises(CalendarExhausted) as caught:
        add_school_days(D("2026-07-13"), 10, CWAC_2025_26)
    assert str(caught.value) == (
        "The school calendar has no term dates after 22 July 2026: add next year's terms"
    )
    assert caught.value.after == D("2026-07-22")
    # 7 is still fine: Wed 22 Jul
    assert add_school_days(D("2026-07-13"), 7, CWAC_2025_26) == D("2026-07-22")


def test_an_inset_day_at_the_end_of_the_year_can_exhaust_the_calendar():
    # Great Chart: Fri 17 Jul 2026 (1); 20, 21 Jul are INSET; no more terms
    with pytest.raises(CalendarExhausted, match="after 21 July 2026"):
        add_school_days(D("2026-07-16"), 2, KENT, GREAT_CHART)


def test_no_terms_at_all():
    with pytest.raises(CalendarExhausted) as caught:
        add_school_days(D("2025-10-13"), 1, [])
    assert str(caught.value) == "The school calendar has no term dates: add this year's terms"
    with pytest.raises(CalendarExhausted):
        school_days_between(D("2025-10-13"), D("2025-10-20"), [])


def test_a_missing_year_of_terms_is_not_skipped_over():
    # 2024-25 and a 2026-27 term, but no 2025-26: Mon 14 Jul 2025: 15-18 (4), 21, 22 (6),
    # then 23 Jul 2025 to 31 Aug 2026 has no terms: longer than any holiday
    terms = KENT_2024_25 + [(D("2026-09-01"), D("2026-10-16"))]
    with pytest.raises(CalendarExhausted) as caught:
        add_school_days(D("2025-07-14"), 10, terms)
    assert str(caught.value) == (
        "The school calendar has no term dates between 23 July 2025 and 31 August 2026: "
        "add the missing terms"
    )
    assert caught.value.gap == (D("2025-07-23"), D("2026-08-31"))
    assert add_school_days(D("2025-07-14"), 6, terms) == D("2025-07-22")


def test_a_start_long_before_the_first_recorded_term_is_not_a_guess():
    with pytest.raises(CalendarExhausted, match="between 2 March 2025 and 31 August 2025"):
        add_school_days(D("2025-03-01"), 1, KENT_2025_26)


def test_counting_between_past_the_last_term_raises():
    with pytest.raises(CalendarExhausted, match="after 21 July 2026"):
        school_days_between(D("2026-07-01"), D("2026-08-01"), KENT)
    # up to the last term day is known
    assert school_days_between(D("2026-07-01"), D("2026-07-21"), KENT) == 14


def test_the_terms_may_come_in_any_order():
    shuffled = list(reversed(KENT))
    assert add_school_days(D("2025-10-13"), 10, shuffled) == D("2025-11-03")


# --------------------------------------------------------------------------------------------
# Summer time: dates only, never shifted by the clock changes
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "local", "next_working_day"),
    [
        # 00:30 BST on Mon 30 Mar 2026 is 23:30 UTC on Sun 29 Mar
        (datetime(2026, 3, 30, 0, 30, tzinfo=LONDON), D("2026-03-30"), D("2026-03-31")),
        # 23:30 GMT on Sat 28 Mar, the night before the change
        (datetime(2026, 3, 28, 23, 30, tzinfo=LONDON), D("2026-03-28"), D("2026-03-30")),
        # 00:30 BST on Fri 23 Oct 2026 is 23:30 UTC on Thu 22 Oct
        (datetime(2026, 10, 23, 0, 30, tzinfo=LONDON), D("2026-10-23"), D("2026-10-26")),
        # 01:30 on Sun 25 Oct 2026 happens twice (BST, then GMT): both are Sunday 25
        (datetime(2026, 10, 25, 1, 30, fold=0, tzinfo=LONDON), D("2026-10-25"), D("2026-10-26")),
        (datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON), D("2026-10-25"), D("2026-10-26")),
    ],
)
def test_deadlines_from_moments_use_the_london_date(moment, local, next_working_day):
    assert local_date(moment) == local
    assert add_working_days(local_date(moment), 1) == next_working_day


def test_the_utc_date_would_be_off_by_one_in_summer_time():
    moment = datetime(2026, 3, 30, 0, 30, tzinfo=LONDON)  # Monday, 00:30 BST
    assert moment.astimezone(UTC).date() == D("2026-03-29")  # Sunday in UTC
    assert add_working_days(moment.astimezone(UTC).date(), 1) == D("2026-03-30")  # wrong
    assert add_working_days(local_date(moment), 1) == D("2026-03-31")  # right


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        # local midnights Fri 27 Mar -> Mon 30 Mar 2026: only 71 hours apart (clocks go
        # forward), i.e. timedelta.days == 2, yet 3 calendar days and 1 working day
        (
            datetime(2026, 3, 27, tzinfo=LONDON),
            datetime(2026, 3, 30, tzinfo=LONDON),
            {"elapsed_days": 2, "calendar_days": 3, "working_days": 1},
        ),
        # Fri 23 Oct -> Mon 26 Oct 2026: 73 hours (clocks go back); still 1 working day
        (
            datetime(2026, 10, 23, tzinfo=LONDON),
            datetime(2026, 10, 26, tzinfo=LONDON),
            {"elapsed_days": 3, "calendar_days": 3, "working_days": 1},
        ),
    ],
)
def test_counting_between_moments_across_the_clock_changes(first, last, expected):
    elapsed = last.astimezone(UTC) - first.astimezone(UTC)
    assert elapsed.days == expected["elapsed_days"]  # the trap: real elapsed time
    a, b = local_date(first), local_date(last)
    assert (b - a).days == expected["calendar_days"]
    assert working_days_between(a, b) == expected["working_days"]


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (datetime(2026, 3, 27, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),
        (datetime(2026, 10, 22, tzinfo=UTC), datetime(2026, 10, 28, tzinfo=UTC)),
    ],
)
def test_every_hour_across_the_clock_changes(first, last):
    """Each hour (in UTC) over the changes: the London date and the next working day."""
    next_working = {
        D("2026-03-27"): D("2026-03-30"),  # Fri -> Mon
        D("2026-03-28"): D("2026-03-30"),  # Sat -> Mon
        D("2026-03-29"): D("2026-03-30"),  # Sun (clocks forward) -> Mon
        D("2026-03-30"): D("2026-03-31"),
        D("2026-03-31"): D("2026-04-01"),
        D("2026-04-01"): D("2026-04-02"),
        D("2026-10-22"): D("2026-10-23"),
        D("2026-10-23"): D("2026-10-26"),  # Fri -> Mon
        D("2026-10-24"): D("2026-10-26"),
        D("2026-10-25"): D("2026-10-26"),  # Sun (clocks back) -> Mon
        D("2026-10-26"): D("2026-10-27"),
        D("2026-10-27"): D("2026-10-28"),
        D("2026-10-28"): D("2026-10-29"),
    }
    seen = []
    moment = first
    while moment <= last:
        london = moment.astimezone(LONDON)
        day = local_date(moment)
        assert day == date(london.year, london.month, london.day)
        assert add_working_days(day, 1) == next_working[day]
        if not seen or seen[-1] != day:
            seen.append(day)
        moment += timedelta(hours=1)
    # every London date appears once, in order, none skipped or repeated
    assert seen == list(days_from(seen[0], seen[-1]))


def test_date_steps_over_the_changes_are_whole_days():
    assert list(days_from(D("2026-03-28"), D("2026-03-30"))) == [
        D("2026-03-28"),
        D("2026-03-29"),
        D("2026-03-30"),
    ]
    # a synthetic autumn calendar with half term over Sun 25 Oct 2026: Fri 23 -> Mon 2 Nov
    terms = [(D("2026-09-01"), D("2026-10-23")), (D("2026-11-02"), D("2026-12-18"))]
    assert add_school_days(D("2026-10-22"), 2, terms) == D("2026-11-02")


# --------------------------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, -1, -10])
def test_days_must_be_one_or_more(days):
    with pytest.raises(ValueError, match="days must be 1 or more"):
        add_working_days(D("2025-10-13"), days)
    with pytest.raises(ValueError, match="days must be 1 or more"):
        add_school_days(D("2025-10-13"), days, KENT)


@pytest.mark.parametrize("days", [True, 1.0, "1", None])
def test_days_must_be_a_whole_number(days):
    with pytest.raises(TypeError):
        add_working_days(D("2025-10-13"), days)
    with pytest.raises(TypeError):
        add_school_days(D("2025-10-13"), days, KENT)


def test_datetimes_are_refused():
    moment = datetime(2026, 3, 30, 0, 30, tzinfo=LONDON)
    for call in (
        lambda: add_working_days(moment, 1),
        lambda: add_school_days(moment, 1, KENT),
        lambda: is_working_day(moment),
        lambda: is_school_day(moment, KENT),
        lambda: working_days_between(D("2026-03-01"), moment),
        lambda: school_days_between(moment, D("2026-04-01"), KENT),
        lambda: add_school_days(D("2026-03-01"), 1, [(moment, D("2026-04-01"))]),
    ):
        with pytest.raises(TypeError, match="date"):
            call()
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 3, 30, 0, 30))


def test_a_term_must_end_on_or_after_its_start():
    with pytest.raises(ValueError, match="end on or after"):
        add_school_days(D("2025-10-13"), 1, [(D("2025-10-20"), D("2025-10-17"))])
    # a one-day term is fine
    assert add_school_days(D("2025-10-13"), 1, [(D("2025-10-17"), D("2025-10-17"))]) == D(
        "2025-10-17"
    )


def test_overlapping_terms_do_not_count_a_day_twice():
    terms = [(D("2025-09-01"), D("2025-09-30")), (D("2025-09-15"), D("2025-10-17"))]
    assert school_days_between(D("2025-08-31"), D("2025-10-17"), terms) == 35


def test_long_date():
    assert long_date(D("2026-07-22")) == "22 July 2026"
    assert long_date(D("2025-09-01")) == "1 September 2025"
