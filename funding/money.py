"""Money as people type it and as it is stored: pounds and pence in, integer pence out.

Pure text handling with no Django and no database. No float and no Decimal: the digits
are read as integers, so ``NaN``, ``Infinity`` and exponents (``1e9``) are simply not
money, and nothing is ever rounded.

Accepted: ``250``, ``250.5`` (£250.50), ``250.50``, ``£1,250.00`` (commas only as
thousands separators), with spaces around. Refused, each with a message for the person:
empty, anything that is not pounds and pence, negative amounts, more than 2 digits of
pence, and more than the maximum.
"""

from __future__ import annotations

import re

__all__ = ["MAX_PPPLUS_LINE_PENCE", "format_pounds", "pounds_to_pence", "share_of", "split_pence"]

#: The most one line of Pupil Premium Plus spending (one target's cost) can be: £100,000.
#: Far above any real line (a year's PP+ for a child is a few thousand pounds), low enough
#: that a slip of the keyboard (an extra three zeros) is caught.
MAX_PPPLUS_LINE_PENCE = 100_000_00

_AMOUNT = re.compile(
    r"(?P<minus>[-\N{MINUS SIGN}]\s*)?£?\s*(?P<minus_after>[-\N{MINUS SIGN}]\s*)?"
    r"(?P<pounds>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<pence>[0-9]+))?",
    re.ASCII,
)


def format_pounds(pence: int) -> str:
    """12345600 → "£123,456"; 25050 → "£250.50" (whole pounds without ".00")."""
    pounds, rest = divmod(int(pence), 100)
    return f"£{pounds:,}" + (f".{rest:02d}" if rest else "")


def pounds_to_pence(
    text: str, *, maximum: int = MAX_PPPLUS_LINE_PENCE, noun: str = "the cost"
) -> int:
    """The amount in ``text`` in whole pence, or ``ValueError`` whose message says, in
    words for the person who typed it, what to change."""
    value = (text or "").strip()
    if not value:
        raise ValueError(f"Enter {noun}.")
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise ValueError(f"Enter {noun} in pounds and pence, like 250 or 250.50.")
    pounds_digits = match["pounds"].replace(",", "").lstrip("0") or "0"
    pence_digits = match["pence"] or ""
    if len(pence_digits) > 2:
        raise ValueError(f"Enter {noun} with no more than 2 digits of pence, like 250.50.")
    the_noun = noun[0].upper() + noun[1:]
    too_much = f"{the_noun} must be {format_pounds(maximum)} or less."
    # Compared by length first: a number with a great many digits is too much money, and
    # never reaches int() (which refuses more than 4,300 digits).
    if len(pounds_digits) > len(str(maximum)):
        raise ValueError(too_much)
    pence = int(pounds_digits) * 100 + int(pence_digits.ljust(2, "0"))
    if pence and (match["minus"] or match["minus_after"]):
        raise ValueError(f"{the_noun} must be £0 or more.")
    if pence > maximum:
        raise ValueError(too_much)
    return pence


def split_pence(total: int, weights: list[int]) -> list[int]:
    """``total`` pence shared in proportion to ``weights`` (e.g. days of a term at each
    school), in whole pence that add up to ``total`` exactly: each share rounded down,
    and the pennies left over go one each to the largest remainders (ties to the earlier
    share). Weights are whole numbers, at least one of them above zero."""
    if total < 0:
        raise ValueError("Only an amount of £0 or more can be shared.")
    if not weights or any(w < 0 for w in weights) or not any(weights):
        raise ValueError("Share between at least one part with a weight above zero.")
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return shares


def share_of(total: int, percent: int) -> int:
    """``percent`` % of ``total`` pence, rounded down to a whole penny."""
    if not 0 <= percent <= 100:
        raise ValueError("Enter a share between 0 and 100 %.")
    return total * percent // 100
