"""Tests for children.stages: national curriculum years, key stages and academic years."""

from datetime import date

import pytest

from children.stages import (
    academic_year_label,
    academic_year_start,
    key_stage,
    national_curriculum_year,
    year_group_label,
)

# --------------------------------------------------------------------------------------------
# academic years
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "start"),
    [
        (date(2026, 9, 1), date(2026, 9, 1)),
        (date(2026, 8, 31), date(2025, 9, 1)),
        (date(2026, 1, 1), date(2025, 9, 1)),
        (date(2025, 12, 31), date(2025, 9, 1)),
        (date(2024, 2, 29), date(2023, 9, 1)),
        (date(2027, 8, 31), date(2026, 9, 1)),
    ],
)
def test_academic_year_start(on, start):
    assert academic_year_start(on) == start


@pytest.mark.parametrize(
    ("on", "label"),
    [
        (date(2026, 9, 1), "2026-27"),
        (date(2026, 8, 31), "2025-26"),
        (date(2027, 3, 15), "2026-27"),
        (date(1999, 9, 1), "1999-00"),
        (date(2000, 6, 1), "1999-00"),
        (date(2009, 10, 10), "2009-10"),
        (date(2024, 2, 29), "2023-24"),
    ],
)
def test_academic_year_label(on, label):
    assert academic_year_label(on) == label


# --------------------------------------------------------------------------------------------
# national curriculum year
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_of_birth", "on", "year"),
    [
        # The brief's example: 4 on 31 Aug 2026, so Reception from 1 Sep 2026.
        (date(2022, 3, 15), date(2026, 8, 31), -1),
        (date(2022, 3, 15), date(2026, 9, 1), 0),
        (date(2022, 3, 15), date(2027, 8, 31), 0),
        (date(2022, 3, 15), date(2027, 9, 1), 1),
        # 31 August birthdays are the oldest who move up: 5 on 31 Aug 2026, so Year 1.
        (date(2021, 8, 31), date(2026, 8, 31), 0),
        (date(2021, 8, 31), date(2026, 9, 1), 1),
        # 1 September birthdays are the youngest in the year: still 4 on 31 Aug 2026.
        (date(2021, 9, 1), date(2026, 8, 31), -1),
        (date(2021, 9, 1), date(2026, 9, 1), 0),
        # The two are one day apart in age but a school year apart.
        (date(2015, 8, 31), date(2025, 9, 1), 6),
        (date(2015, 9, 1), date(2025, 9, 1), 5),
        # On the child's own birthday.
        (date(2014, 9, 1), date(2025, 9, 1), 6),
        (date(2014, 8, 31), date(2025, 8, 31), 6),
        # Secondary and sixth form.
        (date(2014, 1, 10), date(2025, 10, 1), 7),
        (date(2008, 12, 25), date(2025, 10, 1), 12),
        (date(2008, 1, 1), date(2025, 10, 1), 13),
        (date(2007, 9, 1), date(2025, 10, 1), 13),
    ],
)
def test_national_curriculum_year(date_of_birth, on, year):
    assert national_curriculum_year(date_of_birth, on) == year


@pytest.mark.parametrize(
    ("date_of_birth", "on", "year"),
    [
        # Born 29 Feb 2016; the 31 Aug ages are 7 (2023) and 8 (2024), whatever the leap years.
        (date(2016, 2, 29), date(2024, 2, 28), 3),
        (date(2016, 2, 29), date(2024, 2, 29), 3),
        (date(2016, 2, 29), date(2024, 3, 1), 3),
        (date(2016, 2, 29), date(2024, 8, 31), 3),
        (date(2016, 2, 29), date(2024, 9, 1), 4),
        # Non-leap year: there is no 29 Feb 2023, and nothing should break.
        (date(2016, 2, 29), date(2023, 2, 28), 2),
        (date(2016, 2, 29), date(2023, 3, 1), 2),
        (date(2016, 2, 29), date(2023, 8, 31), 2),
        (date(2016, 2, 29), date(2023, 9, 1), 3),
        # Born 29 Feb 2020: 4 on 31 Aug 2024, so Reception in 2024-25, Year 1 from 1 Sep 2025.
        (date(2020, 2, 29), date(2025, 2, 28), 0),
        (date(2020, 2, 29), date(2025, 3, 1), 0),
        (date(2020, 2, 29), date(2025, 8, 31), 0),
        (date(2020, 2, 29), date(2025, 9, 1), 1),
        (date(2020, 2, 29), date(2024, 2, 29), -1),  # 4th birthday, still in Nursery
        (date(2020, 2, 29), date(2024, 2, 28), -1),
        (date(2020, 2, 29), date(2024, 3, 1), -1),
        (date(2020, 2, 29), date(2024, 8, 31), -1),
        (date(2020, 2, 29), date(2024, 9, 1), 0),
        # Born on the leap day itself, checked on the same day.
        (date(2020, 2, 29), date(2020, 2, 29), -5),
    ],
)
def test_national_curriculum_year_leap_day_birthdays(date_of_birth, on, year):
    assert national_curriculum_year(date_of_birth, on) == year


@pytest.mark.parametrize(
    ("date_of_birth", "on", "year"),
    [
        # Not clamped: younger than Nursery.
        (date(2024, 5, 1), date(2026, 9, 1), -2),  # 2 on 31 Aug 2026
        (date(2025, 5, 1), date(2026, 9, 1), -3),  # 1
        (date(2026, 8, 31), date(2026, 9, 1), -4),  # 0, born on the cut-off day
        (date(2026, 9, 1), date(2026, 9, 1), -5),  # born after the cut-off
        (date(2026, 9, 1), date(2027, 8, 31), -5),
        # Not clamped: past Year 13.
        (date(2007, 6, 1), date(2025, 9, 1), 14),  # 18 on 31 Aug 2025
        (date(2006, 6, 1), date(2025, 9, 1), 15),
        (date(2000, 1, 1), date(2025, 9, 1), 21),
    ],
)
def test_national_curriculum_year_is_not_clamped(date_of_birth, on, year):
    assert national_curriculum_year(date_of_birth, on) == year


def test_national_curriculum_year_rejects_birth_after_date():
    with pytest.raises(ValueError) as excinfo:
        national_curriculum_year(date(2026, 9, 2), date(2026, 9, 1))
    assert str(excinfo.value) == (
        "date of birth 2026-09-02 is after 2026-09-01; "
        "a child has no year group before they are born"
    )


def test_every_day_of_a_leap_year_works_as_a_birthday_and_as_a_date():
    # Every day of 2020 as the birth date and as the date of the check; no date arithmetic
    # may raise. The year group may only change on 1 September.
    day = date(2020, 1, 1)
    days = []
    while day.year == 2020:
        days.append(day)
        day = date.fromordinal(day.toordinal() + 1)
    assert len(days) == 366
    for date_of_birth in days:
        for on in days:
            if on < date_of_birth:
                continue
            # Before 1 Sep 2020 the cut-off is 31 Aug 2019, before the birth: -5.
            # From 1 Sep 2020 the cut-off is 31 Aug 2020: aged 0 (-4) if born by then, else -5.
            expected = -4 if on.month >= 9 and date_of_birth.month <= 8 else -5
            assert national_curriculum_year(date_of_birth, on) == expected


# --------------------------------------------------------------------------------------------
# key stages and labels
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "stage"),
    [
        (-1, "EYFS"),
        (0, "EYFS"),
        (1, "KS1"),
        (2, "KS1"),
        (3, "KS2"),
        (4, "KS2"),
        (5, "KS2"),
        (6, "KS2"),
        (7, "KS3"),
        (8, "KS3"),
        (9, "KS3"),
        (10, "KS4"),
        (11, "KS4"),
        (12, "Post-16"),
        (13, "Post-16"),
    ],
)
def test_key_stage(year, stage):
    assert key_stage(year) == stage


@pytest.mark.parametrize("year", [-5, -2, 14, 15, 100])
def test_key_stage_out_of_range(year):
    with pytest.raises(ValueError) as excinfo:
        key_stage(year)
    assert str(excinfo.value) == (
        f"{year} is not a school year group: national curriculum years run from "
        "-1 (Nursery) to 13 (Year 13)"
    )


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (-1, "Nursery"),
        (0, "Reception"),
        (1, "Year 1"),
        (2, "Year 2"),
        (6, "Year 6"),
        (7, "Year 7"),
        (11, "Year 11"),
        (12, "Year 12"),
        (13, "Year 13"),
    ],
)
def test_year_group_label(year, label):
    assert year_group_label(year) == label


@pytest.mark.parametrize("year", [-2, 14])
def test_year_group_label_out_of_range(year):
    with pytest.raises(ValueError) as excinfo:
        year_group_label(year)
    assert str(excinfo.value) == (
        f"{year} is not a school year group: national curriculum years run from "
        "-1 (Nursery) to 13 (Year 13)"
    )


def test_stage_of_a_child_on_a_date():
    # Putting it together: born 10 Jan 2014, seen on 1 Oct 2025.
    year = national_curriculum_year(date(2014, 1, 10), date(2025, 10, 1))
    assert (year, year_group_label(year), key_stage(year)) == (7, "Year 7", "KS3")
    assert academic_year_label(date(2025, 10, 1)) == "2025-26"
