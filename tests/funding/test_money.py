"""Money typed by people becomes integer pence, or a message saying what to change.

funding.money is pure: no database, no float, no Decimal."""

import pytest

from funding.money import MAX_PPPLUS_LINE_PENCE, format_pounds, pounds_to_pence

LIKE = "Enter the cost in pounds and pence, like 250 or 250.50."
TWO_DIGITS = "Enter the cost with no more than 2 digits of pence, like 250.50."
TOO_MUCH = "The cost must be £100,000 or less."
NEGATIVE = "The cost must be £0 or more."


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("250", 25000),
        ("250.5", 25050),
        ("250.50", 25050),
        ("£1,250.00", 125000),
        ("£1,250.5", 125050),
        (" £ 99,999.99 ", 9999999),
        ("0", 0),
        ("0.01", 1),
        ("-0", 0),
        ("007", 700),
        ("100000", MAX_PPPLUS_LINE_PENCE),
        ("£100,000.00", MAX_PPPLUS_LINE_PENCE),
        ("\t450\n", 45000),
    ],
)
def test_pounds_and_pence_become_whole_pence(typed, pence):
    assert pounds_to_pence(typed) == pence
    assert isinstance(pounds_to_pence(typed), int)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the cost."),
        ("   ", "Enter the cost."),
        (None, "Enter the cost."),
        ("NaN", LIKE),
        ("nan", LIKE),
        ("sNaN", LIKE),
        ("Infinity", LIKE),
        ("-Infinity", LIKE),
        ("inf", LIKE),
        ("1e9", LIKE),
        ("1E2", LIKE),
        ("1e308", LIKE),
        ("0x10", LIKE),
        ("1_000", LIKE),
        ("12,50", LIKE),  # a decimal comma: refused rather than read as £1,250
        ("1,2,3", LIKE),
        ("1,0000", LIKE),
        (".50", LIKE),
        ("250.", LIKE),
        ("£", LIKE),
        ("250 pounds", LIKE),
        ("=1+1", LIKE),
        ("<b>250</b>", LIKE),
        ("2\x0050", LIKE),
        ("٢٥٠", LIKE),  # Arabic-Indic digits are not read as 250
        ("２５０", LIKE),  # nor full-width ones
        ("12.345", TWO_DIGITS),
        ("0.001", TWO_DIGITS),
        ("1." + "0" * 200_000, TWO_DIGITS),
        ("-5", NEGATIVE),
        ("£-5", NEGATIVE),
        ("-£5.00", NEGATIVE),
        ("\N{MINUS SIGN}5", NEGATIVE),
        ("100000.01", TOO_MUCH),
        ("1000000000", TOO_MUCH),
        ("£1,000,000,000", TOO_MUCH),
        ("9" * 200_000, TOO_MUCH),  # never reaches int(), which refuses over 4,300 digits
    ],
)
def test_anything_else_gets_a_message_saying_what_to_change(typed, message):
    with pytest.raises(ValueError) as error:
        pounds_to_pence(typed)
    assert str(error.value) == message


def test_the_maximum_and_the_words_can_be_chosen_per_field():
    assert pounds_to_pence("50", maximum=5000, noun="the grant") == 5000
    with pytest.raises(ValueError, match=r"^The grant must be £50 or less\.$"):
        pounds_to_pence("50.01", maximum=5000, noun="the grant")
    with pytest.raises(ValueError, match=r"^Enter the grant\.$"):
        pounds_to_pence("", noun="the grant")


@pytest.mark.parametrize(
    ("pence", "shown"),
    [(0, "£0"), (1, "£0.01"), (25050, "£250.50"), (MAX_PPPLUS_LINE_PENCE, "£100,000")],
)
def test_amounts_in_messages_are_written_as_pounds(pence, shown):
    assert format_pounds(pence) == shown
