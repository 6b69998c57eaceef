"""Financial years and shares of money: pure rules, tested on tables of cases."""

from __future__ import annotations

from datetime import date

import pytest

from funding.money import share_of, split_pence
from funding.years import (
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
    parse_financial_year,
)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2026, 12, 7), 2026),
        (date(2027, 1, 1), 2026),
        (date(2028, 2, 29), 2027),
        (date(1999, 4, 1), 1999),
    ],
)
def test_a_day_falls_in_the_financial_year_that_started_the_april_before(day, year):
    assert financial_year_of(day) == year


def test_a_financial_year_runs_from_1_april_to_31_march_and_is_written_2026_27():
    assert financial_year_bounds(2026) == (date(2026, 4, 1), date(2027, 3, 31))
    assert financial_year_label(2026) == "2026-27"
    assert financial_year_label(1999) == "1999-00"


@pytest.mark.parametrize(("text", "year"), [("2026-27", 2026), ("2026", 2026), (" 1999-00 ", 1999)])
def test_financial_years_are_read_as_people_write_them(text, year):
    assert parse_financial_year(text) == year


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter the financial year like 2026-27."),
        ("26-27", "Enter the financial year like 2026-27."),
        ("2026-28", "2026-28 is not a financial year: write it like 2026-27."),
        ("2026-2027", "2026-2027 is not a financial year: write it like 2026-27."),
    ],
)
def test_a_financial_year_written_wrongly_is_refused_with_the_right_form(text, message):
    with pytest.raises(ValueError, match=message):
        parse_financial_year(text)


@pytest.mark.parametrize(
    ("total", "weights", "shares"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (100, [1, 1], [50, 50]),
        (1, [1, 1, 1], [1, 0, 0]),
        (0, [3, 4], [0, 0]),
        (45000, [20, 40], [15000, 30000]),
        # A £620 termly amount split by school days 23 and 41 of a 64-day term.
        (62000, [23, 41], [22281, 39719]),
        (62000, [0, 64], [0, 62000]),
        (99999, [7, 11, 13, 17], [14583, 22917, 27083, 35416]),
        (257000, [1] * 7, [36715, 36715, 36714, 36714, 36714, 36714, 36714]),
    ],
)
def test_shares_are_whole_pence_in_proportion_that_add_up_exactly(total, weights, shares):
    assert split_pence(total, weights) == shares
    assert sum(shares) == total


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_sharing_needs_a_part_with_weight(weights):
    with pytest.raises(ValueError, match="at least one part"):
        split_pence(100, weights)


def test_a_negative_amount_cannot_be_shared():
    with pytest.raises(ValueError, match="£0 or more"):
        split_pence(-1, [1])


@pytest.mark.parametrize(
    ("total", "percent", "share"),
    [(257000000, 10, 25700000), (999, 33, 329), (100, 0, 0), (100, 100, 100)],
)
def test_a_share_in_percent_is_rounded_down_to_the_penny(total, percent, share):
    assert share_of(total, percent) == share


def test_a_share_above_100_percent_is_refused():
    with pytest.raises(ValueError, match="between 0 and 100"):
        share_of(100, 101)
