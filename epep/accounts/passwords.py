"""Password rules following NCSC advice: length over complexity, no composition rules,
no expiry, and refusal of passwords that are common or built from words an attacker would
try first for this service (the product's own words and local authority names)."""

from __future__ import annotations

import re
from functools import cache

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

from epep.tenancy.la_codes import la_names

MAX_LENGTH = 1000

#: Words an attacker would try first against this service.
PRODUCT_WORDS = frozenset(
    {
        "epep",
        "pep",
        "personal",
        "education",
        "plan",
        "plans",
        "virtual",
        "school",
        "schools",
        "virtualschool",
        "children",
        "child",
        "care",
        "incare",
        "lookedafter",
        "council",
        "county",
        "borough",
        "social",
        "worker",
        "teacher",
        "designated",
        "carer",
        "foster",
        "password",
        "passw0rd",
        "welcome",
        "letmein",
        "changeme",
        "admin",
        "login",
        "secret",
        "qwerty",
    }
)

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)


@cache
def _authority_words() -> frozenset[str]:
    words = set()
    for name in la_names().values():
        for word in re.findall(r"[a-z]+", name.lower()):
            if len(word) > 2 and word not in {"and", "the", "of", "upon", "city", "with"}:
                words.add(word)
        words.add(re.sub(r"[^a-z]", "", name.lower()))
    return frozenset(words)


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def _cores(password: str) -> set[str]:
    """The letters an attacker's word list would start from: lower-cased, with and without
    undoing letter-for-digit swaps ("P@ssw0rd"), with and without trailing digits and
    symbols ("Summer2024!")."""
    lowered = password.lower()
    trimmed = re.sub(r"[\d\W_]+$", "", lowered)
    cores = set()
    for text in (lowered, trimmed):
        cores.add(re.sub(r"[^a-z]", "", text))
        cores.add(re.sub(r"[^a-z]", "", text.translate(_LEET)))
    return {core for core in cores if core}


def _only_guessable_words(core: str, words: frozenset[str]) -> bool:
    """True if ``core`` is entirely made of guessable words (word segmentation)."""
    if not core:
        return False
    best = [False] * (len(core) + 1)
    best[0] = True
    for end in range(1, len(core) + 1):
        for start in range(max(0, end - 40), end):
            if best[start] and core[start:end] in words:
                best[end] = True
                break
    return best[-1]


class ProductWordsValidator:
    """Refuse passwords made only of this service's words, authority names, common
    passwords, and digits or symbols ("Kent2024!", "VirtualSchool1", "P@ssw0rd123")."""

    def validate(self, password: str, user=None) -> None:
        common = _common_passwords()
        guessable = PRODUCT_WORDS | _authority_words()
        # A common password dressed up with digits and symbols ("Summer2024!") is still
        # common; a passphrase of several ordinary words is not, so only whole-password
        # matches count against the common list.
        if password.lower().strip() in common or any(
            core in common or _only_guessable_words(core, guessable) for core in _cores(password)
        ):
            raise ValidationError(
                "This password would be easy to guess: it is made of common words, the name "
                "of this service or of a council. Try three or more random words instead.",
                code="password_guessable",
            )

    def get_help_text(self) -> str:
        return "Do not use the name of this service, your council or a common password."


class MaximumLengthValidator:
    """Long passphrases are welcome; only absurd lengths are refused."""

    def validate(self, password: str, user=None) -> None:
        if len(password) > MAX_LENGTH:
            raise ValidationError(
                f"Your password must be {MAX_LENGTH} characters or fewer.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Use at least 12 characters (up to {MAX_LENGTH}). A few random words work well."
