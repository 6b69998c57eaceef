"""Tests for children.identifiers: UPN and ULN check characters, validators and LA codes.

The valid examples were worked out by hand, and the arithmetic is in the comments. That way the
tests do not just repeat the code under test. Check alphabet, values 0-22:

    A0 B1 C2 D3 E4 F5 G6 H7 J8 K9 L10 M11 N12 P13 Q14 R15 T16 U17 V18 W19 X20 Y21 Z22
"""

import pytest
from django.core.exceptions import ValidationError

from children.identifiers import (
    LA_CODES,
    UPN_ALPHABET,
    is_valid_uln,
    is_valid_upn,
    la_name,
    normalise_upn,
    uln_check_digit,
    upn_check_letter,
    validate_uln,
    validate_upn,
)

# --------------------------------------------------------------------------------------------
# Hand-worked valid UPNs: (UPN, where it comes from / the arithmetic)
# --------------------------------------------------------------------------------------------

# B801200005001 is the example in python-stdnum's gb.upn doctest (LA 801 Bristol).
#   positions 2..13: 8 0 1 2 0 0 0 0 5 0 0 1
#   8*2 + 1*4 + 2*5 + 5*10 + 1*13 = 16 + 4 + 10 + 50 + 13 = 93
#   93 = 4*23 + 1 -> 1 -> B
# X845212818005 is a "should pass" row in the CIN validator's rule 1510 test (LA 845 East Sussex).
#   8*2 + 4*3 + 5*4 + 2*5 + 1*6 + 2*7 + 8*8 + 1*9 + 8*10 + 0*11 + 0*12 + 5*13
#   = 16 + 12 + 20 + 10 + 6 + 14 + 64 + 9 + 80 + 0 + 0 + 65 = 296
#   296 = 12*23 + 20 -> 20 -> X
# P207000016049 (LA 207 Kensington and Chelsea). A school-software help page uses this number and
# works out (2x2)+(4x7)+(9x1)+(10x6)+(12x4)+(13x9), but adds it up wrongly as 267 and gives "Q".
#   4 + 28 + 9 + 60 + 48 + 117 = 266 = 11*23 + 13 -> 13 -> P (not Q; Q is 14)
# Z886200025014 (LA 886 Kent), the largest remainder:
#   8*2 + 8*3 + 6*4 + 2*5 + 2*9 + 5*10 + 1*12 + 4*13 = 16+24+24+10+18+50+12+52 = 206
#   206 = 8*23 + 22 -> 22 -> Z
# B702600015123 (overseas pseudo-LA 702 BFPO):
#   7*2 + 2*4 + 6*5 + 1*9 + 5*10 + 1*11 + 2*12 + 3*13 = 14+8+30+9+50+11+24+39 = 185
#   185 = 8*23 + 1 -> B
PERMANENT_UPNS = [
    "B801200005001",
    "X845212818005",
    "P207000016049",
    "Z886200025014",
    "B702600015123",
]

# Temporary UPNs: 11 digits, then a letter whose value is its position in the check alphabet.
# H88620002401T (Kent). T is 16 here; on a plain A=0..Z=25 scale it would be 19:
#   8*2 + 8*3 + 6*4 + 2*5 + 2*9 + 4*10 + 0*11 + 1*12 + 16*13
#   = 16 + 24 + 24 + 10 + 18 + 40 + 0 + 12 + 208 = 352 = 15*23 + 7 -> H
# A80112345601A (Bristol). A is 0:
#   8*2 + 0*3 + 1*4 + 1*5 + 2*6 + 3*7 + 4*8 + 5*9 + 6*10 + 0*11 + 1*12 + 0*13
#   = 16 + 0 + 4 + 5 + 12 + 21 + 32 + 45 + 60 + 0 + 12 + 0 = 207 = 9*23 + 0 -> A
# Y33040001907Z (LA 330 Birmingham). Z is 22:
#   3*2 + 3*3 + 4*5 + 1*9 + 9*10 + 7*12 + 22*13 = 6 + 9 + 20 + 9 + 90 + 84 + 286 = 504
#   504 = 21*23 + 21 -> Y
TEMPORARY_UPNS = ["H88620002401T", "A80112345601A", "Y33040001907Z"]


@pytest.mark.parametrize("upn", PERMANENT_UPNS + TEMPORARY_UPNS)
def test_check_letter_of_hand_worked_examples(upn):
    assert upn_check_letter(upn[1:]) == upn[0]


@pytest.mark.parametrize("upn", PERMANENT_UPNS + TEMPORARY_UPNS)
def test_hand_worked_examples_are_valid(upn):
    assert is_valid_upn(upn) is True
    validate_upn(upn)  # does not raise


def test_check_alphabet_is_23_letters_without_i_o_s():
    assert UPN_ALPHABET == "ABCDEFGHJKLMNPQRTUVWXYZ"
    assert len(UPN_ALPHABET) == 23


@pytest.mark.parametrize(
    "first12",
    [
        "80120000500",  # 11 characters
        "8012000050011",  # 13 characters
        "8012000A5001",  # letter before position 13
        "80120000500I",  # I is never used
        "80120000500O",
        "80120000500S",
        "80120000500a",  # lower case
        "",
    ],
)
def test_upn_check_letter_rejects_malformed_input(first12):
    with pytest.raises(ValueError):
        upn_check_letter(first12)


@pytest.mark.parametrize("upn", PERMANENT_UPNS + TEMPORARY_UPNS)
def test_every_single_character_change_is_detected(upn):
    # The weights 2..13 and every difference between two values (at most 22) are smaller than
    # the prime 23, so changing one character always changes the sum mod 23. The one exception
    # is built into the DfE scheme: a final digit d and the final letter worth d (1 and B, say)
    # count the same. So the last character is only swapped for one of its own kind here.
    body = upn[1:]
    for index in range(12):
        if index < 11 or body[index].isdigit():
            choices = "0123456789"
        else:
            choices = UPN_ALPHABET
        for replacement in choices:
            if replacement == body[index]:
                continue
            changed = body[:index] + replacement + body[index + 1 :]
            assert upn_check_letter(changed) != upn[0], changed


@pytest.mark.parametrize(
    "value",
    [
        "b801200005001",  # lower-case check letter
        "H88620002401t",  # lower-case temporary letter
        "x845212818005",
    ],
)
def test_is_valid_upn_rejects_lower_case(value):
    assert is_valid_upn(value) is False
    assert is_valid_upn(value.upper()) is True


@pytest.mark.parametrize(
    "value",
    [
        "",
        "B80120000500",  # 12 characters
        "B8012000050011",  # 14 characters
        " B801200005001",
        "B801200005001 ",
        "B801 200005001",
        "A801200005001",  # wrong check letter
        "C801200005001",
        "I801200005001",  # I/O/S can never be a check letter
        "8801200005001",  # no check letter
        "B80120000500I",  # I is not allowed as the temporary letter
        "B8012000A5001",  # letter in the middle
        "C999000000001",  # right check letter, but 999 is "Not recorded"
        "P000000000001",  # right check letter, but 000 is not an LA
        "B８01200005001",  # full-width digit
        None,
        801200005001,
    ],
)
def test_is_valid_upn_rejects(value):
    assert is_valid_upn(value) is False


# --------------------------------------------------------------------------------------------
# validate_upn messages and codes
# --------------------------------------------------------------------------------------------


def _error(validator, value):
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    error = excinfo.value
    return error.code, error.messages


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (
            None,
            "upn_not_text",
            "Enter the UPN as text: a letter followed by 12 numbers (or 11 numbers and a letter).",
        ),
        (
            "B801 200005001",
            "upn_spaces",
            "A UPN has no spaces in it. Remove the spaces and try again.",
        ),
        (
            "B801200005001\n",
            "upn_spaces",
            "A UPN has no spaces in it. Remove the spaces and try again.",
        ),
        (
            "B80120000500",
            "upn_length",
            "A UPN must be 13 characters long; this one has 12.",
        ),
        (
            "B8012000050011",
            "upn_length",
            "A UPN must be 13 characters long; this one has 14.",
        ),
        ("", "upn_length", "A UPN must be 13 characters long; this one has 0."),
        (
            "b801200005001",
            "upn_lowercase",
            "Letters in a UPN must be capitals, for example “A” rather than “a”.",
        ),
        (
            "8801200005001",
            "upn_first_character",
            "A UPN starts with a letter, but this one starts with “8”.",
        ),
        (
            "O801200005001",
            "upn_first_character",
            "A UPN never starts with the letter O. Check the UPN was copied correctly.",
        ),
        (
            "B8012000A5001",
            "upn_not_digits",
            "Characters 2 to 12 of a UPN must all be numbers, but character 9 is “A”.",
        ),
        (
            "B-01200005001",
            "upn_not_digits",
            "Characters 2 to 12 of a UPN must all be numbers, but character 2 is “-”.",
        ),
        (
            "B80120000500S",
            "upn_last_character",
            "The last character of a UPN must be a number, or, for a temporary UPN, a letter "
            "other than I, O or S. This one ends in “S”.",
        ),
        (
            "B80120000500?",
            "upn_last_character",
            "The last character of a UPN must be a number, or, for a temporary UPN, a letter "
            "other than I, O or S. This one ends in “?”.",
        ),
        (
            # C is the right check letter: 9*2 + 9*3 + 9*4 + 1*13 = 94 = 4*23 + 2 -> C
            "C999000000001",
            "upn_unknown_la",
            "“999” is not a DfE local authority code. Characters 2 to 4 of a UPN are the code of "
            "the local authority that issued it. Check the UPN was copied correctly.",
        ),
        (
            "P000000000001",
            "upn_unknown_la",
            "“000” is not a DfE local authority code. Characters 2 to 4 of a UPN are the code of "
            "the local authority that issued it. Check the UPN was copied correctly.",
        ),
        (
            "A801200005001",
            "upn_check_letter",
            "The check letter should be B, not A — check the UPN was copied correctly.",
        ),
        (
            # The naive A=0..Z=25 scale would give T the value 19 and a different check letter.
            "J88620002401T",
            "upn_check_letter",
            "The check letter should be H, not J — check the UPN was copied correctly.",
        ),
        (
            # Two digits swapped (positions 12 and 13) in the Bristol example.
            "B801200005010",
            "upn_check_letter",
            # 93 - 1*13 + 1*12 = 92 = 4*23 + 0 -> A
            "The check letter should be A, not B — check the UPN was copied correctly.",
        ),
    ],
)
def test_validate_upn_messages(value, code, message):
    assert _error(validate_upn, value) == (code, [message])


def test_validate_upn_does_not_normalise():
    # The form strips and upper-cases. The validator must still reject what it is given.
    assert _error(validate_upn, " b801200005001 ")[0] == "upn_spaces"
    assert _error(validate_upn, "b801200005001")[0] == "upn_lowercase"


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("b801200005001", "B801200005001"),
        ("  B801 2000 0500 1 ", "B801200005001"),
        ("h886\t20002401t\n", "H88620002401T"),
        ("B801200005001", "B801200005001"),
        ("", ""),
    ],
)
def test_normalise_upn(typed, normalised):
    assert normalise_upn(typed) == normalised


def test_normalised_input_then_validates():
    assert is_valid_upn(normalise_upn(" b801 200005001 ")) is True


# --------------------------------------------------------------------------------------------
# LA codes
# --------------------------------------------------------------------------------------------


def test_la_codes_are_the_184_english_codes_plus_six_overseas():
    assert len(LA_CODES) == 184 + 6
    assert all(len(code) == 3 and code.isdigit() for code in LA_CODES)
    assert {"702", "704", "705", "706", "707", "708"} <= LA_CODES


@pytest.mark.parametrize("code", ["999", "0", "000", "703", "660", "", "86", "8860"])
def test_codes_not_accepted(code):
    assert code not in LA_CODES
    assert la_name(code) is None


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("886", "Kent"),
        ("201", "City of London"),
        ("839", "Bournemouth, Christchurch and Poole"),  # quoted field with a comma
        ("801", "Bristol, City of"),
        ("909", "Pre-LGR 2023 Cumbria"),  # retired, but old UPNs still carry it
        ("942", "Cumberland"),
        ("943", "Westmorland and Furness"),
        ("702", "BFPO Overseas Establishments"),
        ("708", "Gibraltar Overseas Establishments"),
    ],
)
def test_la_name(code, name):
    assert la_name(code) == name


def test_retired_code_accepted_in_upn():
    # 909 Cumbria (retired in 2023): 9*2 + 0*3 + 9*4 + 1*13 = 18 + 36 + 13 = 67 = 2*23 + 21 -> Y
    assert upn_check_letter("909000000001") == "Y"
    assert is_valid_upn("Y909000000001") is True


# --------------------------------------------------------------------------------------------
# ULN
# --------------------------------------------------------------------------------------------

# 9276308686 is the HESA worked example:
#   9*10 + 2*9 + 7*8 + 6*7 + 3*6 + 0*5 + 8*4 + 6*3 + 8*2 = 90+18+56+42+18+0+32+18+16 = 290
#   290 = 26*11 + 4 -> check digit 10 - 4 = 6
# 1234567899:
#   1*10 + 2*9 + 3*8 + 4*7 + 5*6 + 6*5 + 7*4 + 8*3 + 9*2 = 10+18+24+28+30+30+28+24+18 = 210
#   210 = 19*11 + 1 -> 10 - 1 = 9
# 1000000000: 1*10 = 10 -> remainder 10 -> check digit 0
VALID_ULNS = ["9276308686", "1234567899", "1000000000"]


@pytest.mark.parametrize("uln", VALID_ULNS)
def test_valid_ulns(uln):
    assert is_valid_uln(uln) is True
    validate_uln(uln)  # does not raise


@pytest.mark.parametrize(
    ("first9", "check"),
    [("927630868", 6), ("123456789", 9), ("100000000", 0), ("200000001", None)],
)
def test_uln_check_digit(first9, check):
    assert uln_check_digit(first9) == check


@pytest.mark.parametrize("first9", ["12345678", "1234567890", "12345678a", ""])
def test_uln_check_digit_rejects_malformed_input(first9):
    with pytest.raises(ValueError):
        uln_check_digit(first9)


@pytest.mark.parametrize(
    "value",
    [
        "9276308685",  # wrong check digit
        "9276308687",
        "2000000010",  # 2*10 + 1*2 = 22, remainder 0: no check digit is possible
        "2000000019",
        "0276308686",  # leading zero
        "927630868",  # 9 digits
        "92763086860",  # 11 digits
        "927630868a",
        "９276308686",  # full-width digit
        " 9276308686",
        "",
        None,
        9276308686,
    ],
)
def test_invalid_ulns(value):
    assert is_valid_uln(value) is False


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (None, "uln_not_text", "Enter the ULN as text: 10 numbers."),
        (
            "9276 308686",
            "uln_spaces",
            "A ULN has no spaces in it. Remove the spaces and try again.",
        ),
        (
            "92763O8686",
            "uln_not_digits",
            "A ULN is made up of numbers only, but this one contains “O”.",
        ),
        ("927630868", "uln_length", "A ULN must be 10 digits long; this one has 9."),
        ("92763086860", "uln_length", "A ULN must be 10 digits long; this one has 11."),
        (
            "0276308686",
            "uln_leading_zero",
            "A ULN never starts with 0. Check the ULN was copied correctly.",
        ),
        (
            "2000000010",
            "uln_impossible",
            "This cannot be a real ULN: no ULN starts with the digits 200000001. Check the ULN "
            "was copied correctly.",
        ),
        (
            "9276308685",
            "uln_check_digit",
            "The last digit should be 6, not 5 — check the ULN was copied correctly.",
        ),
        (
            # Two digits swapped (2 and 7) in the HESA example:
            # 9*10 + 7*9 + 2*8 + ... = 290 - 18 - 56 + 63 + 16 = 295 = 26*11 + 9 -> 10 - 9 = 1
            "9726308686",
            "uln_check_digit",
            "The last digit should be 1, not 6 — check the ULN was copied correctly.",
        ),
    ],
)
def test_validate_uln_messages(value, code, message):
    assert _error(validate_uln, value) == (code, [message])
