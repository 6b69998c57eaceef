"""Pupil and learner identifiers: the DfE Unique Pupil Number (UPN) and Unique Learner Number (ULN).

Pure domain code. There is no database access, and the only Django import is
``ValidationError``, which the form validators need.

Unique Pupil Number (UPN)
=========================

A UPN has 13 characters. Positions are counted from 1, as the DfE guidance counts them:

======== ============================================================
position meaning
======== ============================================================
1        check letter, calculated from positions 2-13
2-4      DfE local authority (LA) code of the LA that allocated it
5-8      establishment number (DfE number of the allocating school)
9-10     last two digits of the academic year of allocation
11-13    serial. In a *temporary* UPN, position 13 is a letter
======== ============================================================

Permanent UPN: ``A999999999999``. Temporary UPN: ``A99999999999A``.

Check letter (DfE "Unique pupil numbers (UPNs): a guide for schools and local authorities" v1.2,
June 2019, Annex A; also the GovTalk data standard "Unique Pupil Number" v2.0 and the school census
validation rule 1510):

1. Multiply the character at position *n* by the weight *n*, for n = 2 … 13. A letter at position 13
   (temporary UPN) counts as its value in the check alphabet below (A=0, B=1, … H=7, J=8, …, Z=22).
2. Add the 12 products together and divide by 23. The remainder (0-22) selects the check letter from
   ``ABCDEFGHJKLMNPQRTUVWXYZ``. This is the 26 letters without I, O and S.

The letters I, O and S are never used, either as the check letter or as the final letter of a
temporary UPN. A final digit *d* and the final letter worth *d* give the same check letter
(``B801200005001`` and ``B80120000500B`` are both valid). This is how the DfE scheme works.

LA codes accepted in positions 2-4 (decision)
---------------------------------------------
The LA code in a UPN identifies the LA that *allocated* the number. This module accepts:

* all 184 English LA codes in the GIAS "Local authority name and associated codes" list,
  which is stored in ``epep/tenancy/data/la_codes.csv``. The list includes retired "Pre LGR" codes
  (e.g. 909 Cumbria, 928 Northamptonshire, 835 Dorset). A child's UPN never changes, so a number
  allocated before a reorganisation is still valid. A few of the retired codes date from before
  1999, when UPNs began. They cannot appear in a genuine UPN, but accepting them costs almost
  nothing: this check catches typing mistakes and does not look anything up in a register;
* the GIAS overseas and offshore pseudo-LA codes 702 (BFPO), 704 (Fieldwork), 705 (Isle of Man),
  706 (Guernsey), 707 (Jersey) and 708 (Gibraltar). Schools in these groups allocate UPNs under
  these codes, and children from Service families arrive with them.

It rejects the GIAS placeholders ``999`` ("Not recorded") and ``0``/``000`` ("Does not apply"). They
are not authorities and cannot allocate a number. It also rejects Welsh LA codes, because no Welsh
list is stored here. If UPNs allocated in Wales must be accepted, add the Welsh codes as data.

Unique Learner Number (ULN)
===========================

A ULN has 10 digits and the first digit is never 0. The last digit is a check digit. The first nine
digits are multiplied by the weights 10, 9, … 2 and the products are added. Call the remainder of
that sum divided by 11 *r*. If r = 0, no check digit is possible and the number is invalid.
Otherwise the check digit is 10 - r. This is the DfE school census rule 1575. It is the same as
the HESA statement: "weights 10 … 1 over all ten digits, the remainder mod 11 must be 10".
Worked example from HESA: 9276308686.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from epep.tenancy.la_codes import la_names

__all__ = [
    "LA_CODES",
    "UPN_ALPHABET",
    "is_valid_uln",
    "is_valid_upn",
    "la_name",
    "normalise_upn",
    "uln_check_digit",
    "upn_check_letter",
    "validate_uln",
    "validate_upn",
]

#: The 23 letters a check letter can be, in value order (A=0 … Z=22). I, O and S are left out.
#: The final letter of a temporary UPN uses the same letters and the same values.
UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"

_DIGITS = frozenset("0123456789")
_LOWERCASE = frozenset("abcdefghijklmnopqrstuvwxyz")
_LETTER_VALUES = {letter: value for value, letter in enumerate(UPN_ALPHABET)}

#: The English list and the overseas codes live with the other reference data in
#: ``epep.tenancy.la_codes`` (``epep/tenancy/data/la_codes.csv``).
_la_names = la_names


#: Every LA code accepted in positions 2-4 of a UPN, as 3-character strings. That is the 184 GIAS
#: English codes plus the overseas and offshore codes 702 and 704-708.
LA_CODES: frozenset[str] = frozenset(_la_names())


def la_name(code: str) -> str | None:
    """Return the GIAS name for a 3-digit DfE LA code, or ``None`` if the code is not accepted.

    >>> la_name("886")
    'Kent'
    """
    return _la_names().get(code)


# --------------------------------------------------------------------------------------------
# UPN
# --------------------------------------------------------------------------------------------


def normalise_upn(value: str) -> str:
    """Remove all whitespace from a UPN as typed and change it to capitals.

    Forms call this before validating. The validators never do, so a value stored in the
    database is exactly the value that was checked.
    """
    return "".join(value.split()).upper()


def upn_check_letter(first12: str) -> str:
    """Return the check letter for a UPN.

    ``first12`` is the 12 characters that come *after* the check letter, i.e. positions 2-13 of
    the full UPN (LA code, establishment number, year, serial). For a permanent UPN these are
    12 digits. For a temporary UPN they are 11 digits followed by one capital letter from
    :data:`UPN_ALPHABET`. The check letter is position 1 of the UPN.

    Each character is multiplied by its UPN position (2 … 13). A final letter counts as its
    :data:`UPN_ALPHABET` value. The remainder of the sum divided by 23 selects the letter.

    >>> upn_check_letter("801200005001")
    'B'

    Raises ``ValueError`` if ``first12`` is not in that form. This function is for code;
    people get messages from :func:`validate_upn`.
    """
    if len(first12) != 12:
        raise ValueError(f"first12 must be 12 characters (UPN positions 2-13), got {len(first12)}")
    if not all(c in _DIGITS for c in first12[:11]):
        raise ValueError(f"first12 must start with 11 digits, got {first12!r}")
    last = first12[11]
    if last not in _DIGITS and last not in _LETTER_VALUES:
        raise ValueError(
            f"the last character must be a digit or one of {UPN_ALPHABET}, got {last!r}"
        )

    total = 0
    for position, char in enumerate(first12, start=2):
        value = int(char) if char in _DIGITS else _LETTER_VALUES[char]
        total += position * value
    return UPN_ALPHABET[total % 23]


def _upn_error(value: object) -> ValidationError | None:
    """Return the first problem with ``value`` as a UPN, or ``None`` if it is a valid UPN."""
    if not isinstance(value, str):
        return ValidationError(
            "Enter the UPN as text: a letter followed by 12 numbers (or 11 numbers and a letter).",
            code="upn_not_text",
        )
    if any(c.isspace() for c in value):
        return ValidationError(
            "A UPN has no spaces in it. Remove the spaces and try again.",
            code="upn_spaces",
        )
    if len(value) != 13:
        return ValidationError(
            "A UPN must be 13 characters long; this one has %(length)d.",
            code="upn_length",
            params={"length": len(value)},
        )
    if any(c in _LOWERCASE for c in value):
        return ValidationError(
            "Letters in a UPN must be capitals, for example “A” rather than “a”.",
            code="upn_lowercase",
        )
    first = value[0]
    if first not in _LETTER_VALUES:
        if first in "IOS":
            message = (
                "A UPN never starts with the letter %(char)s. Check the UPN was copied correctly."
            )
        else:
            message = "A UPN starts with a letter, but this one starts with “%(char)s”."
        return ValidationError(message, code="upn_first_character", params={"char": first})
    for position, char in enumerate(value[1:12], start=2):
        if char not in _DIGITS:
            return ValidationError(
                "Characters 2 to 12 of a UPN must all be numbers, but character %(position)d "
                "is “%(char)s”.",
                code="upn_not_digits",
                params={"position": position, "char": char},
            )
    last = value[12]
    if last not in _DIGITS and last not in _LETTER_VALUES:
        return ValidationError(
            "The last character of a UPN must be a number, or, for a temporary UPN, a letter "
            "other than I, O or S. This one ends in “%(char)s”.",
            code="upn_last_character",
            params={"char": last},
        )
    la_code = value[1:4]
    if la_code not in LA_CODES:
        return ValidationError(
            "“%(la_code)s” is not a DfE local authority code. Characters 2 to 4 of a UPN are the "
            "code of the local authority that issued it. Check the UPN was copied correctly.",
            code="upn_unknown_la",
            params={"la_code": la_code},
        )
    expected = upn_check_letter(value[1:])
    if first != expected:
        return ValidationError(
            "The check letter should be %(expected)s, not %(actual)s — check the UPN was copied "
            "correctly.",
            code="upn_check_letter",
            params={"expected": expected, "actual": first},
        )
    return None


def is_valid_upn(value: str) -> bool:
    """Return whether ``value`` is, exactly as given, a valid permanent or temporary UPN.

    The value must be exactly 13 characters, with capital letters and no spaces. Use
    :func:`normalise_upn` first if the value was typed by a person. The check letter must be
    correct, and positions 2-4 must be an accepted LA code (see the module docstring).
    """
    return _upn_error(value) is None


def validate_upn(value: str) -> None:
    """Django validator: raise ``ValidationError`` with a plain-English message for a bad UPN.

    The error codes, one for each kind of problem, in the order they are checked:
    ``upn_not_text``, ``upn_spaces``, ``upn_length``, ``upn_lowercase``, ``upn_first_character``,
    ``upn_not_digits``, ``upn_last_character``, ``upn_unknown_la``, ``upn_check_letter``.
    Only the first problem is reported. The value is not changed first. Forms should call
    :func:`normalise_upn` themselves.
    """
    error = _upn_error(value)
    if error is not None:
        raise error


# --------------------------------------------------------------------------------------------
# ULN
# --------------------------------------------------------------------------------------------


def uln_check_digit(first9: str) -> int | None:
    """Return the ULN check digit for the first nine digits, or ``None`` if none is possible.

    ``first9`` is positions 1-9 of the ULN. The digits are multiplied by 10, 9, … 2 and added.
    Call the remainder of the sum divided by 11 *r*. The check digit is ``10 - r``. When
    ``r == 0`` the answer would be 10, which is not a digit, so no ULN starts with these nine
    digits and ``None`` is returned.

    >>> uln_check_digit("927630868")
    6

    Raises ``ValueError`` if ``first9`` is not nine digits.
    """
    if len(first9) != 9 or not all(c in _DIGITS for c in first9):
        raise ValueError(f"first9 must be 9 digits, got {first9!r}")
    total = sum(weight * int(char) for weight, char in zip(range(10, 1, -1), first9, strict=True))
    remainder = total % 11
    if remainder == 0:
        return None
    return 10 - remainder


def _uln_error(value: object) -> ValidationError | None:
    """Return the first problem with ``value`` as a ULN, or ``None`` if it is a valid ULN."""
    if not isinstance(value, str):
        return ValidationError("Enter the ULN as text: 10 numbers.", code="uln_not_text")
    if any(c.isspace() for c in value):
        return ValidationError(
            "A ULN has no spaces in it. Remove the spaces and try again.",
            code="uln_spaces",
        )
    for char in value:
        if char not in _DIGITS:
            return ValidationError(
                "A ULN is made up of numbers only, but this one contains “%(char)s”.",
                code="uln_not_digits",
                params={"char": char},
            )
    if len(value) != 10:
        return ValidationError(
            "A ULN must be 10 digits long; this one has %(length)d.",
            code="uln_length",
            params={"length": len(value)},
        )
    if value[0] == "0":
        return ValidationError(
            "A ULN never starts with 0. Check the ULN was copied correctly.",
            code="uln_leading_zero",
        )
    expected = uln_check_digit(value[:9])
    if expected is None:
        return ValidationError(
            "This cannot be a real ULN: no ULN starts with the digits %(first9)s. Check the ULN "
            "was copied correctly.",
            code="uln_impossible",
            params={"first9": value[:9]},
        )
    if int(value[9]) != expected:
        return ValidationError(
            "The last digit should be %(expected)d, not %(actual)s — check the ULN was copied "
            "correctly.",
            code="uln_check_digit",
            params={"expected": expected, "actual": value[9]},
        )
    return None


def is_valid_uln(value: str) -> bool:
    """Return whether ``value`` is, exactly as given, a valid Unique Learner Number.

    It must be ten ASCII digits, the first not ``0``, with a correct check digit.
    """
    return _uln_error(value) is None


def validate_uln(value: str) -> None:
    """Django validator: raise ``ValidationError`` with a plain-English message for a bad ULN.

    The error codes, in the order they are checked: ``uln_not_text``, ``uln_spaces``,
    ``uln_not_digits``, ``uln_length``, ``uln_leading_zero``, ``uln_impossible``,
    ``uln_check_digit``. Only the first problem is reported. Nothing is normalised.
    """
    error = _uln_error(value)
    if error is not None:
        raise error
