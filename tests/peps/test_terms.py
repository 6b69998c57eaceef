"""The PEP's terms as plain rules: which term a day is in, and where a term's window
starts (nothing planned for the term is due before it)."""

from datetime import date

import pytest

from peps.terms import term_for, term_window_start


@pytest.mark.parametrize(
    ("day", "term"),
    [
        (date(2026, 9, 1), "autumn"),
        (date(2026, 12, 31), "autumn"),
        (date(2027, 1, 1), "spring"),
        (date(2027, 3, 31), "spring"),
        (date(2027, 4, 1), "summer"),
        (date(2027, 8, 31), "summer"),
    ],
)
def test_each_day_belongs_to_one_pep_term(day, term):
    assert term_for(day) == term


@pytest.mark.parametrize(
    ("academic_year", "term", "start"),
    [
        ("2026-27", "autumn", date(2026, 9, 1)),
        ("2026-27", "spring", date(2027, 1, 1)),
        ("2026-27", "summer", date(2027, 4, 1)),
        ("1999-00", "spring", date(2000, 1, 1)),
    ],
)
def test_a_terms_window_starts_in_the_right_calendar_year(academic_year, term, start):
    assert term_window_start(academic_year, term) == start
    assert term_for(start) == term
